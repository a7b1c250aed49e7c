import { NamedContainer, containersOf, podLabelsOf, podSpecOf } from "./podSpec";

/** A rule over one resource: the violations it finds (empty when the resource complies). */
export type ResourceRule = (type: string, props: Record<string, any>, config: PolicyConfig) => string[];

/** Settings of the pack, per stack (pulumi preview --policy-pack-config). */
export interface PolicyConfig {
    /** Refuse images that are not pinned by digest (staging and prod). */
    requireDigest?: boolean;
}

function perContainer(type: string, props: Record<string, any>, check: (c: NamedContainer, pod: Record<string, any>) => string[]): string[] {
    const pod = podSpecOf(type, props);
    return pod ? containersOf(pod).flatMap((c) => check(c, pod).map((m) => `${c.kind} "${c.container.name}": ${m}`)) : [];
}

/** Pod Security Standards "restricted", and a read-only root filesystem. */
export const restrictedSecurityContext: ResourceRule = (type, props) =>
    perContainer(type, props, ({ container }, pod) => {
        const sc = container.securityContext ?? {};
        const problems: string[] = [];
        if (sc.allowPrivilegeEscalation !== false) problems.push("securityContext.allowPrivilegeEscalation must be false");
        if (sc.privileged === true) problems.push("must not be privileged");
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push('securityContext.capabilities.drop must include "ALL"');
        if (sc.readOnlyRootFilesystem !== true) problems.push("securityContext.readOnlyRootFilesystem must be true");
        if ((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true) problems.push("runAsNonRoot must be true");
        const seccomp = (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push("seccompProfile.type must be RuntimeDefault or Localhost");
        return problems;
    });

/**
 * A liveness probe on every long-running container, and a readiness probe on each that serves a
 * port: readiness decides whether traffic reaches a pod, so a helper that serves nothing (a sidecar
 * such as the database's password sync) needs none, and must not hold its pod out of a Service.
 */
export const probesPresent: ResourceRule = (type, props) =>
    perContainer(type, props, ({ kind, container }) => {
        // Init containers run to completion, unless they are native sidecars (restartPolicy Always).
        const runsToCompletion = kind === "initContainer" && container.restartPolicy !== "Always";
        if (runsToCompletion || type.startsWith("kubernetes:batch/")) {
            return [];
        }
        const required = (container.ports ?? []).length > 0 ? (["livenessProbe", "readinessProbe"] as const) : (["livenessProbe"] as const);
        return required.filter((p) => container[p] === undefined).map((p) => `has no ${p}`);
    });

/** CPU and memory requests and limits on every container. */
export const resourcesSet: ResourceRule = (type, props) =>
    perContainer(type, props, ({ container }) =>
        ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]
            .filter((path) => {
                const [kind, resource] = path.split(".");
                return container.resources?.[kind]?.[resource] === undefined;
            })
            .map((path) => `resources.${path} is not set`),
    );

/** No mutable image references: never "latest" or untagged; pinned by digest where required. */
export const immutableImages: ResourceRule = (type, props, config) =>
    perContainer(type, props, ({ container }) => {
        const image: unknown = container.image;
        if (typeof image !== "string") {
            return []; // unknown until apply (e.g. an image being built); checked when known
        }
        if (image.includes("@sha256:")) {
            return [];
        }
        const lastSegment = image.split("/").pop() ?? image;
        const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
        if (tag === undefined || tag === "latest") {
            return [`image "${image}" has a mutable tag; pin a version or a digest`];
        }
        return config.requireDigest ? [`image "${image}" is not pinned by digest (requireDigest is on)`] : [];
    });

/** Secret values reach containers as mounted files, never as environment variables. */
export const noSecretsInEnv: ResourceRule = (type, props) =>
    perContainer(type, props, ({ container }) => [
        ...(container.env ?? [])
            .filter((e: any) => e.valueFrom?.secretKeyRef)
            .map((e: any) => `env ${e.name} comes from a Secret; mount the Secret as a file instead`),
        ...(container.envFrom ?? []).filter((e: any) => e.secretRef).map((e: any) => `envFrom takes Secret "${e.secretRef.name}"; mount it as files instead`),
    ]);

/** A resource of the stack as the stack rule sees it. */
export interface StackResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

const SCALED_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

/** Every workload that can run more than one replica is covered by a PodDisruptionBudget. */
export function replicatedWorkloadsHavePdb(resources: StackResource[]): Array<{ name: string; message: string }> {
    const pdbs = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
    const hpas = resources.filter((r) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    return resources
        .filter((r) => SCALED_TYPES.includes(r.type))
        .filter((workload) => {
            const name = workload.props.metadata?.name;
            const hpa = hpas.find((h) => h.props.spec?.scaleTargetRef?.name === name && h.props.metadata?.namespace === workload.props.metadata?.namespace);
            return (workload.props.spec?.replicas ?? 1) > 1 || (hpa?.props.spec?.minReplicas ?? 1) > 1;
        })
        .filter((workload) => {
            const labels = podLabelsOf(workload.type, workload.props);
            return !pdbs.some((pdb) => {
                const selector: Record<string, string> = pdb.props.spec?.selector?.matchLabels ?? {};
                return (
                    pdb.props.metadata?.namespace === workload.props.metadata?.namespace &&
                    Object.keys(selector).length > 0 &&
                    Object.entries(selector).every(([k, v]) => labels[k] === v)
                );
            });
        })
        .map((workload) => ({
            name: workload.name,
            message: `${workload.props.metadata?.name} can run more than one replica but no PodDisruptionBudget selects its pods`,
        }));
}
