/**
 * The database's backups on its cluster, driven with kubectl: each action is a Job made from the
 * backup CronJob's pod template with another of its scripts (components/postgresScripts.ts).
 */
import { REPO_ROOT } from "../../stacks/stackFiles";
import { kubectlPath, runKubectl } from "../release/validate";

export class DbError extends Error {}

/** One backup file as the listing reports it. */
export interface BackupEntry {
    name: string;
    bytes: number;
    /** Read whole: its checksum matches and pg_restore reads every data block. */
    verified: boolean;
    /** Why it is not verified. */
    problem?: string;
}

/** What a backup file is called: the listing's names, never a path or anything a shell would read. */
export const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.dump$/;

type Json = Record<string, any>;

const SCRIPTS = "/opt/postgres-backup";

export class DatabaseBackups {
    private readonly kubectl = kubectlPath(REPO_ROOT);
    private readonly cronJob: string;

    constructor(
        private readonly namespace: string,
        /** The PostgresDatabase's name; its CronJob is "<database>-backup". */
        private readonly database: string,
        private readonly timeoutSeconds: number,
    ) {
        this.cronJob = `${database}-backup`;
    }

    /** Whether the database has a backup CronJob on the cluster. */
    exists(): boolean {
        return this.kube(["get", "cronjob", this.cronJob, "-o", "name"]).ok;
    }

    /** Takes a backup now: its name and size, and the script's report (what retention removed). */
    backupNow(): BackupEntry & { report: string } {
        const report = this.runJob("backup", ["sh", `${SCRIPTS}/backup.sh`]);
        const line = report.split("\n").find((l) => l.startsWith("backup "));
        if (!line) {
            throw new DbError(`the backup Job finished without naming its file:\n${report}`);
        }
        const [, name, bytes] = line.split(" ");
        return { name, bytes: Number(bytes), verified: true, report };
    }

    /** Every backup, newest first. */
    list(): BackupEntry[] {
        return this.runJob("list", ["sh", `${SCRIPTS}/list.sh`])
            .split("\n")
            .filter((line) => line.startsWith("backup "))
            .map((line) => {
                const [, name, bytes, state, ...problem] = line.split(" ");
                return { name, bytes: Number(bytes), verified: state === "verified", ...(problem.length ? { problem: problem.join(" ") } : {}) };
            });
    }

    /**
     * Restores `name` over the database. First, with nothing changed, a Job checks that the backup
     * exists, reads whole and was dumped from this database; only then are the Deployments that may
     * write to the database (the clients its NetworkPolicies admit) scaled to zero, and brought
     * back to their previous size after, whether the restore succeeded or not.
     */
    restore(name: string): string {
        if (!BACKUP_NAME.test(name)) {
            throw new DbError(`"${name}" is not a backup file name (expected <database>-<time>.dump, as npm run db -- list shows)`);
        }
        try {
            this.runJob("check", ["sh", `${SCRIPTS}/restore.sh`, name, "--check"]);
        } catch (error) {
            const refusal = error instanceof DbError ? /refused: (.*)/.exec(error.message)?.[1] : undefined;
            if (refusal?.startsWith("no backup named")) {
                throw new DbError(`no backup named "${name}" in ${this.namespace}; npm run db -- list shows what there is`);
            }
            throw refusal ? new DbError(`refusing to restore: ${refusal}; nothing was changed`) : error;
        }
        const writers = this.writers();
        const sizes = writers.map((d) => this.replicas(d));
        const lines = [`stopping the writers: ${writers.map((d, i) => `${d} (${sizes[i]} replicas)`).join(", ") || "none"}`];
        try {
            writers.forEach((d) => this.scale(d, 0));
            lines.push(this.runJob("restore", ["sh", `${SCRIPTS}/restore.sh`, name]));
        } finally {
            writers.forEach((d, i) => this.scale(d, sizes[i]));
            for (const d of writers) {
                this.must(["rollout", "status", `deployment/${d}`, `--timeout=${this.timeoutSeconds}s`]);
            }
        }
        lines.push(`writers back: ${writers.join(", ") || "none"}`);
        return lines.join("\n");
    }

