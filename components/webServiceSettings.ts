import { exemptionProblems } from "./checkExemptions";
import { ArgumentChecker } from "./errors";
import {
    dnsSubdomainProblem,
    envVarNameProblem,
    fieldProblem,
    imageReferenceProblem,
    ingressHostProblem,
    labelValueProblem,
    serviceNameProblem,
} from "./kubernetesNames";
import { pullPolicyProblem } from "./pullPolicy";
import { ComputeResources, resourceProblems } from "./resources";
import { DEFAULT_UID } from "./security";
import {
    Autoscaling,
    GracefulShutdown,
    IngressRoute,
    ProbePaths,
    ServiceExposure,
    WebServiceArgs,
} from "./webServiceArgs";

export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"];

/** WebServiceArgs with every default filled in, after validation. */
export interface WebServiceSettings {
    port: number;
    replicas: number;
    imagePullPolicy: string;
    resources: ComputeResources;
    probes: Required<ProbePaths>;
    service: ServiceExposure & { type: string };
    ingress?: IngressRoute & { path: string };
    autoscaling?: Required<Omit<Autoscaling, "memoryUtilization">> & { memoryUtilization?: number };
    shutdown: Required<GracefulShutdown>;
    terminationGracePeriodSeconds: number;
    rolloutTimeoutSeconds: number;
    uid: number;
    writableDirs: string[];
}

export const DEFAULT_RESOURCES: ComputeResources = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
};

/** Fills in defaults and checks every argument; throws one error listing all problems. */
export function resolveWebServiceArgs(name: string, args: WebServiceArgs): WebServiceSettings {
    const settings: WebServiceSettings = {
        port: args.port ?? 8000,
        replicas: args.replicas ?? 1,
        imagePullPolicy: args.imagePullPolicy ?? "IfNotPresent",
        resources: args.resources ?? DEFAULT_RESOURCES,
        probes: {
            startupPath: "/startupz",
            livenessPath: "/livez",
            readinessPath: "/readyz",
            startupTimeoutSeconds: 60,
            ...args.probes,
        },
        service: { type: "ClusterIP", ...args.service },
        ingress: args.ingress && { path: "/", ...args.ingress },
        autoscaling: args.autoscaling && {
            cpuUtilization: 70,
            scaleDownStabilizationSeconds: 300,
            ...args.autoscaling,
        },
        shutdown: { preStopSleepSeconds: 5, drainSeconds: 20, ...args.shutdown },
        terminationGracePeriodSeconds: 0,
        rolloutTimeoutSeconds: args.rolloutTimeoutSeconds ?? 600,
        uid: args.uid ?? DEFAULT_UID,
        writableDirs: args.writableDirs ?? ["/tmp"],
    };
    // The kubelet sends SIGTERM only after preStop; the grace period must cover both plus margin.
    settings.terminationGracePeriodSeconds =
        settings.shutdown.preStopSleepSeconds + settings.shutdown.drainSeconds + 5;

    const checker = new ArgumentChecker(`WebService "${name}"`);
    // 40: room for the suffixes of the objects named after it ("-config-<hash>", "-to-<peer>-egress").
    checker.report(fieldProblem("name", name, (value) => serviceNameProblem(value, 40)));
    checkPort(checker, "port", settings.port);
    checker.require(
        Number.isInteger(settings.replicas) && settings.replicas >= 1,
        `replicas = ${settings.replicas} must be a whole number ≥ 1`,
    );
    checker.report(pullPolicyProblem(settings.imagePullPolicy));
    checker.report(...resourceProblems(settings.resources, "resources"));
    checkProbes(checker, settings.probes);
    checkService(checker, settings.service);
    if (settings.ingress) {
        checkIngress(checker, settings.ingress);
    }
    if (settings.autoscaling) {
        checkAutoscaling(checker, settings.autoscaling);
    }
    for (const key of ["preStopSleepSeconds", "drainSeconds"] as const) {
        const value = settings.shutdown[key];
        checker.require(Number.isInteger(value) && value >= 0, `shutdown.${key} = ${value} must be a whole number ≥ 0`);
    }
    checker.require(
        Number.isInteger(settings.rolloutTimeoutSeconds) && settings.rolloutTimeoutSeconds >= 30,
        `rolloutTimeoutSeconds = ${settings.rolloutTimeoutSeconds} must be a whole number ≥ 30 (the start-up allowance alone may take that long)`,
    );
    checker.require(
        Number.isInteger(settings.uid) && settings.uid >= 10000,
        `uid = ${settings.uid} must be a whole number ≥ 10000 (a user that exists on no host)`,
    );
    checker.report(...exemptionProblems(args.exemptions ?? []));
    checker.report(
        fieldProblem("image", args.image, imageReferenceProblem),
        fieldProblem("version", args.version, labelValueProblem),
        ...Object.entries(args.podLabels ?? {}).map(([key, value]) => fieldProblem(`podLabels["${key}"]`, value, labelValueProblem)),
        ...Object.keys(args.env ?? {}).map((key) => fieldProblem("env key", key, envVarNameProblem)),
    );
    checkMounts(checker, args, settings.writableDirs);
    checker.throwIfAny();
    return settings;
}

