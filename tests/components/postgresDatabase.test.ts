import { strict as assert } from "assert";
import { InvalidArgumentError } from "../../components/errors";
import { PostgresDatabase, PostgresDatabaseArgs } from "../../components/postgresDatabase";
import { WebService } from "../../components/webService";
import { MOCK_PASSWORD_PREFIX, installMocks, isSecret, valueOf } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

const base: PostgresDatabaseArgs = { namespace: "ns" };

describe("PostgresDatabase", () => {
    it("marks the password and DATABASE_URL secret and keeps them out of every other output", async () => {
        let db!: PostgresDatabase;
        const rec = await renderUnderMocks(() => {
            db = new PostgresDatabase("db", base);
        });
        assert.equal(await isSecret(db.password), true);
        assert.equal(await isSecret(db.databaseUrl), true);
        const password = await valueOf(db.password);
        assert.ok(password.startsWith(MOCK_PASSWORD_PREFIX));
        assert.equal(await valueOf(db.databaseUrl), `postgresql://app:${password}@db.ns.svc:5432/app`);
        for (const output of [db.host, db.secretName]) {
            assert.ok(!String(await valueOf(output)).includes(password));
            assert.equal(await isSecret(output), false);
        }
        const secret = rec.object(T.secret, "db-credentials").inputs;
        assert.deepEqual(Object.keys(secret.data).sort(), ["DATABASE_URL", "database", "host", "password", "port", "username"]);
        for (const r of rec.resources.filter((r) => r.type !== T.secret)) {
            assert.ok(!JSON.stringify(r.inputs).includes(password), `${r.type} ${r.name} holds the password`);
        }
    });

    it("runs a StatefulSet that keeps its data: PVC template, PGDATA below the mount, Retain on delete and scale", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", { ...base, storageSize: "20Gi", storageClassName: "fast" }));
        const spec = rec.object(T.statefulSet, "db").inputs.spec;
        assert.equal(spec.serviceName, "db-headless");
        assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        const claim = spec.volumeClaimTemplates[0];
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
        assert.equal(claim.spec.resources.requests.storage, "20Gi");
        assert.equal(claim.spec.storageClassName, "fast");
        const pod = spec.template.spec;
        const c = pod.containers[0];
        const dataMount = c.volumeMounts.find((m: any) => m.name === claim.metadata.name).mountPath;
        const pgdata = c.env.find((e: any) => e.name === "PGDATA").value;
        assert.ok(pgdata.startsWith(dataMount + "/"), "PGDATA is a subdirectory of the volume");
        assert.ok(pod.securityContext.fsGroup >= 10000);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    });

    it("reads the password from a file, probes with pg_isready (liveness by TCP) and shuts down fast within its grace period", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", base));
        const pod = rec.object(T.statefulSet, "db").inputs.spec.template.spec;
        const c = pod.containers[0];
        const passwordFile = c.env.find((e: any) => e.name === "POSTGRES_PASSWORD_FILE").value;
        const credentials = c.volumeMounts.find((m: any) => passwordFile.startsWith(m.mountPath));
        assert.equal(pod.volumes.find((v: any) => v.name === credentials.name).secret.secretName, "db-credentials");
        assert.ok(!c.env.some((e: any) => e.name === "POSTGRES_PASSWORD"));
        for (const probe of ["startupProbe", "readinessProbe"]) {
            assert.equal(c[probe].exec.command[0], "pg_isready");
        }
        assert.deepEqual(c.livenessProbe.tcpSocket, { port: "postgres" }, "liveness asks only whether the server listens");
        const stop = c.lifecycle.preStop.exec.command;
        assert.deepEqual(stop.slice(0, 2), ["pg_ctl", "stop"]);
        assert.equal(stop[stop.indexOf("-m") + 1], "fast");
        assert.ok(Number(stop[stop.indexOf("-t") + 1]) < pod.terminationGracePeriodSeconds);
    });

    it("has a headless Service for the StatefulSet, a client Service on 5432 and a PDB on its pods", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", base));
        const selector = rec.object(T.statefulSet, "db").inputs.spec.selector.matchLabels;
        assert.equal(rec.object(T.service, "db-headless").inputs.spec.clusterIP, "None");
        const client = rec.object(T.service, "db").inputs.spec;
        assert.deepEqual(client.selector, selector);
        assert.equal(client.ports[0].port, 5432);
        assert.deepEqual(rec.object(T.pdb, "db").inputs.spec.selector.matchLabels, selector);
        // Decided, not left to the default: a not-Ready database may be recovering.
        assert.equal(rec.object(T.pdb, "db").inputs.spec.unhealthyPodEvictionPolicy, "IfHealthyBudget");
    });

    it("admits only the declared client on 5432", async () => {
        const rec = await renderUnderMocks(() => {
            const db = new PostgresDatabase("db", base);
            const api = new WebService("api", { namespace: "ns", image: "example/api:1" });
            db.allowFrom(api);
        });
        const ingress = rec.object(T.networkPolicy, "api-to-db-ingress").inputs.spec;
        assert.deepEqual(ingress.podSelector.matchLabels, rec.object(T.statefulSet, "db").inputs.spec.selector.matchLabels);
        assert.deepEqual(ingress.ingress, [
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ns" } },
                        podSelector: { matchLabels: rec.object(T.deployment, "api").inputs.spec.selector.matchLabels },
                    },
                ],
                ports: [{ protocol: "TCP", port: 5432 }],
            },
        ]);
        const egress = rec.object(T.networkPolicy, "api-to-db-egress").inputs.spec;
        assert.deepEqual(egress.policyTypes, ["Egress"]);
        assert.deepEqual(egress.egress[0].ports, [{ protocol: "TCP", port: 5432 }]);
    });

    it("keeps the first password without a keeper, and generates a new one for each later generation", async () => {
        const keepersOf = async (passwordGeneration?: number) => {
            const rec = await renderUnderMocks(() => new PostgresDatabase("db", { ...base, passwordGeneration }));
            return rec.ofType(T.password).find((r) => r.name === "db-password")!.inputs.keepers;
        };
        assert.equal(await keepersOf(), undefined, "stacks from before rotation keep their password");
        assert.equal(await keepersOf(1), undefined);
        assert.deepEqual(await keepersOf(2), { generation: "2" });
    });

    it("runs a password sync beside the server: a native sidecar of its image, reading the mounted password, alive by heartbeat", async () => {
        const rec = await renderUnderMocks(() => new PostgresDatabase("db", { ...base, image: "example/postgres:15" }));
        const pod = rec.object(T.statefulSet, "db").inputs.spec.template.spec;
        const [sync] = pod.initContainers;
        const server = pod.containers[0];
        assert.equal(sync.name, "password-sync");
        assert.equal(sync.restartPolicy, "Always", "a native sidecar: started before the server, stopped after it");
        assert.equal(sync.image, "example/postgres:15");
        assert.deepEqual(sync.securityContext, server.securityContext);
        const env = Object.fromEntries(sync.env.map((e: any) => [e.name, e.value]));
        assert.ok(!sync.env.some((e: any) => e.valueFrom), "no value from a Secret in the environment");
        const credentials = sync.volumeMounts.find((m: any) => m.name === "credentials");
        assert.equal(credentials.readOnly, true);
        assert.ok(env.PASSWORD_FILE.startsWith(credentials.mountPath + "/"));
        const socket = sync.volumeMounts.find((m: any) => m.mountPath === "/var/run/postgresql");
        assert.equal(socket.name, server.volumeMounts.find((m: any) => m.mountPath === "/var/run/postgresql").name, "they share the server's socket");
        assert.match(sync.command.join(" "), /ALTER ROLE/);
        assert.doesNotMatch(sync.command.join(" "), /psql[^|\n]*-c /, "the SQL with the password goes to psql on stdin");
        assert.match(sync.livenessProbe.exec.command.join(" "), new RegExp(env.HEARTBEAT_FILE));
        assert.equal(sync.readinessProbe, undefined, "a lagging sync must not take the database out of its Service");
    });

    it("rejects bad arguments before registering anything", async () => {
        const rec = await installMocks("test");
        assert.throws(
            () => new PostgresDatabase("db", { ...base, storageSize: "10GB", database: "my-db", shutdownGracePeriodSeconds: 5, passwordGeneration: 0 }),
            (e: Error) =>
                e instanceof InvalidArgumentError &&
                /storageSize = "10GB"/.test(e.message) &&
                /passwordGeneration = 0 must be a whole number ≥ 1/.test(e.message) &&
                /database "my-db"/.test(e.message) &&
                /shutdownGracePeriodSeconds = 5/.test(e.message),
        );
        assert.equal(rec.resources.length, 0);
    });
});
