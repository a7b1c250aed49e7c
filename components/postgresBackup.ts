import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PullPolicy, wholeNumberProblem } from "./choices";
import { ArgumentProblem } from "./errors";
import { dnsSubdomainProblem, fieldProblem } from "./kubernetesNames";
import { selectorLabels, workloadLabels } from "./labels";
import { NetworkPeer } from "./networkPeer";
import { TIME_ZONE_NAMES } from "./timeZoneNames";
import { BACKUP_DIR, BACKUP_SCRIPTS, BACKUP_SCRIPT_FILES } from "./postgresScripts";
import { QUANTITY_HELP, isQuantity, parseQuantity, wholeBytesProblem } from "./quantity";
import { ComputeResources, EphemeralDefaults, resourceProblems, toResourceRequirements } from "./resources";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./security";
import { componentInputs } from "./componentInputs";

/** Scheduled backups of a PostgresDatabase (its `backup` argument). */
export interface PostgresBackupArgs {
    /** When to back up, in cron syntax as a CronJob takes it ("30 2 * * *", "@daily"). Default "0 3 * * *". */
    schedule?: string;
    /** The time zone of `schedule` (an IANA name such as "Europe/Berlin"). Default: the controller manager's, usually UTC. */
    timeZone?: string;
    /** How many backups to keep; older ones are deleted after each successful backup. Default 7. */
    keep?: number;
    /** Size of the backup volume (its own claim, never the data volume). Default "2Gi". */
    storageSize?: string;
    /** StorageClass of the backup volume. Default: the cluster's default class. */
    storageClassName?: string;
    /** Requests and limits of a backup pod. Default: requests 100m/128Mi, limits 500m/256Mi. */
    resources?: ComputeResources;
    /** Seconds a backup may run before it is stopped and counted as failed. Default 3600. */
    timeoutSeconds?: number;
}

/** The resolved backup settings, with every default applied. */
export interface PostgresBackupSettings {
    schedule: string;
    timeZone?: string;
    keep: number;
    storageSize: string;
    storageClassName?: string;
    resources: ComputeResources;
    timeoutSeconds: number;
}

/** A backup pod's default ephemeral storage (the pgpass file, logs): the dump goes to its volume. */
const BACKUP_EPHEMERAL_DEFAULTS: EphemeralDefaults = { request: "16Mi", limit: "64Mi" };

const DEFAULT_RESOURCES: ComputeResources = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
};

/** Applies the defaults of every unset backup argument. */
export function resolveBackupSettings(args: PostgresBackupArgs): PostgresBackupSettings {
    return {
        schedule: args.schedule ?? "0 3 * * *",
        timeZone: args.timeZone,
        keep: args.keep ?? 7,
        storageSize: args.storageSize ?? "2Gi",
        storageClassName: args.storageClassName,
        resources: args.resources ?? DEFAULT_RESOURCES,
        timeoutSeconds: args.timeoutSeconds ?? 3600,
    };
}

/**
 * What is wrong with backup arguments, each naming its field under `backup.` (resources aside: see
 * postgresBackupResourceProblems). Exported so that a configuration layer runs the same rules.
 */
export function postgresBackupProblems(args: PostgresBackupArgs): ArgumentProblem[] {
    const settings = resolveBackupSettings(args);
    const problems: Array<ArgumentProblem | undefined> = [
        fieldProblem("backup.schedule", settings.schedule, cronScheduleProblem),
        fieldProblem("backup.timeZone", settings.timeZone, timeZoneProblem),
        wholeNumberProblem("backup.keep", settings.keep, 1, 1000),
        wholeNumberProblem("backup.timeoutSeconds", settings.timeoutSeconds, 60, 86400, "seconds"),
        fieldProblem("backup.storageClassName", settings.storageClassName, dnsSubdomainProblem),
        isQuantity(settings.storageSize) && parseQuantity(settings.storageSize) > 0
            ? fieldProblem("backup.storageSize", settings.storageSize, wholeBytesProblem)
            : { field: "backup.storageSize", value: settings.storageSize, message: `is not valid; expected a size greater than zero, ${QUANTITY_HELP}` },
    ];
    return problems.filter((p): p is ArgumentProblem => p !== undefined);
}

