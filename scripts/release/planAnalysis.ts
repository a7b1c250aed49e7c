/**
 * What a preview plans to do, and whether promotion may apply it. Pure functions over the
 * Automation API's engine events, so the gates are tested without an engine.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";

/** One step the preview plans. */
export interface PlannedStep {
    op: OpType;
    urn: string;
    /** The resource type token, e.g. "kubernetes:apps/v1:StatefulSet". */
    type: string;
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
            steps.push({ op: metadata.op, urn: metadata.urn, type: metadata.type });
        }
    }
    return steps;
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

/** The resource name at the end of a URN. */
export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Resources that hold the database's data or its credentials. */
export function holdsData(step: PlannedStep): boolean {
    const name = resourceName(step.urn);
    return (
        step.type === "kubernetes:apps/v1:StatefulSet" ||
        step.type === "kubernetes:core/v1:PersistentVolumeClaim" ||
        (step.type === "kubernetes:core/v1:Secret" && name.endsWith("-credentials")) ||
        (step.type === "random:index/randomPassword:RandomPassword" && name.endsWith("-password"))
    );
}

/** Where destructive changes to data-bearing resources need an explicit allowance. */
export interface GateOptions {
    stack: string;
    /** Stacks whose data is guarded. Default: staging and prod. */
    guardedStacks?: string[];
    /** The operator allowed destroying data-bearing resources for this promotion. */
    allowDataLoss?: boolean;
}

/** Why the plan may not be applied as it is (empty when it may). */
export function gateViolations(steps: PlannedStep[], options: GateOptions): string[] {
    const guarded = options.guardedStacks ?? ["staging", "prod"];
    if (!guarded.includes(options.stack) || options.allowDataLoss) {
        return [];
    }
    return steps
        .filter((step) => DESTRUCTIVE.includes(step.op) && holdsData(step))
        .map(
            (step) =>
                `${options.stack}: the plan would ${step.op} ${step.type} "${resourceName(step.urn)}", which holds data; ` +
                "re-run with an explicit allowance if that is intended",
        );
}
