import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CheckExemption, withExemptions } from "./checkExemptions";
import { Connection, PublicAccess, connect, openToOutside } from "./connection";
import { contentHash } from "./contentHash";
import { InvalidArgumentError } from "./errors";
import { HttpWorkload, loadBalancerAddress } from "./httpWorkload";
import { publicSources, routeIngress, routeUrl } from "./ingress";
import { selectorLabels, workloadLabels } from "./labels";
import { NetworkPeer, PeerSource, clusterHost } from "./networkPeer";
import { WEB_EPHEMERAL_DEFAULTS, toResourceRequirements } from "./resources";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./security";
import { WebServiceArgs } from "./webServiceArgs";
import { WebServiceSettings, resolveWebServiceArgs } from "./webServiceSettings";
import { componentInputs } from "./componentInputs";

const HTTP_PORT_NAME = "http";

/**
 * A stateless HTTP service (a FastAPI app, say): a Deployment that rolls without dropping requests,
 * with separate startup, liveness and readiness probes, a restricted security context, settings in a
 * content-hashed ConfigMap, Secrets as files, a Service whose ports come from the container's, and
 * optionally an Ingress, an HPA and a PodDisruptionBudget.
 */
export class WebService extends pulumi.ComponentResource implements HttpWorkload {
    /** The Deployment. */
    public readonly deployment: k8s.apps.v1.Deployment;
    /** The Service in front of the pods. */
    public readonly service: k8s.core.v1.Service;
    /** The ConfigMap holding `env`; its name changes whenever its content does. */
    public readonly configMap: k8s.core.v1.ConfigMap;
    /** The HPA, when autoscaling is set. */
    public readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
    /** The PDB, when more than one replica can run. */
    public readonly disruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
    /** The Ingress, when one is set. */
    public readonly ingress?: k8s.networking.v1.Ingress;
    /** The in-cluster URL of the service, e.g. http://backend.ns.svc:8000. */
    public readonly url: pulumi.Output<string>;
    /** The address the cluster gave the Service when its type is LoadBalancer; null otherwise. */
    public readonly loadBalancerAddress: pulumi.Output<string | null>;
    /** The public URL when there is an Ingress, else undefined. */
    public readonly publicUrl?: string;
    /** How NetworkPolicies find this workload. */
    public readonly peer: NetworkPeer;
    private readonly exposure: Pick<WebServiceSettings, "service" | "ingress">;

    constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveWebServiceArgs(name, args);
        super("fastapi-k8s:index:WebService", name, componentInputs(args), opts);

        const labels = workloadLabels(name, { component: args.component, version: args.version });
        const metadata = { namespace: args.namespace, labels, annotations: args.annotations };
        this.peer = {
            name,
            namespace: args.namespace,
            podLabels: selectorLabels(name),
            ports: [{ name: HTTP_PORT_NAME, port: settings.port }],
        };

