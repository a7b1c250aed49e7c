/**
 * fastapi-k8s: Pulumi components for running FastAPI services on Kubernetes.
 *
 * Each component is a `pulumi.ComponentResource` with the type token `fastapi-k8s:index:<Class>`.
 * Image building (`AppImage`) lives at the subpath `fastapi-k8s/image`, so that projects which
 * deploy prebuilt images need no Docker provider: nothing here loads @pulumi/docker.
 */
export { BlueGreenService, BlueGreenServiceArgs, ColorRelease } from "./blueGreenService";
export { BuildEnvironment, noProxyProblem, pemCertificatesProblem, proxyUrlProblem } from "./buildEnvironment";
export { CheckExemption } from "./checkExemptions";
export {
    CERTIFICATE_ISSUER_KINDS,
    COLORS,
    CertificateIssuerKind,
    Color,
    NODE_PORT_RANGE,
    PULL_POLICIES,
    PullPolicy,
    SERVICE_TYPES,
    ServiceType,
} from "./choices";
export { Connection, ConnectionArgs, PublicAccess, PublicAccessArgs } from "./connection";
export { LOCAL_INGRESS_CONTROLLER } from "./ingress";
export { NOT_SHOWN, carriesCredentials } from "./credentials";
export { ArgumentProblem, InvalidArgumentError, describeProblem } from "./errors";
export { HttpWorkload, loadBalancerAddress } from "./httpWorkload";
export {
    RESERVED_NAMESPACES,
    dnsLabelProblem,
    dnsSubdomainProblem,
    envVarNameProblem,
    imageReferenceProblem,
    ingressHostProblem,
    isPinnedByDigest,
    labelKeyProblem,
    labelValueProblem,
    namespaceProblem,
    serviceNameProblem,
} from "./kubernetesNames";
export { selectorLabels, workloadLabels } from "./labels";
export { DnsServerSelector, Namespace, NamespaceArgs, NamespaceLimitDefaults, NamespaceQuota } from "./namespace";
export { NetworkPeer, PodSelection, ServedPort } from "./networkPeer";
export {
    PostgresBackup,
    PostgresBackupArgs,
    cronScheduleProblem,
    postgresBackupProblems,
    postgresBackupResourceProblems,
    resolveBackupSettings,
    timeZoneProblem,
} from "./postgresBackup";
export { BACKUP_DIR, BACKUP_SCRIPTS, PASSWORD_CHECK_SCRIPT } from "./postgresScripts";
export { PASSWORD_SYNC_RESOURCES, PostgresDatabase, PostgresDatabaseArgs, databaseSecretName } from "./postgresDatabase";
export { registryHostOf, registryMismatchProblem, registryServerHost } from "./registryHost";
export { QUANTITY_HELP, isQuantity, parseQuantity, wholeBytesProblem } from "./quantity";
export { ComputeAmount, ComputeResources, resourceProblems } from "./resources";
export { INBOUND_KEYS_ENV, KEY_PATHS, ServiceCall } from "./serviceCalls";
export { SERVICE_KEY_FILES, ServiceKey, ServiceKeyArgs, serviceKeySecretName } from "./serviceKey";
export { WebService } from "./webService";
export { WebServiceTuning, webServiceTuningProblems } from "./webServiceSettings";
export { Autoscaling, CertificateIssuer, GracefulShutdown, IngressRoute, ProbePaths, SecretFileMount, ServiceExposure, WebServiceArgs } from "./webServiceArgs";
