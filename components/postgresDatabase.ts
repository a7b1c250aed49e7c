import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CheckExemption, exemptionProblems, withExemptions } from "./checkExemptions";
import { PULL_POLICIES, PullPolicy, choiceProblem, wholeNumberProblem } from "./choices";
import { Connection, connect } from "./connection";
import { ArgumentChecker } from "./errors";
import { dnsSubdomainProblem, fieldProblem, imageReferenceProblem, serviceNameProblem } from "./kubernetesNames";
import { selectorLabels, workloadLabels } from "./labels";
import { NetworkPeer, PeerSource, clusterHost } from "./networkPeer";
import { PASSWORD_SYNC_HEARTBEAT, PASSWORD_SYNC_SCRIPT } from "./postgresScripts";
import {
    PostgresBackup,
    PostgresBackupArgs,
    PostgresBackupSettings,
    postgresBackupProblems,
    postgresBackupResourceProblems,
    resolveBackupSettings,
} from "./postgresBackup";
import { QUANTITY_HELP, isQuantity, parseQuantity, wholeBytesProblem } from "./quantity";
import { ComputeResources, EphemeralDefaults, POSTGRES_EPHEMERAL_DEFAULTS, resourceProblems, toResourceRequirements } from "./resources";
import { DEFAULT_UID, restrictedContainerSecurity, restrictedPodSecurity } from "./security";
import { secretData } from "./secretData";

/** Arguments of a PostgresDatabase. */
export interface PostgresDatabaseArgs {
    /** The namespace to run in. */
    namespace: pulumi.Input<string>;
    /** The Postgres image (official image layout). Pin a digest outside development. Default "postgres:17.6-bookworm". */
    image?: pulumi.Input<string>;
    /** "IfNotPresent" (default), "Always" or "Never" (PULL_POLICIES). */
    imagePullPolicy?: PullPolicy;
    /** The database to create. Default "app". */
    database?: string;
    /** The owner role to create. Default "app". */
    username?: string;
    /** Size of the data volume. Default "1Gi". */
    storageSize?: string;
    /** StorageClass of the data volume. Default: the cluster's default class. */
    storageClassName?: string;
    /** Requests and limits. Default: requests 250m/256Mi, limits 1/512Mi. */
    resources?: ComputeResources;
    /** Seconds Postgres gets to shut down (fast shutdown plus checkpoint). Default 120. */
    shutdownGracePeriodSeconds?: number;
    /** Refuse to delete the data-bearing resources (StatefulSet, Secret). Default false. */
    protect?: boolean;
    /** Leave the data-bearing resources (StatefulSet, Secret) in the cluster when they are removed from the program. Default false. */
    retainOnDelete?: boolean;
    /**
     * Bump by one to rotate the password: a new one is generated into the Secret, the server's
     * password sync sets it in the database once the file reaches the pod, and clients that read
     * the mounted file pick it up for their next connection. The old one stops working. Default 1.
     */
    passwordGeneration?: number;
    /** The user and group Postgres runs as (≥ 10000). Default 10001. */
    uid?: number;
    /** Annotations for every object of the database. */
    annotations?: Record<string, string>;
    /** Checker exemptions for the StatefulSet, each with its reason. */
    exemptions?: CheckExemption[];
    /**
     * Scheduled `pg_dump` backups to a volume of their own (a CronJob from the same image), verified
     * and rotated; `npm run db` lists and restores them. Default: none.
     */
    backup?: PostgresBackupArgs;
}

const PORT = 5432;
const DATA_MOUNT = "/var/lib/postgresql/data";
// A subdirectory, because a fresh volume's root holds lost+found and initdb wants an empty directory.
const PGDATA = `${DATA_MOUNT}/pgdata`;
const SECRET_MOUNT = "/etc/postgres-credentials";

const DEFAULT_RESOURCES: ComputeResources = {
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: "1", memory: "512Mi" },
};

/** The password sync beside the server: a shell loop that wakes every 5 s. Counted in quota checks. */
export const PASSWORD_SYNC_RESOURCES: ComputeResources = {
    requests: { cpu: "10m", memory: "16Mi" },
    limits: { cpu: "100m", memory: "64Mi" },
};
const PASSWORD_SYNC_EPHEMERAL: EphemeralDefaults = { request: "16Mi", limit: "64Mi" };

