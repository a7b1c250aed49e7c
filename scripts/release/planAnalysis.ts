/**
 * What a preview plans to do, and whether promotion may apply it. Pure functions over the
 * Automation API's engine events, so the gates are tested without an engine.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { GUARDED_STACKS } from "../../stacks/stackFiles";

/** One step the preview plans. */
export interface PlannedStep {
    op: OpType;
    urn: string;
    /** The resource type token, e.g. "kubernetes:apps/v1:StatefulSet". */
    type: string;
    /** The properties the step changes, as the engine names them: detailed paths or top-level keys, never values. */
    diffs: string[];
}

/** Operations that destroy an existing resource (or its data) on the way. */
const DESTRUCTIVE: OpType[] = ["delete", "replace", "create-replacement", "delete-replaced", "discard", "discard-replaced"];

/** The steps announced by a preview's resource-pre events, once per resource and operation. */
export function plannedSteps(events: EngineEvent[]): PlannedStep[] {
    const seen = new Set<string>();
    const steps: PlannedStep[] = [];
    for (const event of events) {
        const metadata = event.resourcePreEvent?.metadata;
        if (!metadata || metadata.op === "same") {
            continue;
        }
        const key = `${metadata.op} ${metadata.urn}`;
        if (!seen.has(key)) {
            seen.add(key);
            steps.push({ op: metadata.op, urn: metadata.urn, type: metadata.type, diffs: changedPaths(metadata) });
        }
    }
    return steps;
}

/** The property paths a step changes: the detailed diff's when the provider gave one (e.g. "spec.replicas"), else the top-level keys. */
function changedPaths(metadata: { diffs?: string[]; detailedDiff?: Record<string, unknown> }): string[] {
    const detailed = Object.keys(metadata.detailedDiff ?? {});
    return detailed.length > 0 ? detailed : (metadata.diffs ?? []);
}

/** A step as the operator reads it: `update Deployment "backend"`. */
export function stepName(step: Pick<PlannedStep, "op" | "type" | "urn">): string {
    return `${step.op} ${shortType(step.type)} "${resourceName(step.urn)}"`;
}

/** One line per changed resource, e.g. `update Deployment "backend": spec.replicas`, for the operator to see what moves. */
export function describeSteps(steps: PlannedStep[]): string[] {
    return steps
        .filter((step) => !step.type.startsWith("pulumi:"))
        .map((step) => {
            const what = stepName(step);
            return step.diffs.length > 0 ? `${what}: ${step.diffs.join(", ")}` : what;
        });
}

/** Counts per operation and type, e.g. { create: { "kubernetes:apps/v1:Deployment": 3 } }. */
export function summarize(steps: PlannedStep[]): Record<string, Record<string, number>> {
    const summary: Record<string, Record<string, number>> = {};
    for (const { op, type } of steps) {
        summary[op] ??= {};
        summary[op][type] = (summary[op][type] ?? 0) + 1;
    }
    return summary;
}

/** The last part of a type token: "kubernetes:apps/v1:Deployment" → "Deployment". */
export function shortType(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** The resource name at the end of a URN. */
export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The types in a URN, outermost parent first: "…::A$B$kubernetes:apps/v1:StatefulSet::name" → [A, B, StatefulSet]. */
export function typeChain(urn: string): string[] {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts[parts.length - 2].split("$") : [];
}

/** Components whose children hold data or the credentials to it. */
export const DATA_COMPONENTS = ["fastapi-k8s:index:PostgresDatabase"];
/** Types that hold data wherever they are: a volume is a volume. */
const VOLUME_TYPES = ["kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:PersistentVolumeClaim"];
/** Types that hold data, or the credentials to it, when a data component owns them. */
const CREDENTIAL_TYPES = ["kubernetes:core/v1:Secret", "random:index/randomPassword:RandomPassword"];

/**
 * Resources that hold data or its credentials: any StatefulSet or claim, and a Secret or generated
 * password whose URN says a data component (PostgresDatabase) owns it. Judged by type, not by
 * name, so renaming a database does not unguard it and a Secret named "*-credentials" elsewhere
 * (or a service key's password) is not mistaken for one.
 */
export function holdsData(step: PlannedStep): boolean {
    if (VOLUME_TYPES.includes(step.type)) {
        return true;
    }
    const owners = typeChain(step.urn).slice(0, -1);
    return CREDENTIAL_TYPES.includes(step.type) && owners.some((owner) => DATA_COMPONENTS.includes(owner));
}

/** The stacks whose data is guarded: destructive plans need an allowance, and a backup comes first. */
export { GUARDED_STACKS } from "../../stacks/stackFiles";

/**
 * The steps that change or destroy a data-bearing resource that exists already (creating one puts
 * nothing at risk): before applying them to a guarded stack, the release takes a backup.
 */
export function dataSteps(steps: PlannedStep[]): PlannedStep[] {
    return steps.filter((step) => (step.op === "update" || DESTRUCTIVE.includes(step.op)) && holdsData(step));
}

/**
 * A generated password replaced by a new one (its generation bumped) is a rotation, not a loss: the
 * database's password sync sets the new one and its clients read it from the Secret. Deleting one
 * stays guarded.
 */
function isPasswordRotation(step: PlannedStep): boolean {
    return step.type === "random:index/randomPassword:RandomPassword" && ["replace", "create-replacement", "delete-replaced"].includes(step.op);
}

/** Where destructive changes to data-bearing resources need an explicit allowance. */
export interface GateOptions {
    stack: string;
    /** Stacks whose data is guarded. Default: GUARDED_STACKS. */
    guardedStacks?: string[];
    /** The operator allowed destroying data-bearing resources for this promotion. */
    allowDataLoss?: boolean;
}

/** Why the plan may not be applied as it is (empty when it may). */
export function gateViolations(steps: PlannedStep[], options: GateOptions): string[] {
    const guarded = options.guardedStacks ?? GUARDED_STACKS;
    if (!guarded.includes(options.stack) || options.allowDataLoss) {
        return [];
    }
    return steps
        .filter((step) => DESTRUCTIVE.includes(step.op) && holdsData(step) && !isPasswordRotation(step))
        .map(
            (step) =>
                `${options.stack}: the plan would ${step.op} ${step.type} "${resourceName(step.urn)}", which holds data; ` +
                "re-run with an explicit allowance if that is intended",
        );
}