/** What is wrong with a backup pod's resources (as resourceProblems words it, under `where`). */
export function postgresBackupResourceProblems(args: PostgresBackupArgs, where = "backup.resources"): string[] {
    return resourceProblems(resolveBackupSettings(args).resources, where, BACKUP_EPHEMERAL_DEFAULTS);
}

const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const FIELDS = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
    { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];
const SCHEDULE_HELP = `five fields "minute hour day-of-month month day-of-week" (e.g. "30 2 * * *") or one of ${DESCRIPTORS.join(", ")}`;

/**
 * Why `schedule` is not one the CronJob controller parses (its standard five-field grammar:
 * numbers, names, `*`, `?`, ranges, steps and lists, or a descriptor); undefined when it is.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
    const trimmed = schedule.trim();
    if (/^(CRON_)?TZ=/.test(trimmed)) {
        return "must not name a time zone (the API server refuses TZ= in a schedule); use backup.timeZone";
    }
    if (trimmed.startsWith("@")) {
        // The controller's parser matches descriptors case-sensitively (names of months and days not).
        return DESCRIPTORS.includes(trimmed) ? undefined : `is not a descriptor; expected ${SCHEDULE_HELP}`;
    }
    const parts = trimmed.split(/\s+/);
    if (parts.length !== FIELDS.length) {
        return `has ${parts.length} field(s); expected ${SCHEDULE_HELP}`;
    }
    for (const [i, part] of parts.entries()) {
        const field = FIELDS[i];
        if (!part.split(",").every((item) => cronItemIsValid(item, field))) {
            return `has an invalid ${field.name} field "${part}" (allowed: ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""}, *, ranges a-b, steps /n, lists a,b)`;
        }
    }
    return undefined;
}

function cronItemIsValid(item: string, field: (typeof FIELDS)[number]): boolean {
    const [range, step, ...rest] = item.split("/");
    if (rest.length > 0 || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) {
        return false;
    }
    if (range === "*" || range === "?") {
        return true;
    }
    const bounds = range.split("-").map((v) => cronValue(v, field));
    if (bounds.length > 2 || bounds.some((v) => v === undefined)) {
        return false;
    }
    return bounds.length === 1 || (bounds[0] as number) <= (bounds[1] as number);
}

function cronValue(value: string, field: (typeof FIELDS)[number]): number | undefined {
    const named = field.names?.indexOf(value.toUpperCase()) ?? -1;
    if (named >= 0) {
        return named + field.min;
    }
    const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
    return n >= field.min && n <= field.max ? n : undefined;
}

const NOT_A_TIME_ZONE = `is not an IANA time zone name such as "Etc/UTC" or "Europe/Berlin"`;
const ZONES = new Set(TIME_ZONE_NAMES);
const ZONES_BY_LOWER_CASE = new Map(TIME_ZONE_NAMES.map((zone) => [zone.toLowerCase(), zone]));

/**
 * Why `zone` is not a time zone name the API server accepts; undefined when it is. Judged by the tz
 * database Kubernetes embeds, exactly: it matches names case-sensitively (ICU, and so Node, does not).
 */
export function timeZoneProblem(zone: string): string | undefined {
    if (ZONES.has(zone)) {
        return undefined;
    }
    const spelled = ZONES_BY_LOWER_CASE.get(zone.toLowerCase());
    return spelled ? `is not written as the tz database writes it (names are case-sensitive): use "${spelled}"` : NOT_A_TIME_ZONE;
}

/** What a PostgresBackup needs from its database. */
export interface PostgresBackupTarget {
    /** The database's workload name; the backup's objects are named after it. */
    name: string;
    namespace: pulumi.Input<string>;
    host: pulumi.Input<string>;
    port: number;
    database: string;
    username: string;
    /** The Secret whose key `password` holds the password. */
    secretName: pulumi.Input<string>;
    image: pulumi.Input<string>;
    imagePullPolicy: PullPolicy;
    uid: number;
    annotations?: Record<string, string>;
}