/** Every mount path absolute and distinct: two volumes at one path make the API server refuse the pod. */
function checkMounts(checker: ArgumentChecker, args: WebServiceArgs, writableDirs: string[]): void {
    const seen = new Map<string, string>();
    const mounts = [
        ...(args.secretFiles ?? []).map((m) => ({ path: m.mountPath, what: `secretFiles "${m.secretName}"` })),
        ...writableDirs.map((dir) => ({ path: dir, what: "writableDirs" })),
    ];
    for (const { path, what } of mounts) {
        checker.require(path.startsWith("/"), `${what} mountPath "${path}" must be absolute`);
        const normalized = path.replace(/\/+$/, "") || "/";
        const earlier = seen.get(normalized);
        checker.require(earlier === undefined, `${what} mountPath "${path}" is already used by ${earlier}; each mount needs its own path`);
        seen.set(normalized, what);
    }
    for (const mount of args.secretFiles ?? []) {
        checker.report(fieldProblem(`secretFiles secretName`, mount.secretName, dnsSubdomainProblem));
    }
}

function checkPort(checker: ArgumentChecker, key: string, port: number): void {
    checker.require(Number.isInteger(port) && port >= 1 && port <= 65535, `${key} = ${port} must be 1-65535`);
}

function checkProbes(checker: ArgumentChecker, probes: Required<ProbePaths>): void {
    for (const key of ["startupPath", "livenessPath", "readinessPath"] as const) {
        checker.require(probes[key].startsWith("/"), `probes.${key} = "${probes[key]}" must start with "/"`);
    }
    checker.require(
        probes.livenessPath !== probes.readinessPath,
        "probes.livenessPath and probes.readinessPath must differ: liveness checks the process, readiness its dependencies",
    );
    checker.require(
        Number.isInteger(probes.startupTimeoutSeconds) && probes.startupTimeoutSeconds >= 2,
        `probes.startupTimeoutSeconds = ${probes.startupTimeoutSeconds} must be a whole number ≥ 2`,
    );
}

function checkService(checker: ArgumentChecker, service: ServiceExposure & { type: string }): void {
    checker.require(
        SERVICE_TYPES.includes(service.type),
        `service.type = "${service.type}" is not one of ${SERVICE_TYPES.join(", ")}`,
    );
    if (service.nodePort !== undefined) {
        checker.require(service.type === "NodePort", `service.nodePort is set but service.type is "${service.type}", not "NodePort"`);
        checker.require(
            Number.isInteger(service.nodePort) && service.nodePort >= 30000 && service.nodePort <= 32767,
            `service.nodePort = ${service.nodePort} must be in the node-port range 30000-32767`,
        );
    }
}

function checkIngress(checker: ArgumentChecker, ingress: IngressRoute & { path: string }): void {
    checker.report(
        typeof ingress.host === "string" ? fieldProblem("ingress.host", ingress.host, ingressHostProblem) : "ingress.host is required: a DNS host name",
        fieldProblem("ingress.className", ingress.className, dnsSubdomainProblem),
        fieldProblem("ingress.tlsSecretName", ingress.tlsSecretName, dnsSubdomainProblem),
    );
    checker.require(ingress.path.startsWith("/"), `ingress.path = "${ingress.path}" must start with "/"`);
}

function checkAutoscaling(checker: ArgumentChecker, hpa: NonNullable<WebServiceSettings["autoscaling"]>): void {
    checker.require(
        Number.isInteger(hpa.minReplicas) && hpa.minReplicas >= 1,
        `autoscaling.minReplicas = ${hpa.minReplicas} must be a whole number ≥ 1`,
    );
    checker.require(
        Number.isInteger(hpa.maxReplicas) && hpa.maxReplicas >= hpa.minReplicas,
        `autoscaling.maxReplicas = ${hpa.maxReplicas} must be a whole number ≥ autoscaling.minReplicas (${hpa.minReplicas})`,
    );
    const targets: Array<[string, number | undefined]> = [
        ["cpuUtilization", hpa.cpuUtilization],
        ["memoryUtilization", hpa.memoryUtilization],
    ];
    for (const [key, value] of targets) {
        if (value !== undefined) {
            checker.require(
                Number.isInteger(value) && value >= 1 && value <= 100,
                `autoscaling.${key} = ${value} must be a whole percentage 1-100`,
            );
        }
    }
    checker.require(
        Number.isInteger(hpa.scaleDownStabilizationSeconds) &&
            hpa.scaleDownStabilizationSeconds >= 0 &&
            hpa.scaleDownStabilizationSeconds <= 3600,
        `autoscaling.scaleDownStabilizationSeconds = ${hpa.scaleDownStabilizationSeconds} must be 0-3600`,
    );
}
