/** Where the pod template sits in each workload kind, by Pulumi type token. */
const POD_SPEC_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The pod spec of a workload's inputs, or undefined for other resources (or when still unknown). */
export function podSpecOf(type: string, props: Record<string, any>): Record<string, any> | undefined {
    const path = POD_SPEC_PATHS[type];
    return path?.reduce<any>((node, key) => (node === undefined ? undefined : node[key]), props);
}

/** The pod template labels of a workload, for matching PDB selectors. */
export function podLabelsOf(type: string, props: Record<string, any>): Record<string, string> {
    const path = POD_SPEC_PATHS[type];
    if (!path) {
        return {};
    }
    const template = path.slice(0, -1).reduce<any>((node, key) => node?.[key], props);
    return template?.metadata?.labels ?? {};
}

export interface NamedContainer {
    kind: "container" | "initContainer";
    container: Record<string, any>;
}

/** Every container and init container of a pod spec. */
export function containersOf(pod: Record<string, any>): NamedContainer[] {
    return [
        ...(pod.initContainers ?? []).map((container: any) => ({ kind: "initContainer" as const, container })),
        ...(pod.containers ?? []).map((container: any) => ({ kind: "container" as const, container })),
    ];
}

export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATHS);