/**
 * Scheduled `pg_dump` backups of one database: a CronJob running the server's own image, writing
 * verified custom-format dumps to a claim of its own and keeping the newest `keep`. PostgresDatabase
 * creates it from its `backup` argument and admits it with a Connection.
 */
export class PostgresBackup extends pulumi.ComponentResource {
    /** The CronJob; `kubectl create job --from=cronjob/<name>` takes a backup now. */
    public readonly cronJob: k8s.batch.v1.CronJob;
    /** The claim the backups are written to. */
    public readonly claimName: pulumi.Output<string>;
    /** How NetworkPolicies find the backup pods (they serve nothing). */
    public readonly peer: NetworkPeer;

    constructor(name: string, target: PostgresBackupTarget, settings: PostgresBackupSettings, opts?: pulumi.ComponentResourceOptions) {
        super("fastapi-k8s:index:PostgresBackup", name, componentInputs({ target, settings }), opts);
        const workload = `${target.name}-backup`;
        const labels = workloadLabels(workload, { component: "database-backup" });
        const metadata = (objectName: string) => ({ name: objectName, namespace: target.namespace, labels, annotations: target.annotations });
        this.peer = { name: workload, namespace: target.namespace, podLabels: selectorLabels(workload), ports: [] };

        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-storage`,
            {
                metadata: metadata(`${workload}s`),
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: settings.storageClassName,
                    resources: { requests: { storage: settings.storageSize } },
                },
            },
            // Backups must outlive a mistake in the program that holds them.
            { parent: this, retainOnDelete: true },
        );
        this.claimName = claim.metadata.name;
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            { metadata: metadata(`${workload}-scripts`), data: BACKUP_SCRIPT_FILES },
            { parent: this },
        );

        this.cronJob = new k8s.batch.v1.CronJob(
            name,
            {
                metadata: metadata(workload),
                spec: {
                    schedule: settings.schedule,
                    timeZone: settings.timeZone,
                    // A backup still running when the next is due is left to finish; none run side by side.
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 600,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels },
                        spec: {
                            backoffLimit: 2,
                            activeDeadlineSeconds: settings.timeoutSeconds,
                            template: {
                                metadata: { labels, annotations: target.annotations },
                                spec: backupPodSpec(target, settings, this.claimName, scripts.metadata.name),
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
        this.registerOutputs({ cronJobName: this.cronJob.metadata.name, claimName: this.claimName });
    }
}

function backupPodSpec(
    target: PostgresBackupTarget,
    settings: PostgresBackupSettings,
    claimName: pulumi.Input<string>,
    scriptsName: pulumi.Input<string>,
): k8s.types.input.core.v1.PodSpec {
    const credentials = "/etc/postgres-credentials";
    return {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurity(target.uid),
        containers: [
            {
                name: "backup",
                image: target.image,
                imagePullPolicy: target.imagePullPolicy,
                command: ["sh", `${BACKUP_SCRIPTS}/backup.sh`],
                env: [
                    { name: "PGHOST", value: target.host },
                    { name: "PGPORT", value: String(target.port) },
                    { name: "PGUSER", value: target.username },
                    { name: "PGDATABASE", value: target.database },
                    { name: "PASSWORD_FILE", value: `${credentials}/password` },
                    { name: "BACKUP_DIR", value: BACKUP_DIR },
                    { name: "KEEP", value: String(settings.keep) },
                ],
                resources: toResourceRequirements(settings.resources, BACKUP_EPHEMERAL_DEFAULTS),
                securityContext: restrictedContainerSecurity(target.uid),
                volumeMounts: [
                    { name: "backups", mountPath: BACKUP_DIR },
                    { name: "scripts", mountPath: BACKUP_SCRIPTS, readOnly: true },
                    { name: "credentials", mountPath: credentials, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            },
        ],
        volumes: [
            { name: "backups", persistentVolumeClaim: { claimName } },
            { name: "scripts", configMap: { name: scriptsName, defaultMode: 0o444 } },
            { name: "credentials", secret: { secretName: target.secretName, defaultMode: 0o440, items: [{ key: "password", path: "password" }] } },
            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
        ],
    };
}
