/**
 * The one place labels are made. Selectors, Services, PDBs, HPAs and NetworkPolicies all take their
 * pod selector from `selectorLabels`, so they cannot drift apart.
 */

export const PART_OF = "fastapi-k8s";

/** The labels that identify one workload's pods; stable for the workload's whole life. */
export function selectorLabels(workload: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": workload,
        "app.kubernetes.io/part-of": PART_OF,
    };
}

/** Selector labels plus descriptive ones, for object metadata and pod templates. */
export function workloadLabels(workload: string, extra: { component?: string; version?: string } = {}): Record<string, string> {
    const labels: Record<string, string> = {
        ...selectorLabels(workload),
        "app.kubernetes.io/managed-by": "pulumi",
    };
    if (extra.component) {
        labels["app.kubernetes.io/component"] = extra.component;
    }
    if (extra.version) {
        labels["app.kubernetes.io/version"] = extra.version;
    }
    return labels;
}

/** Labels for objects that belong to no single workload (namespace-wide policies, quotas). */
export function platformLabels(): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}
