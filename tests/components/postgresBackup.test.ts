import { strict as assert } from "assert";
import { InvalidArgumentError } from "../../components/errors";
import { cronScheduleProblem, timeZoneProblem } from "../../components/postgresBackup";
import { BACKUP_SCRIPT_FILES } from "../../components/postgresScripts";
import { PostgresDatabase, PostgresDatabaseArgs } from "../../components/postgresDatabase";
import { installMocks } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

const CRON_JOB = "kubernetes:batch/v1:CronJob";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
const withBackup: PostgresDatabaseArgs = { namespace: "ns", backup: { schedule: "30 2 * * *", keep: 5, storageSize: "3Gi", storageClassName: "backups" } };

describe("PostgresDatabase backups", () => {
    it("renders nothing for backups unless asked", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", { namespace: "ns" }));
        assert.equal(rec.resources.filter((r) => r.type === CRON_JOB || r.type === CLAIM).length, 0);
    });

    it("runs pg_dump on schedule from the server's image, one at a time, into a retained claim of its own", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", { ...withBackup, image: "example/postgres:15" }));
        const cron = rec.object(CRON_JOB, "db-backup").inputs;
        assert.equal(cron.spec.schedule, "30 2 * * *");
        assert.equal(cron.spec.concurrencyPolicy, "Forbid");
        const pod = cron.spec.jobTemplate.spec.template.spec;
        const container = pod.containers[0];
        assert.equal(container.image, "example/postgres:15");
        assert.deepEqual(container.command, ["sh", "/opt/postgres-backup/backup.sh"]);
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
        assert.equal(env.KEEP, "5");
        assert.equal(env.PGHOST, "db.ns.svc");

        const claim = rec.object(CLAIM, "db-backups");
        assert.equal(claim.inputs.spec.resources.requests.storage, "3Gi");
        assert.equal(claim.inputs.spec.storageClassName, "backups");
        assert.equal(claim.options.retainOnDelete, true);
        const backupVolume = pod.volumes.find((v: any) => v.name === "backups");
        assert.equal(backupVolume.persistentVolumeClaim.claimName, claim.inputs.metadata.name);
        const dataClaim = rec.object(T.statefulSet, "db").inputs.spec.volumeClaimTemplates[0].metadata.name;
        assert.notEqual(claim.inputs.metadata.name, dataClaim, "backups never share the data volume");
    });

    it("keeps the password out of the command line and the environment: only the mounted Secret's file", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", withBackup));
        const pod = rec.object(CRON_JOB, "db-backup").inputs.spec.jobTemplate.spec.template.spec;
        const container = pod.containers[0];
        assert.ok(!container.env.some((e: any) => e.valueFrom || /PASSWORD$/.test(e.name)), "no password variable (PGPASSWORD, secretKeyRef)");
        const credentials = pod.volumes.find((v: any) => v.secret);
        assert.equal(credentials.secret.secretName, "db-credentials");
        assert.deepEqual(credentials.secret.items, [{ key: "password", path: "password" }]);
        const passwordFile = container.env.find((e: any) => e.name === "PASSWORD_FILE").value;
        assert.ok(passwordFile.startsWith(container.volumeMounts.find((m: any) => m.name === credentials.name).mountPath + "/"));
        assert.match(BACKUP_SCRIPT_FILES["common.sh"], /PGPASSFILE/);
        for (const [file, script] of Object.entries(BACKUP_SCRIPT_FILES)) {
            assert.doesNotMatch(script, /PGPASSWORD|--password|echo "\$\(cat "\$PASSWORD_FILE"/, `${file} must not put the password on a command line`);
        }
    });

    it("runs under the restricted pod security the database has, writing only to its volumes", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", withBackup));
        const pod = rec.object(CRON_JOB, "db-backup").inputs.spec.jobTemplate.spec.template.spec;
        const serverPod = rec.object(T.statefulSet, "db").inputs.spec.template.spec;
        assert.deepEqual(pod.securityContext, serverPod.securityContext);
        assert.deepEqual(pod.containers[0].securityContext, serverPod.containers[0].securityContext);
        assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.restartPolicy, "Never");
        for (const kind of ["requests", "limits"]) {
            assert.ok(pod.containers[0].resources[kind]["ephemeral-storage"], `${kind} name ephemeral storage`);
        }
    });

    it("reaches the database through a declared connection: egress from the backup pods, ingress on 5432", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", withBackup));
        const podLabels = rec.object(CRON_JOB, "db-backup").inputs.spec.jobTemplate.spec.template.metadata.labels;
        const egress = rec.object(T.networkPolicy, "db-backup-to-db-egress").inputs.spec;
        for (const [key, value] of Object.entries(egress.podSelector.matchLabels)) {
            assert.equal(podLabels[key], value, `the egress policy selects the backup pods (${key})`);
        }
        assert.deepEqual(egress.egress[0].ports, [{ protocol: "TCP", port: 5432 }]);
        const ingress = rec.object(T.networkPolicy, "db-backup-to-db-ingress").inputs.spec;
        assert.deepEqual(ingress.ingress[0].from[0].podSelector.matchLabels, egress.podSelector.matchLabels);
    });

    it("refuses bad backup arguments, naming each with what is allowed, before registering anything", async () => {
        const rec = await installMocks("test");
        assert.throws(
            () =>
                new PostgresDatabase("db", {
                    namespace: "ns",
                    backup: { schedule: "every night", keep: 0, storageSize: "2GB", timeZone: "Mars/Olympus", timeoutSeconds: 10 },
                }),
            (e: Error) =>
                e instanceof InvalidArgumentError &&
                /backup\.schedule = "every night" has 2 field\(s\); expected five fields/.test(e.message) &&
                /backup\.keep = 0 must be a whole number 1-1000/.test(e.message) &&
                /backup\.storageSize = "2GB" is not valid/.test(e.message) &&
                /backup\.timeZone = "Mars\/Olympus" is not an IANA time zone/.test(e.message) &&
                /backup\.timeoutSeconds = 10 must be whole seconds 60-86400/.test(e.message),
        );
        assert.equal(rec.resources.length, 0);
    });
});