/**
 * PostgreSQL as a single-instance StatefulSet: a generated password in a Secret (with a ready
 * DATABASE_URL), data on a PersistentVolumeClaim that outlives the pods, `pg_isready` probes, fast
 * shutdown with room for the checkpoint, and a PDB. Clients are admitted with `allowFrom`.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** The in-cluster host name clients connect to. */
    public readonly host: pulumi.Output<string>;
    /** The port, 5432. */
    public readonly port: number = PORT;
    /** The database name. */
    public readonly database: string;
    /** The owner role. */
    public readonly username: string;
    /** The Secret with keys username, password, database, host, port and DATABASE_URL. */
    public readonly secretName: pulumi.Output<string>;
    /** The generated password (secret; never exported in clear). */
    public readonly password: pulumi.Output<string>;
    /** A ready connection URL (secret). */
    public readonly databaseUrl: pulumi.Output<string>;
    /** The StatefulSet. */
    public readonly statefulSet: k8s.apps.v1.StatefulSet;
    /** How NetworkPolicies find this workload. */
    public readonly peer: NetworkPeer;
    /** The scheduled backups; undefined without the `backup` argument. */
    public readonly backup?: PostgresBackup;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolvePostgresArgs(name, args);
        super("fastapi-k8s:index:PostgresDatabase", name, args, opts);
        this.database = settings.database;
        this.username = settings.username;

        const labels = workloadLabels(name, { component: "database" });
        const metadata = { namespace: args.namespace, labels, annotations: args.annotations };
        const stateful = { parent: this, protect: settings.protect, retainOnDelete: settings.retainOnDelete };
        this.peer = { name, namespace: args.namespace, podLabels: selectorLabels(name), ports: [{ name: "postgres", port: PORT }] };
        this.host = clusterHost(name, args.namespace);

        // Generation 1 has no keeper, so stacks from before rotation existed keep their password.
        const keepers = settings.passwordGeneration > 1 ? { generation: String(settings.passwordGeneration) } : undefined;
        // Not protected: a rotation replaces it (its value lives on in the Secret, which is protected).
        const generated = new random.RandomPassword(`${name}-password`, { length: 32, special: false, keepers }, { parent: this });
        // Marked secret here: a provider's own secret marking does not survive every path (mocks, state).
        this.password = pulumi.secret(generated.result);
        this.databaseUrl = pulumi.secret(
            pulumi.interpolate`postgresql://${settings.username}:${this.password.apply(encodeURIComponent)}@${this.host}:${PORT}/${settings.database}`,
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { ...metadata, name: databaseSecretName(name) },
                type: "Opaque",
                data: secretData({
                    username: settings.username,
                    password: this.password,
                    database: settings.database,
                    host: this.host,
                    port: String(PORT),
                    DATABASE_URL: this.databaseUrl,
                }),
            },
            stateful,
        );
        this.secretName = secret.metadata.name;

        const headless = new k8s.core.v1.Service(
            `${name}-headless`,
            {
                metadata: { ...metadata, name: `${name}-headless` },
                spec: {
                    clusterIP: "None",
                    publishNotReadyAddresses: true,
                    selector: selectorLabels(name),
                    ports: [{ name: "postgres", port: PORT, targetPort: "postgres" }],
                },
            },
            { parent: this },
        );
        this.statefulSet = this.createStatefulSet(name, args, settings, labels, headless, stateful);
        new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { ...metadata, name },
                spec: {
                    type: "ClusterIP",
                    selector: selectorLabels(name),
                    ports: [{ name: "postgres", port: PORT, targetPort: "postgres", protocol: "TCP" }],
                },
            },
            { parent: this },
        );
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { ...metadata, name },
                spec: {
                    // One instance cannot stay up through a drain; the budget bounds voluntary disruption to it.
                    maxUnavailable: 1,
                    selector: { matchLabels: selectorLabels(name) },
                    // A Postgres that is not Ready may be replaying its WAL after a crash: it is
                    // evicted only as the budget allows, never because it is unhealthy.
                    unhealthyPodEvictionPolicy: "IfHealthyBudget",
                },
            },
            { parent: this },
        );
        if (settings.backup) {
            this.backup = this.createBackup(name, args, settings, settings.backup);
        }
        this.registerOutputs({ host: this.host, secretName: this.secretName, backupCronJob: this.backup?.cronJob.metadata.name });
    }

    /** Admits `client` on 5432 (ingress here, egress on the client). */
    allowFrom(client: PeerSource): Connection {
        return connect(client, this, this);
    }

    private createBackup(name: string, args: PostgresDatabaseArgs, settings: PostgresSettings, backup: PostgresBackupSettings): PostgresBackup {
        const target = {
            name,
            namespace: args.namespace,
            host: this.host,
            port: PORT,
            database: settings.database,
            username: settings.username,
            secretName: this.secretName,
            image: settings.image,
            imagePullPolicy: settings.imagePullPolicy,
            uid: settings.uid,
            annotations: args.annotations,
        };
        const job = new PostgresBackup(`${name}-backup`, target, backup, { parent: this });
        this.allowFrom(job);
        return job;
    }

    private createStatefulSet(
        name: string,
        args: PostgresDatabaseArgs,
        settings: PostgresSettings,
        labels: Record<string, string>,
        headless: k8s.core.v1.Service,
        stateful: pulumi.CustomResourceOptions,
    ): k8s.apps.v1.StatefulSet {
        const isReady = {
            exec: { command: ["pg_isready", "-h", "127.0.0.1", "-p", String(PORT), "-U", settings.username, "-d", settings.database] },
        };
        return new k8s.apps.v1.StatefulSet(
            name,
            {
                metadata: {
                    name,
                    namespace: args.namespace,
                    labels,
                    annotations: withExemptions(args.annotations, args.exemptions ?? []),
                },
                spec: {
                    replicas: 1,
                    serviceName: headless.metadata.name,
                    selector: { matchLabels: selectorLabels(name) },
                    updateStrategy: { type: "RollingUpdate" },
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    template: {
                        metadata: { labels, annotations: args.annotations },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPodSecurity(settings.uid),
                            terminationGracePeriodSeconds: settings.shutdownGracePeriodSeconds,
                            containers: [
                                {
                                    name: "postgres",
                                    image: settings.image,
                                    imagePullPolicy: settings.imagePullPolicy,
                                    ports: [{ name: "postgres", containerPort: PORT, protocol: "TCP" }],
                                    env: [
                                        { name: "POSTGRES_USER", value: settings.username },
                                        { name: "POSTGRES_DB", value: settings.database },
                                        { name: "POSTGRES_PASSWORD_FILE", value: `${SECRET_MOUNT}/password` },
                                        { name: "PGDATA", value: PGDATA },
                                    ],
                                    resources: toResourceRequirements(settings.resources, POSTGRES_EPHEMERAL_DEFAULTS),
                                    securityContext: restrictedContainerSecurity(settings.uid),
                                    startupProbe: { ...isReady, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
                                    // Liveness asks only whether the server accepts connections; readiness
                                    // asks whether it accepts sessions for the database.
                                    livenessProbe: { tcpSocket: { port: "postgres" }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 },
                                    readinessProbe: { ...isReady, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
                                    lifecycle: {
                                        // Fast shutdown: abort sessions, checkpoint, exit; the default smart
                                        // shutdown would wait for every client to disconnect.
                                        preStop: {
                                            exec: {
                                                command: [
                                                    "pg_ctl",
                                                    "stop",
                                                    "-D",
                                                    PGDATA,
                                                    "-m",
                                                    "fast",
                                                    "-w",
                                                    "-t",
                                                    String(settings.shutdownGracePeriodSeconds - 10),
                                                ],
                                            },
                                        },
                                    },
                                    volumeMounts: [
                                        { name: "data", mountPath: DATA_MOUNT },
                                        { name: "credentials", mountPath: SECRET_MOUNT, readOnly: true },
                                        { name: "run", mountPath: "/var/run/postgresql" },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            // A native sidecar: started before the server and stopped after it, restarted on its own.
                            initContainers: [passwordSyncContainer(settings)],
                            volumes: [
                                { name: "credentials", secret: { secretName: this.secretName, defaultMode: 0o440 } },
                                { name: "run", emptyDir: { sizeLimit: "16Mi" } },
                                { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
                            ],
                        },
                    },
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "data", labels: selectorLabels(name) },
                            spec: {
                                accessModes: ["ReadWriteOnce"],
                                storageClassName: settings.storageClassName,
                                resources: { requests: { storage: settings.storageSize } },
                            },
                        },
                    ],
                },
            },
            stateful,
        );
    }
}

/** The container that keeps the role's password equal to the mounted Secret's (PASSWORD_SYNC_SCRIPT). */
function passwordSyncContainer(settings: PostgresSettings): k8s.types.input.core.v1.Container {
    return {
        name: "password-sync",
        restartPolicy: "Always",
        image: settings.image,
        imagePullPolicy: settings.imagePullPolicy,
        command: ["sh", "-c", PASSWORD_SYNC_SCRIPT],
        env: [
            { name: "POSTGRES_USER", value: settings.username },
            { name: "POSTGRES_DB", value: settings.database },
            { name: "PASSWORD_FILE", value: `${SECRET_MOUNT}/password` },
            { name: "HEARTBEAT_FILE", value: PASSWORD_SYNC_HEARTBEAT },
        ],
        resources: toResourceRequirements(PASSWORD_SYNC_RESOURCES, PASSWORD_SYNC_EPHEMERAL),
        // Alive while the loop keeps passing (every 5 s); it serves no port, so no readiness probe:
        // a sync problem must not take the database out of its Service.
        livenessProbe: {
            exec: { command: ["sh", "-c", `test -n "$(find ${PASSWORD_SYNC_HEARTBEAT} -mmin -1)"`] },
            initialDelaySeconds: 30,
            periodSeconds: 20,
            timeoutSeconds: 5,
            failureThreshold: 3,
        },
        securityContext: restrictedContainerSecurity(settings.uid),
        volumeMounts: [
            { name: "credentials", mountPath: SECRET_MOUNT, readOnly: true },
            { name: "run", mountPath: "/var/run/postgresql" },
            { name: "tmp", mountPath: "/tmp" },
        ],
    };
}

interface PostgresSettings {
    image: pulumi.Input<string>;
    imagePullPolicy: PullPolicy;
    database: string;
    username: string;
    storageSize: string;
    storageClassName?: string;
    resources: ComputeResources;
    shutdownGracePeriodSeconds: number;
    protect: boolean;
    retainOnDelete: boolean;
    uid: number;
    passwordGeneration: number;
    backup?: PostgresBackupSettings;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function resolvePostgresArgs(name: string, args: PostgresDatabaseArgs): PostgresSettings {
    const settings: PostgresSettings = {
        image: args.image ?? "postgres:17.6-bookworm",
        imagePullPolicy: args.imagePullPolicy ?? "IfNotPresent",
        database: args.database ?? "app",
        username: args.username ?? "app",
        storageSize: args.storageSize ?? "1Gi",
        storageClassName: args.storageClassName,
        resources: args.resources ?? DEFAULT_RESOURCES,
        shutdownGracePeriodSeconds: args.shutdownGracePeriodSeconds ?? 120,
        protect: args.protect ?? false,
        retainOnDelete: args.retainOnDelete ?? false,
        uid: args.uid ?? DEFAULT_UID,
        passwordGeneration: args.passwordGeneration ?? 1,
        backup: args.backup && resolveBackupSettings(args.backup),
    };
    const checker = new ArgumentChecker(`PostgresDatabase "${name}"`);
    checker.add(fieldProblem("name", name, (value) => serviceNameProblem(value, 40)));
    checker.add(choiceProblem("imagePullPolicy", settings.imagePullPolicy, PULL_POLICIES));
    checker.require(IDENTIFIER.test(settings.database), `database "${settings.database}" must match ${IDENTIFIER}`);
    checker.require(IDENTIFIER.test(settings.username), `username "${settings.username}" must match ${IDENTIFIER}`);
    checker.require(
        isQuantity(settings.storageSize) && parseQuantity(settings.storageSize) > 0,
        `storageSize = "${settings.storageSize}" is not valid; expected a size greater than zero, ${QUANTITY_HELP}`,
    );
    checker.add(fieldProblem("storageSize", settings.storageSize, wholeBytesProblem));
    checker.add(fieldProblem("storageClassName", settings.storageClassName, dnsSubdomainProblem), fieldProblem("image", settings.image, imageReferenceProblem));
    checker.require(
        Number.isInteger(settings.shutdownGracePeriodSeconds) && settings.shutdownGracePeriodSeconds >= 30,
        `shutdownGracePeriodSeconds = ${settings.shutdownGracePeriodSeconds} must be a whole number ≥ 30 (room for the checkpoint)`,
    );
    checker.require(Number.isInteger(settings.uid) && settings.uid >= 10000, `uid = ${settings.uid} must be ≥ 10000`);
    checker.add(wholeNumberProblem("passwordGeneration", settings.passwordGeneration, 1));
    checker.report(...resourceProblems(settings.resources, "resources", POSTGRES_EPHEMERAL_DEFAULTS));
    checker.report(...exemptionProblems(args.exemptions ?? []));
    if (args.backup) {
        checker.add(...postgresBackupProblems(args.backup));
        checker.report(...postgresBackupResourceProblems(args.backup));
    }
    checker.throwIfAny();
    return settings;
}

/** The name of the Secret with a PostgresDatabase's credentials. */
export function databaseSecretName(database: string): string {
    return `${database}-credentials`;
}
