import * as pulumi from "@pulumi/pulumi";
import { exemptionProblems } from "./checkExemptions";
import { CERTIFICATE_ISSUER_KINDS, NODE_PORT_RANGE, PULL_POLICIES, PullPolicy, SERVICE_TYPES, ServiceType, choiceProblem, wholeNumberProblem } from "./choices";
import { ArgumentChecker, ArgumentProblem } from "./errors";
import {
    dnsSubdomainProblem,
    configMapSizeProblem,
    envVarNameProblem,
    envVarValueProblem,
    ingressPathProblem,
    fieldProblem,
    imageReferenceProblem,
    ingressHostProblem,
    labelKeyProblem,
    labelValueProblem,
    dnsLabelProblem,
    serviceNameProblem,
} from "./kubernetesNames";
import { PodSelection } from "./networkPeer";
import { ComputeResources, resourceProblems } from "./resources";
import { keyWiring } from "./serviceCalls";
import { DEFAULT_UID } from "./security";
import { Autoscaling, GracefulShutdown, IngressRoute, ProbePaths, SecretFileMount, ServiceExposure, WebServiceArgs } from "./webServiceArgs";

/** WebServiceArgs with every default filled in, after validation. */
export interface WebServiceSettings {
    /** `env` with the settings `calls` and `acceptKeys` add. */
    env: Record<string, pulumi.Input<string>>;
    /** `secretFiles` with the keys `calls` and `acceptKeys` mount. */
    secretFiles: SecretFileMount[];
    port: number;
    replicas: number;
    imagePullPolicy: PullPolicy;
    resources: ComputeResources;
    probes: Required<ProbePaths>;
    service: ServiceExposure & { type: ServiceType };
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
    const keys = keyWiring(name, args.calls ?? [], args.acceptKeys ?? [], args.env ?? {});
    const settings: WebServiceSettings = {
        env: { ...args.env, ...keys.env },
        secretFiles: [...(args.secretFiles ?? []), ...keys.secretFiles],
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
    settings.terminationGracePeriodSeconds = settings.shutdown.preStopSleepSeconds + settings.shutdown.drainSeconds + 5;

    const checker = new ArgumentChecker(`WebService "${name}"`);
    // 40: room for the suffixes of the objects named after it ("-config-<hash>", "-to-<peer>-egress").
    checker.add(fieldProblem("name", name, (value) => serviceNameProblem(value, 40)));
    checkPort(checker, "port", settings.port);
    checker.add(choiceProblem("imagePullPolicy", settings.imagePullPolicy, PULL_POLICIES));
    checker.report(...resourceProblems(settings.resources, "resources"));
    checkProbePaths(checker, settings.probes);
    checker.add(
        ...webServiceTuningProblems({
            replicas: args.replicas,
            service: settings.service,
            ingress: settings.ingress,
            autoscaling: settings.autoscaling,
            rolloutTimeoutSeconds: settings.rolloutTimeoutSeconds,
            probes: settings.probes,
        }),
    );
    for (const key of ["preStopSleepSeconds", "drainSeconds"] as const) {
        checker.add(wholeNumberProblem(`shutdown.${key}`, settings.shutdown[key], 0));
    }
    checker.require(
        Number.isInteger(settings.uid) && settings.uid >= 10000,
        `uid = ${settings.uid} must be a whole number ≥ 10000 (a user that exists on no host)`,
    );
    checker.report(...exemptionProblems(args.exemptions ?? []));
    checker.add(
        fieldProblem("image", args.image, imageReferenceProblem),
        fieldProblem("version", args.version, labelValueProblem),
        ...labelProblems("podLabels", args.podLabels ?? {}),
        ...Object.keys(args.env ?? {}).map((key) => fieldProblem("env key", key, envVarNameProblem)),
        ...Object.entries(args.env ?? {}).map(([key, value]) => fieldProblem(`env["${key}"]`, value, envVarValueProblem)),
    );
    const size = configMapSizeProblem(args.env ?? {});
    checker.report(size && `env: the settings' ConfigMap would be too large (${size})`);
    checker.add(...keys.problems);
    checkMounts(checker, settings.secretFiles, settings.writableDirs);
    checker.throwIfAny();
    return settings;
}

/** Every mount path absolute and distinct: two volumes at one path make the API server refuse the pod. */
function checkMounts(checker: ArgumentChecker, secretFiles: SecretFileMount[], writableDirs: string[]): void {
    const seen = new Map<string, string>();
    const mounts = [
        ...secretFiles.map((m) => ({ path: m.mountPath, what: `secretFiles "${m.secretName}"` })),
        ...writableDirs.map((dir) => ({ path: dir, what: "writableDirs" })),
    ];
    for (const { path, what } of mounts) {
        checker.require(path.startsWith("/"), `${what} mountPath "${path}" must be absolute`);
        const normalized = path.replace(/\/+$/, "") || "/";
        const earlier = seen.get(normalized);
        checker.require(earlier === undefined, `${what} mountPath "${path}" is already used by ${earlier}; each mount needs its own path`);
        seen.set(normalized, what);
    }
    for (const mount of secretFiles) {
        checker.add(fieldProblem(`secretFiles secretName`, mount.secretName, dnsSubdomainProblem));
    }
}

function checkPort(checker: ArgumentChecker, key: string, port: number): void {
    checker.require(Number.isInteger(port) && port >= 1 && port <= 65535, `${key} = ${port} must be 1-65535`);
}

function checkProbePaths(checker: ArgumentChecker, probes: Required<ProbePaths>): void {
    for (const key of ["startupPath", "livenessPath", "readinessPath"] as const) {
        checker.require(probes[key].startsWith("/"), `probes.${key} = "${probes[key]}" must start with "/"`);
    }
    checker.require(
        probes.livenessPath !== probes.readinessPath,
        "probes.livenessPath and probes.readinessPath must differ: liveness checks the process, readiness its dependencies",
    );
}

/** The arguments a configuration layer usually exposes per service (see `webServiceTuningProblems`). */
export type WebServiceTuning = Pick<WebServiceArgs, "replicas" | "service" | "ingress" | "autoscaling" | "rolloutTimeoutSeconds" | "probes">;

/**
 * What WebService refuses among its tunable arguments, each problem naming its argument path
 * ("service.nodePort", "autoscaling.minReplicas"). A configuration layer runs these, the
 * component's own rules, and maps the paths to its keys, so a rule changes in one place.
 * (Resources have their own: `resourceProblems`.)
 */
export function webServiceTuningProblems(args: WebServiceTuning): ArgumentProblem[] {
    const startup = args.probes?.startupTimeoutSeconds;
    return defined([
        args.replicas === undefined ? undefined : wholeNumberProblem("replicas", args.replicas, 1),
        args.replicas !== undefined && args.autoscaling
            ? {
                  field: "replicas",
                  value: args.replicas,
                  message: "is set together with autoscaling: the HPA owns the replica count, so remove replicas (use autoscaling.minReplicas)",
              }
            : undefined,
        ...serviceExposureProblems(args.service ?? {}),
        ...(args.ingress ? ingressRouteProblems(args.ingress) : []),
        ...(args.autoscaling ? autoscalingProblems(args.autoscaling) : []),
        // 30: the start-up allowance alone may take that long; over an hour is a typo.
        args.rolloutTimeoutSeconds === undefined ? undefined : wholeNumberProblem("rolloutTimeoutSeconds", args.rolloutTimeoutSeconds, 30, 3600, "seconds"),
        // 2: one probe period (the allowance is period × failureThreshold).
        startup === undefined ? undefined : wholeNumberProblem("probes.startupTimeoutSeconds", startup, 2, 3600, "seconds"),
    ]);
}

function serviceExposureProblems(service: ServiceExposure): ArgumentProblem[] {
    const type = service.type ?? "ClusterIP";
    if (service.nodePort === undefined) {
        return defined([choiceProblem("service.type", type, SERVICE_TYPES)]);
    }
    return defined([
        choiceProblem("service.type", type, SERVICE_TYPES),
        type === "NodePort"
            ? undefined
            : { field: "service.nodePort", value: service.nodePort, message: `is only allowed when service.type is "NodePort" (it is "${type}")` },
        Number.isInteger(service.nodePort) && service.nodePort >= NODE_PORT_RANGE.min && service.nodePort <= NODE_PORT_RANGE.max
            ? undefined
            : { field: "service.nodePort", value: service.nodePort, message: `must be in the node-port range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` },
    ]);
}

function ingressRouteProblems(ingress: IngressRoute): ArgumentProblem[] {
    const path = ingress.path ?? "/";
    const missingHost = ingress.tlsSecretName ? "is required because ingress.tlsSecretName is set: TLS needs a host name" : "is required: a DNS host name";
    return defined([
        typeof ingress.host === "string"
            ? fieldProblem("ingress.host", ingress.host, ingressHostProblem)
            : { field: "ingress.host", value: ingress.host, message: missingHost },
        fieldProblem("ingress.className", ingress.className, dnsSubdomainProblem),
        fieldProblem("ingress.tlsSecretName", ingress.tlsSecretName, dnsSubdomainProblem),
        fieldProblem("ingress.path", path, ingressPathProblem),
        ...(ingress.certificateIssuer === undefined ? [] : certificateIssuerProblems(ingress)),
        ...(ingress.controller === undefined ? [] : podSelectionProblems("ingress.controller", ingress.controller)),
    ]);
}

/** What the API server would refuse in a NetworkPolicy peer, and an empty selector, which would admit every pod of the namespace. */
export function podSelectionProblems(field: string, selection: PodSelection): (ArgumentProblem | undefined)[] {
    const labels = Object.entries(selection.podLabels ?? {});
    return [
        fieldProblem(`${field}.namespace`, selection.namespace, dnsLabelProblem),
        labels.length === 0
            ? {
                  field: `${field}.podLabels`,
                  value: selection.podLabels,
                  message: "must name at least one label: an empty selector admits every pod of the namespace",
              }
            : undefined,
        ...labelProblems(`${field}.podLabels`, selection.podLabels ?? {}),
    ];
}

/** Each key and value of `labels` as the API server checks them. */
export function labelProblems(field: string, labels: Record<string, string>): (ArgumentProblem | undefined)[] {
    return Object.entries(labels).flatMap(([key, value]) => [
        fieldProblem(`${field} key`, key, labelKeyProblem),
        fieldProblem(`${field}["${key}"]`, value, labelValueProblem),
    ]);
}

function certificateIssuerProblems(ingress: IngressRoute): (ArgumentProblem | undefined)[] {
    const issuer = ingress.certificateIssuer ?? { name: "" };
    return [
        ingress.tlsSecretName === undefined
            ? {
                  field: "ingress.certificateIssuer",
                  value: issuer.name,
                  message: "is only allowed with ingress.tlsSecretName set: the Secret cert-manager writes the certificate into",
              }
            : undefined,
        fieldProblem("ingress.certificateIssuer.name", issuer.name, dnsSubdomainProblem),
        issuer.kind === undefined ? undefined : choiceProblem("ingress.certificateIssuer.kind", issuer.kind, CERTIFICATE_ISSUER_KINDS),
    ];
}

function autoscalingProblems(hpa: Autoscaling): ArgumentProblem[] {
    const percent = (field: string, value: number | undefined): ArgumentProblem | undefined =>
        value === undefined || wholeNumberProblem(field, value, 1, 100) === undefined
            ? undefined
            : { field, value, message: "must be a whole percentage 1-100" };
    const window = hpa.scaleDownStabilizationSeconds;
    return defined([
        wholeNumberProblem("autoscaling.minReplicas", hpa.minReplicas, 1),
        wholeNumberProblem("autoscaling.maxReplicas", hpa.maxReplicas, 1),
        hpa.minReplicas > hpa.maxReplicas
            ? { field: "autoscaling.minReplicas", value: hpa.minReplicas, message: `must be ≤ autoscaling.maxReplicas (${hpa.maxReplicas})` }
            : undefined,
        percent("autoscaling.cpuUtilization", hpa.cpuUtilization),
        percent("autoscaling.memoryUtilization", hpa.memoryUtilization),
        // Kubernetes' own bound for a stabilization window.
        window === undefined ? undefined : wholeNumberProblem("autoscaling.scaleDownStabilizationSeconds", window, 0, 3600, "seconds"),
    ]);
}

function defined(problems: Array<ArgumentProblem | undefined>): ArgumentProblem[] {
    return problems.filter((p): p is ArgumentProblem => p !== undefined);
}