        this.exposure = { service: settings.service, ingress: settings.ingress };
        this.configMap = this.createConfigMap(name, settings, metadata);
        this.deployment = this.createDeployment(name, args, settings, { ...args.podLabels, ...labels });
        this.service = this.createService(name, settings, {
            ...metadata,
            annotations: withExemptions(args.annotations, serviceExemptions(settings)),
        });
        if (settings.ingress) {
            this.ingress = routeIngress(`${name}-ingress`, { ...metadata, name }, settings.ingress, this.service.metadata.name, HTTP_PORT_NAME, this);
            this.publicUrl = routeUrl(settings.ingress);
        }
        if (settings.autoscaling) {
            this.autoscaler = this.createAutoscaler(name, settings.autoscaling, metadata);
        }
        const fewestReplicas = settings.autoscaling?.minReplicas ?? settings.replicas;
        if (fewestReplicas > 1) {
            this.disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                {
                    metadata: { ...metadata, name },
                    spec: {
                        maxUnavailable: 1,
                        selector: { matchLabels: selectorLabels(name) },
                        // A pod that is not Ready serves nothing: evicting it loses nothing, and a
                        // crash-looping pod of a bad release must not block a node's drain.
                        unhealthyPodEvictionPolicy: "AlwaysAllow",
                    },
                },
                { parent: this },
            );
        }
        for (const call of args.calls ?? []) {
            this.allowTo(call.service, call.portNames);
        }
        this.url = pulumi.interpolate`http://${clusterHost(name, args.namespace)}:${settings.port}`;
        this.loadBalancerAddress = loadBalancerAddress(this.service);
        this.registerOutputs({ url: this.url, publicUrl: this.publicUrl });
    }

    /** Lets this service call `target` on its ports (all, or those named): egress here, ingress there. */
    allowTo(target: PeerSource, portNames?: string[]): Connection {
        return connect(this, target, this, portNames);
    }

    /** Lets anything (an ingress controller, a node port) reach this service's ports. */
    allowFromAnywhere(): PublicAccess {
        return openToOutside(this, this);
    }

    /** Admits what its exposure brings: anyone behind a NodePort or LoadBalancer, else only its Ingress's controller. */
    allowPublicTraffic(): PublicAccess {
        return openToOutside(this, this, publicSources(this.peer.name, this.exposure.service, this.exposure.ingress));
    }

    private createConfigMap(name: string, settings: WebServiceSettings, metadata: object): k8s.core.v1.ConfigMap {
        const data = refuseSecrets(name, pulumi.output(settings.env));
        // New content is a new name, so a replacement: Pulumi creates the new ConfigMap before it
        // deletes the old one, and the Deployment's changed reference rolls the pods onto it.
        return new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { ...metadata, name: data.apply((d) => `${name}-config-${contentHash(d)}`) },
                data,
                immutable: true,
            },
            { parent: this },
        );
    }

    private createDeployment(name: string, args: WebServiceArgs, settings: WebServiceSettings, labels: Record<string, string>): k8s.apps.v1.Deployment {
        const writable = settings.writableDirs.map((dir, i) => ({ name: `writable-${i}`, dir }));
        const secrets = settings.secretFiles.map((mount, i) => ({ name: `secret-${i}`, mount }));
        const httpGet = (path: string) => ({ path, port: HTTP_PORT_NAME });
        return new k8s.apps.v1.Deployment(
            name,
            {
                metadata: {
                    name,
                    namespace: args.namespace,
                    labels,
                    annotations: withExemptions(args.annotations, [...deploymentExemptions(settings), ...(args.exemptions ?? [])]),
                },
                spec: {
                    // With an HPA the autoscaler owns the replica count; setting it here would fight it.
                    replicas: settings.autoscaling ? undefined : settings.replicas,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selectorLabels(name) },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: { labels, annotations: args.annotations },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPodSecurity(settings.uid),
                            terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
                            // Replicas prefer different nodes, so one node's loss takes at most one.
                            affinity: {
                                podAntiAffinity: {
                                    preferredDuringSchedulingIgnoredDuringExecution: [
                                        {
                                            weight: 100,
                                            podAffinityTerm: {
                                                topologyKey: "kubernetes.io/hostname",
                                                labelSelector: { matchLabels: selectorLabels(name) },
                                            },
                                        },
                                    ],
                                },
                            },
                            topologySpreadConstraints: [
                                {
                                    maxSkew: 1,
                                    topologyKey: "kubernetes.io/hostname",
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    labelSelector: { matchLabels: selectorLabels(name) },
                                },
                            ],
                            containers: [
                                {
                                    name: "app",
                                    image: args.image,
                                    imagePullPolicy: settings.imagePullPolicy,
                                    ports: [{ name: HTTP_PORT_NAME, containerPort: settings.port, protocol: "TCP" }],
                                    envFrom: [{ configMapRef: { name: this.configMap.metadata.name } }],
                                    // The server's drain follows the grace period's: uvicorn reads its
                                    // options from UVICORN_* variables.
                                    env: [{ name: DRAIN_ENV, value: String(settings.shutdown.drainSeconds) }],
                                    resources: toResourceRequirements(settings.resources, WEB_EPHEMERAL_DEFAULTS),
                                    securityContext: restrictedContainerSecurity(settings.uid),
                                    startupProbe: {
                                        httpGet: httpGet(settings.probes.startupPath),
                                        periodSeconds: 2,
                                        timeoutSeconds: 2,
                                        failureThreshold: Math.ceil(settings.probes.startupTimeoutSeconds / 2),
                                    },
                                    livenessProbe: {
                                        httpGet: httpGet(settings.probes.livenessPath),
                                        periodSeconds: 10,
                                        timeoutSeconds: 2,
                                        failureThreshold: 3,
                                    },
                                    readinessProbe: {
                                        httpGet: httpGet(settings.probes.readinessPath),
                                        periodSeconds: 5,
                                        timeoutSeconds: 2,
                                        failureThreshold: 2,
                                    },
                                    // Keep serving while the endpoint removal reaches every proxy.
                                    lifecycle: { preStop: { sleep: { seconds: settings.shutdown.preStopSleepSeconds } } },
                                    volumeMounts: [
                                        ...writable.map((w) => ({ name: w.name, mountPath: w.dir })),
                                        ...secrets.map((s) => ({ name: s.name, mountPath: s.mount.mountPath, readOnly: true })),
                                    ],
                                },
                            ],
                            volumes: [
                                ...writable.map((w) => ({ name: w.name, emptyDir: { sizeLimit: "64Mi" } })),
                                ...secrets.map((s) => ({
                                    name: s.name,
                                    secret: { secretName: s.mount.secretName, defaultMode: 0o440 },
                                })),
                            ],
                        },
                    },
                },
            },
            {
                parent: this,
                // The provider waits for the rollout; this bounds the wait so a bad release fails fast.
                customTimeouts: { create: `${settings.rolloutTimeoutSeconds}s`, update: `${settings.rolloutTimeoutSeconds}s` },
            },
        );
    }

    private createService(name: string, settings: WebServiceSettings, metadata: object): k8s.core.v1.Service {
        // The Service's ports are derived from the container's, so they cannot disagree.
        const containerPorts = this.peer.ports;
        return new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { ...metadata, name },
                spec: {
                    type: settings.service.type,
                    selector: selectorLabels(name),
                    ports: containerPorts.map((p) => ({
                        name: p.name,
                        port: p.port,
                        targetPort: p.name,
                        protocol: "TCP",
                        nodePort: settings.service.nodePort,
                    })),
                },
            },
            { parent: this },
        );
    }

    private createAutoscaler(name: string, hpa: NonNullable<WebServiceSettings["autoscaling"]>, metadata: object): k8s.autoscaling.v2.HorizontalPodAutoscaler {
        const utilization = (resource: string, percent: number) => ({
            type: "Resource",
            resource: { name: resource, target: { type: "Utilization", averageUtilization: percent } },
        });
        return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-hpa`,
            {
                metadata: { ...metadata, name },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
                    minReplicas: hpa.minReplicas,
                    maxReplicas: hpa.maxReplicas,
                    metrics: [utilization("cpu", hpa.cpuUtilization), ...(hpa.memoryUtilization ? [utilization("memory", hpa.memoryUtilization)] : [])],
                    behavior: {
                        scaleDown: { stabilizationWindowSeconds: hpa.scaleDownStabilizationSeconds },
                    },
                },
            },
            { parent: this },
        );
    }
}

/** Exemptions that follow from the arguments themselves. */
function deploymentExemptions(settings: WebServiceSettings): CheckExemption[] {
    return settings.replicas === 1 && !settings.autoscaling
        ? [{ check: "kube-score:deployment-replicas", reason: "a single replica was asked for (replicas: 1)" }]
        : [];
}

function serviceExemptions(settings: WebServiceSettings): CheckExemption[] {
    return settings.service.type === "NodePort" ? [{ check: "kube-score:service-type", reason: "a node port was asked for (service.type: NodePort)" }] : [];
}

/** How long the server drains in-flight requests after SIGTERM (uvicorn's --timeout-graceful-shutdown). */
export const DRAIN_ENV = "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN";

/**
 * `env` as ConfigMap data, unless any value is a secret: a ConfigMap holds it in clear for anyone
 * who may read ConfigMaps. Whether an Output is secret is only known once it resolves, so this
 * check fails the ConfigMap (and the Deployment that needs its name) instead of the constructor;
 * a secret never reaches the cluster either way.
 */
function refuseSecrets(name: string, env: pulumi.Output<Record<string, string>>): pulumi.Output<Record<string, string>> {
    return pulumi.output(pulumi.isSecret(env)).apply((secret) => {
        if (secret) {
            throw new InvalidArgumentError(`WebService "${name}"`, [
                "env holds a secret value, which a ConfigMap would store in clear: put it in a Secret and mount it with secretFiles",
            ]);
        }
        return env;
    });
}
