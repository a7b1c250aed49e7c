import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentChecker } from "./errors";
import { fieldProblem, namespaceProblem } from "./kubernetesNames";
import { platformLabels } from "./labels";
import { QUANTITY_HELP, isQuantity, parseQuantity } from "./quantity";

/** The ceiling of everything the namespace's pods may request or use together. */
export interface NamespaceQuota {
    /** Sum of CPU requests. Default "4". */
    requestsCpu?: string;
    /** Sum of memory requests. Default "8Gi". */
    requestsMemory?: string;
    /** Sum of CPU limits. Default "8". */
    limitsCpu?: string;
    /** Sum of memory limits. Default "16Gi". */
    limitsMemory?: string;
    /** Number of pods. Default 50. */
    pods?: number;
    /** Number of PersistentVolumeClaims. Default 10. */
    persistentVolumeClaims?: number;
    /** Sum of storage requested by claims. Default "100Gi". */
    requestsStorage?: string;
}

/** Defaults given to containers that set no requests or limits of their own. */
export interface NamespaceLimitDefaults {
    /** Default CPU request. Default "100m". */
    defaultRequestCpu?: string;
    /** Default memory request. Default "128Mi". */
    defaultRequestMemory?: string;
    /** Default CPU limit. Default "500m". */
    defaultLimitCpu?: string;
    /** Default memory limit. Default "256Mi". */
    defaultLimitMemory?: string;
    /** The most CPU one container may ask for. Default "4". */
    maxCpu?: string;
    /** The most memory one container may ask for. Default "8Gi". */
    maxMemory?: string;
}

/** Where the cluster's DNS server runs, so the default-deny policy can still allow lookups. */
export interface DnsServerSelector {
    /** The namespace of the DNS pods. Default "kube-system". */
    namespace?: string;
    /** Labels of the DNS pods. Default { "k8s-app": "kube-dns" }. */
    podLabels?: Record<string, string>;
}

/** Arguments of a Namespace. */
export interface NamespaceArgs {
    /** The Kubernetes name of the namespace. Default: the component name. */
    name?: string;
    /** The Pod Security Standards version to pin the "restricted" labels to. Default "v1.33". */
    podSecurityVersion?: string;
    /** The ResourceQuota. Every field has a default. */
    quota?: NamespaceQuota;
    /** The LimitRange. Every field has a default. */
    limits?: NamespaceLimitDefaults;
    /** Where DNS runs; egress to it is allowed on port 53. */
    dns?: DnsServerSelector;
}

const DEFAULT_QUOTA: Required<NamespaceQuota> = {
    requestsCpu: "4",
    requestsMemory: "8Gi",
    limitsCpu: "8",
    limitsMemory: "16Gi",
    pods: 50,
    persistentVolumeClaims: 10,
    requestsStorage: "100Gi",
};

const DEFAULT_LIMITS: Required<NamespaceLimitDefaults> = {
    defaultRequestCpu: "100m",
    defaultRequestMemory: "128Mi",
    defaultLimitCpu: "500m",
    defaultLimitMemory: "256Mi",
    maxCpu: "4",
    maxMemory: "8Gi",
};

/**
 * An environment boundary: a namespace held to the "restricted" Pod Security Standard, a
 * ResourceQuota and LimitRange that bound what it can consume, and a default-deny NetworkPolicy
 * (DNS excepted) so that only declared connections carry traffic.
 */
export class Namespace extends pulumi.ComponentResource {
    /** The namespace's name, for the `namespace` argument of the other components. */
    public readonly name: pulumi.Output<string>;
    /** The namespace object. */
    public readonly namespace: k8s.core.v1.Namespace;
    /** The quota the namespace is held to (with defaults filled in). */
    public readonly quota: Required<NamespaceQuota>;

