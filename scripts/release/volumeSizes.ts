/**
 * Volumes never shrink: the API server refuses a smaller request on a bound claim, and a
 * StatefulSet's claim template cannot change at all. A release compares the sizes the stack file
 * asks for with the ones in the stack's state, so a smaller size is refused before the preview, with
 * what is allowed, instead of failing part-way through an apply.
 */
import { parseQuantity, resolveBackupSettings } from "../../components";
import type { StackConfig } from "../../stacks/config/schema";
import { typeChain } from "./planAnalysis";

/** A resource of an exported deployment, as much of it as this check reads. */
export interface StateResource {
    urn: string;
    type: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the state's inputs are untyped JSON
    inputs?: Record<string, any>;
}

const DATABASE = "fastapi-k8s:index:PostgresDatabase";

/** The storage each data-bearing volume of the state asks for, keyed by the configuration key that sets it. */
function deployedSizes(resources: StateResource[]): Map<string, string> {
    const sizes = new Map<string, string>();
    for (const resource of resources.filter((r) => typeChain(r.urn).includes(DATABASE))) {
        if (resource.type === "kubernetes:apps/v1:StatefulSet") {
            const size = resource.inputs?.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage;
            if (typeof size === "string") sizes.set("postgres.storageSize", size);
        } else if (resource.type === "kubernetes:core/v1:PersistentVolumeClaim") {
            const size = resource.inputs?.spec?.resources?.requests?.storage;
            if (typeof size === "string") sizes.set("postgres.backup.storageSize", size);
        }
    }
    return sizes;
}

/** What the configuration asks for, under the same keys (the backup's default included). */
function requestedSizes(settings: StackConfig): Map<string, string> {
    const sizes = new Map([["postgres.storageSize", settings.postgres.storageSize]]);
    if (settings.postgres.backup) {
        sizes.set("postgres.backup.storageSize", resolveBackupSettings(settings.postgres.backup).storageSize);
    }
    return sizes;
}

/** One line per volume the stack file would shrink (empty when none would). */
export function volumeShrinkProblems(stack: string, settings: StackConfig, resources: StateResource[]): string[] {
    const deployed = deployedSizes(resources);
    return [...requestedSizes(settings)].flatMap(([key, wanted]) => {
        const current = deployed.get(key);
        if (current === undefined || parseQuantity(wanted) >= parseQuantity(current)) {
            return [];
        }
        return [
            `fastapi-k8s:${key} = "${wanted}" is smaller than the volume ${stack} has now (${current}): ` +
                `a volume can never shrink; keep it at ${current} or more`,
        ];
    });
}