describe("cronScheduleProblem", () => {
    for (const schedule of ["0 3 * * *", "*/15 * * * *", "0 0 1,15 * MON-FRI", "5 4 ? JAN-MAR sun", "@daily", "@hourly", "0-30/10 8-18 * * 1-5"]) {
        it(`accepts "${schedule}"`, () => assert.equal(cronScheduleProblem(schedule), undefined));
    }
    for (const [schedule, pattern] of [
        ["0 3 * *", /has 4 field/],
        ["60 3 * * *", /invalid minute field "60"/],
        ["0 24 * * *", /invalid hour field/],
        ["0 3 0 * *", /invalid day of month field/],
        ["0 3 * 13 *", /invalid month field/],
        ["0 3 * * 7", /invalid day of week field/],
        ["0 3 * * MON-", /invalid day of week/],
        ["*/0 * * * *", /invalid minute/],
        ["30-10 * * * *", /invalid minute/],
        ["@fortnightly", /not a descriptor/],
        ["@Daily", /not a descriptor/],
        ["TZ=UTC 0 3 * * *", /use backup\.timeZone/],
    ] as const) {
        it(`refuses "${schedule}"`, () => assert.match(cronScheduleProblem(schedule) ?? "", pattern));
    }
});

describe("timeZoneProblem", () => {
    it("accepts IANA names and refuses others", () => {
        assert.equal(timeZoneProblem("Europe/Berlin"), undefined);
        assert.equal(timeZoneProblem("Etc/UTC"), undefined);
        assert.match(timeZoneProblem("Nowhere/Special") ?? "", /IANA/);
        assert.match(timeZoneProblem("+02:00") ?? "", /IANA/);
    });
});