    constructor(name: string, args: NamespaceArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveNamespaceArgs(name, args);
        super("fastapi-k8s:index:Namespace", name, args, opts);
        this.quota = settings.quota;

        const level = "restricted";
        this.namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: settings.name,
                    labels: {
                        ...platformLabels(),
                        "pod-security.kubernetes.io/enforce": level,
                        "pod-security.kubernetes.io/enforce-version": settings.podSecurityVersion,
                        "pod-security.kubernetes.io/warn": level,
                        "pod-security.kubernetes.io/warn-version": settings.podSecurityVersion,
                        "pod-security.kubernetes.io/audit": level,
                        "pod-security.kubernetes.io/audit-version": settings.podSecurityVersion,
                    },
                },
            },
            { parent: this },
        );
        const namespaceName = this.namespace.metadata.name;
        const inNamespace = { parent: this, dependsOn: [this.namespace] };
        const metadata = (objectName: string) => ({
            name: objectName,
            namespace: namespaceName,
            labels: platformLabels(),
        });

        const quota = new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: metadata("compute-and-storage"),
                spec: {
                    hard: {
                        "requests.cpu": settings.quota.requestsCpu,
                        "requests.memory": settings.quota.requestsMemory,
                        "limits.cpu": settings.quota.limitsCpu,
                        "limits.memory": settings.quota.limitsMemory,
                        pods: String(settings.quota.pods),
                        persistentvolumeclaims: String(settings.quota.persistentVolumeClaims),
                        "requests.storage": settings.quota.requestsStorage,
                    },
                },
            },
            inNamespace,
        );
        const limits = new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: metadata("container-defaults"),
                spec: {
                    limits: [
                        {
                            type: "Container",
                            defaultRequest: {
                                cpu: settings.limits.defaultRequestCpu,
                                memory: settings.limits.defaultRequestMemory,
                            },
                            default: {
                                cpu: settings.limits.defaultLimitCpu,
                                memory: settings.limits.defaultLimitMemory,
                            },
                            max: { cpu: settings.limits.maxCpu, memory: settings.limits.maxMemory },
                        },
                    ],
                },
            },
            inNamespace,
        );
        const denyAll = new k8s.networking.v1.NetworkPolicy(
            `${name}-default-deny`,
            {
                metadata: metadata("default-deny-all"),
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            inNamespace,
        );
        const allowDns = new k8s.networking.v1.NetworkPolicy(
            `${name}-allow-dns`,
            {
                metadata: metadata("allow-dns-egress"),
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [
                                {
                                    namespaceSelector: {
                                        matchLabels: { "kubernetes.io/metadata.name": settings.dns.namespace },
                                    },
                                    podSelector: { matchLabels: settings.dns.podLabels },
                                },
                            ],
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                    ],
                },
            },
            inNamespace,
        );
        // The public name resolves only once the guards exist (a URN resolves when its resource has
        // been created), and carries them as dependencies: whatever is placed with
        // `namespace: env.name` is created after the quota, the defaults and default-deny, never
        // racing them — no `dependsOn` needed at the call site.
        this.name = pulumi.all([namespaceName, ...[quota, limits, denyAll, allowDns].map((guard) => guard.urn)]).apply(([n]) => n);
        this.registerOutputs({ name: this.name });
    }
}

interface NamespaceSettings {
    name: string;
    podSecurityVersion: string;
    quota: Required<NamespaceQuota>;
    limits: Required<NamespaceLimitDefaults>;
    dns: Required<DnsServerSelector>;
}

function resolveNamespaceArgs(name: string, args: NamespaceArgs): NamespaceSettings {
    const settings: NamespaceSettings = {
        name: args.name ?? name,
        podSecurityVersion: args.podSecurityVersion ?? "v1.33",
        quota: { ...DEFAULT_QUOTA, ...args.quota },
        limits: { ...DEFAULT_LIMITS, ...args.limits },
        dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, ...args.dns },
    };
    const checker = new ArgumentChecker(`Namespace "${name}"`);
    checker.add(fieldProblem("name", settings.name, namespaceProblem));
    checker.require(
        /^v1\.\d+$|^latest$/.test(settings.podSecurityVersion),
        `podSecurityVersion "${settings.podSecurityVersion}" must look like "v1.33" (or "latest")`,
    );
    const quantities: Array<[string, string]> = [
        ...Object.entries(settings.quota)
            .filter(([, v]) => typeof v === "string")
            .map(([k, v]) => [`quota.${k}`, v as string] as [string, string]),
        ...Object.entries(settings.limits).map(([k, v]) => [`limits.${k}`, v] as [string, string]),
    ];
    for (const [key, value] of quantities) {
        checker.require(isQuantity(value), `${key} = "${value}" is not valid; expected ${QUANTITY_HELP}`);
    }
    for (const key of ["pods", "persistentVolumeClaims"] as const) {
        const value = settings.quota[key];
        checker.require(Number.isInteger(value) && value >= 0, `quota.${key} = ${value} must be a whole number ≥ 0`);
    }
    checker.throwIfAny();
    const pairs: Array<[keyof NamespaceLimitDefaults, keyof NamespaceLimitDefaults]> = [
        ["defaultRequestCpu", "defaultLimitCpu"],
        ["defaultRequestMemory", "defaultLimitMemory"],
        ["defaultLimitCpu", "maxCpu"],
        ["defaultLimitMemory", "maxMemory"],
    ];
    for (const [low, high] of pairs) {
        checker.require(
            parseQuantity(settings.limits[low]) <= parseQuantity(settings.limits[high]),
            `limits.${low} = "${settings.limits[low]}" exceeds limits.${high} = "${settings.limits[high]}"`,
        );
    }
    checker.throwIfAny();
    return settings;
}