    /**
     * The Deployments whose pods the database admits (its ingress NetworkPolicies name them), less the
     * backup pods: every writer there can be, found from the declared connections.
     */
    private writers(): string[] {
        const dbSelector = this.getJson("statefulset", this.database).spec.selector.matchLabels;
        const backupLabels = this.getJson("cronjob", this.cronJob).spec.jobTemplate.spec.template.metadata.labels;
        const clients = (this.getJson("networkpolicies").items as Json[])
            .filter((p) => sameLabels(p.spec.podSelector.matchLabels, dbSelector))
            .flatMap((p) => (p.spec.ingress ?? []).flatMap((rule: Json) => (rule.from ?? []).map((peer: Json) => peer.podSelector?.matchLabels)))
            .filter((labels: Json | undefined): labels is Json => labels !== undefined && !matches(labels, backupLabels));
        return (this.getJson("deployments").items as Json[])
            .filter((d) => clients.some((labels) => matches(labels, d.spec.template.metadata.labels)))
            .map((d) => d.metadata.name as string);
    }

    private replicas(deployment: string): number {
        return this.getJson("deployment", deployment).spec.replicas ?? 1;
    }

    private scale(deployment: string, replicas: number): void {
        this.must(["scale", `deployment/${deployment}`, `--replicas=${replicas}`]);
        if (replicas === 0) {
            // Writers are stopped once their pods are gone, not when the scale is accepted.
            const pods = selector(this.getJson("deployment", deployment).spec.selector.matchLabels);
            const deadline = Date.now() + this.timeoutSeconds * 1000;
            while (this.must(["get", "pods", "-l", pods, "-o", "name"]).trim() !== "") {
                if (Date.now() > deadline) {
                    throw new DbError(`the pods of ${deployment} did not stop within ${this.timeoutSeconds}s`);
                }
                sleepSeconds(1);
            }
        }
    }

    /** Runs `command` in a Job made from the CronJob's template; returns its log, or throws with it. */
    private runJob(action: string, command: string[]): string {
        const template = this.getJson("cronjob", this.cronJob).spec.jobTemplate;
        const name = `${this.cronJob}-${action}-${Date.now().toString(36)}`;
        const spec = structuredClone(template.spec);
        spec.backoffLimit = 0;
        spec.template.spec.containers[0].command = command;
        const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace: this.namespace, labels: template.metadata?.labels }, spec };
        this.must(["create", "-f", "-"], JSON.stringify(job));
        try {
            const outcome = this.waitForJob(name);
            const log = this.must(["logs", `job/${name}`]);
            if (outcome !== "Complete") {
                throw new DbError(`${action} failed (Job ${name}: ${outcome}):\n${log}`);
            }
            return log;
        } finally {
            this.kube(["delete", "job", name, "--wait=false", "--cascade=background"]);
        }
    }

    private waitForJob(name: string): string {
        const deadline = Date.now() + this.timeoutSeconds * 1000;
        while (Date.now() < deadline) {
            const conditions: Json[] = this.getJson("job", name).status?.conditions ?? [];
            const done = conditions.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
            if (done) {
                return done.type === "Complete" ? "Complete" : `Failed: ${done.reason ?? ""} ${done.message ?? ""}`.trim();
            }
            sleepSeconds(1);
        }
        return `not finished after ${this.timeoutSeconds}s`;
    }

    private getJson(...what: string[]): Json {
        return JSON.parse(this.must(["get", ...what, "-o", "json"]));
    }

    private must(args: string[], input?: string): string {
        const result = this.kube(args, input);
        if (!result.ok) {
            throw new DbError(`kubectl -n ${this.namespace} ${args.join(" ")}: ${result.output}`);
        }
        return result.stdout;
    }

    private kube(args: string[], input?: string) {
        return runKubectl(this.kubectl, ["-n", this.namespace, ...args], input);
    }
}

/** Blocks for `seconds` (the db commands are synchronous polling loops). */
export function sleepSeconds(seconds: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

function sameLabels(a: Json | undefined, b: Json): boolean {
    return a !== undefined && matches(a, b) && matches(b, a);
}

/** Whether `labels` carries every key/value of `selector`. */
function matches(selector: Json, labels: Json | undefined): boolean {
    return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function selector(labels: Json): string {
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}
