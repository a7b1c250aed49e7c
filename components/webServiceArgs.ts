import * as pulumi from "@pulumi/pulumi";
import { CheckExemption } from "./checkExemptions";
import { CertificateIssuerKind, PullPolicy, ServiceType } from "./choices";
import type { PodSelection } from "./networkPeer";
import { ComputeResources } from "./resources";
import type { ServiceCall } from "./serviceCalls";
import type { ServiceKey } from "./serviceKey";

/** A Secret mounted into the container as read-only files (never as environment variables). */
export interface SecretFileMount {
    /** The name of the Secret. */
    secretName: pulumi.Input<string>;
    /** An absolute directory; each key of the Secret becomes a file in it. */
    mountPath: string;
}

/** The HTTP paths of the three probes. */
export interface ProbePaths {
    /** Answers 200 once start-up work is done; gates the other two. Default "/startupz". */
    startupPath?: string;
    /** Answers 200 while the process is alive; never checks dependencies. Default "/livez". */
    livenessPath?: string;
    /** Answers 200 when the pod can serve (dependencies reachable), 503 on shutdown. Default "/readyz". */
    readinessPath?: string;
    /** How long start-up may take before the container is restarted. Default 60. */
    startupTimeoutSeconds?: number;
}

/** How the Service is exposed. */
export interface ServiceExposure {
    /** "ClusterIP" (default), "NodePort" or "LoadBalancer" (SERVICE_TYPES). */
    type?: ServiceType;
    /** A fixed node port (30000-32767) for type NodePort. Default: the cluster picks one. */
    nodePort?: number;
}

/** An Ingress in front of the Service. */
export interface IngressRoute {
    /** The host name to route, e.g. "app.example.com". */
    host: string;
    /** The path prefix. Default "/". */
    path?: string;
    /** The IngressClass. Default: the cluster's default class. */
    className?: string;
    /** A Secret of type kubernetes.io/tls for the host; TLS is off when unset. */
    tlsSecretName?: string;
    /**
     * A cert-manager issuer that writes the host's certificate into `tlsSecretName` (cert-manager's
     * ingress-shim acts on the annotation this sets). Default: none; the Secret comes some other
     * way, e.g. `npm run cluster -- certificate` from the local cluster's CA.
     */
    certificateIssuer?: CertificateIssuer;
    /**
     * Where the ingress controller that serves this Ingress runs: `allowPublicTraffic()` admits its
     * pods, and nothing else, to the service's port. Default: the local cluster's Traefik
     * (LOCAL_INGRESS_CONTROLLER: namespace kube-system, app.kubernetes.io/name=traefik).
     */
    controller?: PodSelection;
}

/** A cert-manager Issuer or ClusterIssuer. */
export interface CertificateIssuer {
    /** The issuer's name. */
    name: string;
    /** "ClusterIssuer" (default) or "Issuer" (one in the Ingress's namespace); CERTIFICATE_ISSUER_KINDS. */
    kind?: CertificateIssuerKind;
}

/** A HorizontalPodAutoscaler. When set, the Deployment leaves `replicas` to it. */
export interface Autoscaling {
    /** The fewest replicas. */
    minReplicas: number;
    /** The most replicas. */
    maxReplicas: number;
    /** Target average CPU use, in percent of requests. Default 70. */
    cpuUtilization?: number;
    /** Target average memory use, in percent of requests. Default: memory is not a target. */
    memoryUtilization?: number;
    /** How long load must stay low before scaling down, in seconds. Default 300. */
    scaleDownStabilizationSeconds?: number;
}

/** How a pod leaves without dropping requests. */
export interface GracefulShutdown {
    /** Seconds the pod keeps serving after it is marked terminating, so endpoint removal wins the race. Default 5. */
    preStopSleepSeconds?: number;
    /**
     * Seconds the server may take to finish in-flight requests after SIGTERM. Default 20. Passed to
     * the container as UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN, and the grace period is derived from it.
     */
    drainSeconds?: number;
}

/** Arguments of a WebService. */
export interface WebServiceArgs {
    /** The namespace to run in. */
    namespace: pulumi.Input<string>;
    /** The image reference to run; prefer an immutable one (a digest or a content-derived tag). */
    image: pulumi.Input<string>;
    /** "IfNotPresent" (default), "Always" or "Never" (PULL_POLICIES). */
    imagePullPolicy?: PullPolicy;
    /** The container port the server listens on. Default 8000. */
    port?: number;
    /** Replicas when there is no autoscaling. Default 1. */
    replicas?: number;
    /** Requests and limits. Default: requests 100m/128Mi, limits 500m/256Mi. */
    resources?: ComputeResources;
    /** Settings, delivered through a content-hashed ConfigMap as environment variables. */
    env?: Record<string, pulumi.Input<string>>;
    /** Secrets mounted as files. */
    secretFiles?: SecretFileMount[];
    /**
     * Services this one calls: each gets its URL (and key file) as settings, its key mounted, and
     * the NetworkPolicies that allow the calls (a Connection). Default: none.
     */
    calls?: ServiceCall[];
    /**
     * Keys of the callers this service accepts (ServiceKeys whose callee is this service), each
     * mounted under /etc/fastapi-k8s/inbound-keys/<caller>, named by API_KEYS_DIR. Default: none.
     */
    acceptKeys?: ServiceKey[];
    /** Probe paths and start-up allowance. */
    probes?: ProbePaths;
    /** Service exposure. Default ClusterIP. */
    service?: ServiceExposure;
    /** An optional Ingress. */
    ingress?: IngressRoute;
    /** An optional HorizontalPodAutoscaler. */
    autoscaling?: Autoscaling;
    /** Graceful shutdown timing. */
    shutdown?: GracefulShutdown;
    /**
     * How long `pulumi up` waits for a rollout to become ready before it fails the update (and a
     * promotion rolls back). Default 600 (the Kubernetes provider's own default).
     */
    rolloutTimeoutSeconds?: number;
    /** The application version, shown as the app.kubernetes.io/version label. */
    version?: string;
    /** The role in the architecture (e.g. "frontend"), shown as app.kubernetes.io/component. */
    component?: string;
    /** The user and group the container runs as (≥ 10000). Default 10001. */
    uid?: number;
    /** Directories that must stay writable under the read-only root; each gets an emptyDir. Default ["/tmp"]. */
    writableDirs?: string[];
    /** Extra labels for the pods (not part of the selector), e.g. to group several services. */
    podLabels?: Record<string, string>;
    /** Annotations for every object of the service. */
    annotations?: Record<string, string>;
    /**
     * Checker exemptions for the Deployment, each with its reason (e.g. no registry digest for a
     * locally built image). Exemptions that follow from the arguments (a single replica, a node
     * port) are added by the component itself.
     */
    exemptions?: CheckExemption[];
}
