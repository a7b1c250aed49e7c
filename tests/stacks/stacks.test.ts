import { strict as assert } from "assert";
import { MOCK_LOAD_BALANCER_IP, MOCK_PASSWORD_PREFIX, valueOf } from "../../scripts/render/mockRuntime";
import { T } from "../harness/render";
import { STACKS, stackFileConfig } from "../../stacks/stackFiles";
import { EvaluatedStack, evaluatePlatform, evaluateStack } from "./evaluateStack";

const TIERS = ["frontend", "backend", "analytics"];
const BLUE_GREEN_STACKS = ["staging", "prod"];
/** Scheduled backups: on in staging and prod, off in dev. */
const BACKED_UP: Record<string, boolean> = { dev: false, staging: true, prod: true };

/** The Deployments of a tier: one, or one per colour where the frontend runs blue-green. */
function deploymentsOf(stack: string, tier: string): string[] {
    return tier === "frontend" && BLUE_GREEN_STACKS.includes(stack) ? ["frontend-blue", "frontend-green"] : [tier];
}

describe("stacks", () => {
    const evaluated: Record<string, EvaluatedStack> = {};
    before(async () => {
        for (const stack of STACKS) {
            evaluated[stack] = await evaluateStack(stack);
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: evaluates to the whole platform in its own namespace`, () => {
            const { recorder, outputs } = evaluated[stack];
            assert.equal(outputs.namespace, `fastapi-${stack}`);
            for (const tier of TIERS) {
                for (const deployment of deploymentsOf(stack, tier)) {
                    assert.equal(recorder.object(T.deployment, deployment).inputs.metadata.namespace, `fastapi-${stack}`);
                }
                assert.ok(recorder.object(T.service, tier));
            }
            assert.ok(recorder.object(T.statefulSet, "postgres"));
            assert.equal(outputs.databaseHost, `postgres.fastapi-${stack}.svc`);
            for (const r of recorder.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== T.namespace)) {
                assert.equal(r.inputs.metadata.namespace, `fastapi-${stack}`, `${r.type} ${r.inputs.metadata.name}`);
            }
        });

        it(`${stack}: allows exactly outside → frontend → backend → {postgres, analytics}${BACKED_UP[stack] ? " and backups → postgres" : ""}`, () => {
            const policies = evaluated[stack].recorder
                .ofType(T.networkPolicy)
                .map((p) => p.inputs.metadata.name)
                .sort();
            const backups = BACKED_UP[stack] ? ["postgres-backup-to-postgres-egress", "postgres-backup-to-postgres-ingress"] : [];
            assert.deepEqual(policies, [
                "allow-dns-egress",
                "backend-to-analytics-egress",
                "backend-to-analytics-ingress",
                "backend-to-postgres-egress",
                "backend-to-postgres-ingress",
                "default-deny-all",
                "frontend-public-ingress",
                "frontend-to-backend-egress",
                "frontend-to-backend-ingress",
                ...backups,
            ]);
            // Outside means: anyone at dev's node port; only the ingress controller's pods where the Ingress is the way in.
            const sources = evaluated[stack].recorder.object(T.networkPolicy, "frontend-public-ingress").inputs.spec.ingress[0].from;
            const traefik = {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
            };
            assert.deepEqual(sources, stack === "dev" ? undefined : [traefik]);
        });

        it(`${stack}: ${BACKED_UP[stack] ? "backs Postgres up on a schedule to a claim of its own" : "runs no scheduled backups"}`, () => {
            const cronJobs = evaluated[stack].recorder.ofType("kubernetes:batch/v1:CronJob");
            assert.deepEqual(
                cronJobs.map((c) => c.inputs.metadata.name),
                BACKED_UP[stack] ? ["postgres-backup"] : [],
            );
        });

        it(`${stack}: no output and no non-Secret resource holds a generated password or key in clear`, () => {
            const { recorder, outputs } = evaluated[stack];
            const generated = recorder.passwords;
            assert.ok(generated.length >= 5, "database password and two keys with two slots each");
            const outputText = JSON.stringify(outputs);
            for (const r of recorder.resources.filter((r) => r.type !== T.secret)) {
                const text = JSON.stringify(r.inputs);
                assert.ok(!text.includes(MOCK_PASSWORD_PREFIX), `${r.type} ${r.name} holds a secret`);
                for (const password of generated) {
                    assert.ok(!text.includes(Buffer.from(password).toString("base64")), `${r.type} ${r.name} holds a secret, base64-encoded`);
                }
            }
            assert.ok(!outputText.includes(MOCK_PASSWORD_PREFIX));
            // Secrets carry base64 `data`; decode it to find the generated values.
            const secretsText = recorder
                .ofType(T.secret)
                .flatMap((s) => Object.values(s.inputs.data as Record<string, string>).map((v) => Buffer.from(v, "base64").toString("utf8")))
                .join("\n");
            for (const password of generated) {
                assert.ok(secretsText.includes(password), "each generated value lives in a Secret");
            }
        });

        it(`${stack}: wires the backend to Postgres and the keys by files, the frontend to the backend`, () => {
            const { recorder } = evaluated[stack];
            const pod = (tier: string) => recorder.object(T.deployment, deploymentsOf(stack, tier)[0]).inputs.spec.template.spec;
            const configOf = (tier: string) => {
                const name = pod(tier).containers[0].envFrom[0].configMapRef.name;
                return recorder.object(T.configMap, name).inputs.data;
            };
            const secretsMounted = (tier: string) =>
                Object.fromEntries(
                    pod(tier)
                        .volumes.filter((v: any) => v.secret)
                        .map((v: any) => [pod(tier).containers[0].volumeMounts.find((m: any) => m.name === v.name).mountPath, v.secret.secretName]),
                );
            const backendConfig = configOf("backend");
            assert.equal(backendConfig.DATABASE_HOST, `postgres.fastapi-${stack}.svc`);
            const backendSecrets = secretsMounted("backend");
            assert.equal(backendSecrets[backendConfig.DATABASE_PASSWORD_FILE.replace(/\/password$/, "")], "postgres-credentials");
            assert.equal(backendSecrets[backendConfig.ANALYTICS_API_KEY_FILE.replace(/\/current$/, "")], "analytics-key-backend");
            assert.equal(configOf("frontend").BACKEND_URL, `http://backend.fastapi-${stack}.svc:8000`);
            assert.equal(secretsMounted("frontend")[configOf("frontend").BACKEND_API_KEY_FILE.replace(/\/current$/, "")], "backend-key-frontend");
            assert.equal(secretsMounted("analytics")[`${configOf("analytics").API_KEYS_DIR}/backend`], "analytics-key-backend");
            // Each tier forwarding insights keeps analytics' bound; visitors get at most 10,000 rows.
            const maxRows = Number(configOf("analytics").MAX_ROWS);
            assert.equal(Number(backendConfig.INSIGHTS_MAX_ROWS), maxRows);
            assert.equal(Number(configOf("frontend").INSIGHTS_MAX_ROWS), Math.min(10_000, maxRows));
        });
    }

    it("dev: one replica each, a NodePort, locally built images, no HPA or PDB, Postgres unprotected", () => {
        const { recorder, outputs } = evaluated.dev;
        for (const tier of TIERS) {
            assert.equal(recorder.object(T.deployment, tier).inputs.spec.replicas, 1);
        }
        assert.equal(recorder.object(T.service, "frontend").inputs.spec.type, "NodePort");
        assert.equal(outputs.frontendNodePort, 30080);
        assert.equal(recorder.ofType(T.hpa).length, 0);
        assert.equal(recorder.ofType(T.ingress).length, 0);
        assert.deepEqual(
            recorder.ofType(T.pdb).map((p) => p.inputs.metadata.name),
            ["postgres"],
        );
        assert.equal(recorder.ofType(T.image).length, 3);
        for (const ref of Object.values(outputs.images as Record<string, string>)) {
            assert.match(ref, /^fastapi-k8s\/(frontend|backend|analytics):[0-9a-f]{16}$/);
        }
    });

    it("staging: HPAs from 2 replicas, ClusterIP behind a TLS Ingress of the cluster's default class, promoted images by digest", () => {
        const { recorder, outputs } = evaluated.staging;
        for (const deployment of TIERS.flatMap((t) => deploymentsOf("staging", t))) {
            assert.equal(recorder.object(T.deployment, deployment).inputs.spec.replicas, undefined);
            assert.equal(recorder.object(T.hpa, deployment).inputs.spec.minReplicas, 2);
            assert.ok(recorder.object(T.pdb, deployment));
        }
        assert.equal(recorder.object(T.service, "frontend").inputs.spec.type, "ClusterIP");
        const ingress = recorder.object(T.ingress, "frontend").inputs.spec;
        assert.deepEqual(ingress.tls, [{ hosts: ["staging.fastapi-k8s.example.com"], secretName: "frontend-tls" }]);
        assert.equal(ingress.ingressClassName, undefined, "the cluster's default IngressClass");
        assert.equal(outputs.frontendEndpoint, "https://staging.fastapi-k8s.example.com/");
        assert.equal(recorder.ofType(T.image).length, 0, "promoted stages never build");
        for (const ref of Object.values(outputs.images as Record<string, string>)) {
            assert.match(ref, /@sha256:[0-9a-f]{64}$/);
        }
    });

    it("prod: at least 3 replicas, TLS Ingress, PDBs, larger protected and retained storage", () => {
        const { recorder, outputs } = evaluated.prod;
        for (const deployment of TIERS.flatMap((t) => deploymentsOf("prod", t))) {
            assert.ok(recorder.object(T.hpa, deployment).inputs.spec.minReplicas >= 3);
            assert.ok(recorder.object(T.pdb, deployment));
        }
        assert.deepEqual(recorder.object(T.ingress, "frontend").inputs.spec.tls[0].hosts, ["app.fastapi-k8s.example.com"]);
        assert.equal(outputs.frontendEndpoint, "https://app.fastapi-k8s.example.com/");
        const storage = (stack: string) =>
            evaluated[stack].recorder.object(T.statefulSet, "postgres").inputs.spec.volumeClaimTemplates[0].spec.resources.requests.storage;
        assert.deepEqual([storage("dev"), storage("staging"), storage("prod")], ["1Gi", "5Gi", "50Gi"]);
    });

    it("staging and prod run the frontend blue-green: live Service on activeColor, versions per colour", () => {
        for (const stack of BLUE_GREEN_STACKS) {
            const { recorder, outputs } = evaluated[stack];
            assert.equal(outputs.activeColor, "blue");
            const live = recorder.object(T.service, "frontend").inputs.spec.selector;
            const podsOf = (color: string) => recorder.object(T.deployment, `frontend-${color}`).inputs.spec.template.metadata.labels;
            assert.equal(live["app.kubernetes.io/name"], "frontend-blue");
            assert.equal(podsOf("blue")["app.kubernetes.io/name"], "frontend-blue");
            const versionOf = (color: string) => {
                const cm = recorder.object(T.deployment, `frontend-${color}`).inputs.spec.template.spec.containers[0].envFrom[0].configMapRef.name;
                return recorder.object(T.configMap, cm).inputs.data.SERVICE_VERSION;
            };
            assert.equal(versionOf("blue"), podsOf("blue")["app.kubernetes.io/version"]);
            assert.equal(versionOf("green"), podsOf("green")["app.kubernetes.io/version"]);
        }
    });

    it("protects and retains the data-bearing resources in prod only; staging retains them", () => {
        const dataBearing = (stack: string) =>
            evaluated[stack].recorder.resources.filter((r) => (r.type === T.statefulSet && r.name === "postgres") || r.name === "postgres-credentials");
        for (const [stack, expected] of [
            ["dev", { protect: false, retainOnDelete: false }],
            ["staging", { protect: false, retainOnDelete: true }],
            ["prod", { protect: true, retainOnDelete: true }],
        ] as const) {
            const resources = dataBearing(stack);
            assert.equal(resources.length, 2, stack);
            for (const r of resources) {
                assert.deepEqual({ protect: r.options.protect, retainOnDelete: r.options.retainOnDelete }, expected, `${stack} ${r.type} ${r.name}`);
            }
        }
        const frontend = evaluated.prod.recorder.resources.find((r) => r.type === T.deployment && r.name === "frontend-blue")!;
        assert.equal(frontend.options.protect, false, "stateless tiers stay replaceable");
        const password = evaluated.prod.recorder.resources.find((r) => r.name === "postgres-password")!;
        assert.equal(password.options.protect, false, "the generated password stays replaceable: a rotation replaces it");
    });

    it("failure injection and a slow start are off by default, and when configured reach only the tier asked, behind an operator key", async () => {
        for (const stack of STACKS) {
            for (const r of evaluated[stack].recorder.ofType(T.configMap)) {
                assert.equal(r.inputs.data.FAULT_INJECTION_ENABLED, undefined, `${stack} ${r.name}`);
                assert.equal(r.inputs.data.STARTUP_DELAY_SECONDS, undefined, `${stack} ${r.name}`);
            }
            assert.equal(evaluated[stack].recorder.ofType(T.secret).filter((s) => s.inputs.metadata.name.endsWith("-key-operator")).length, 0);
        }
        const config = stackFileConfig("staging");
        const frontend = config["fastapi-k8s:frontend"] as Record<string, unknown>;
        config["fastapi-k8s:frontend"] = { ...frontend, faultInjection: true, startupDelaySeconds: 12, startupTimeoutSeconds: 20 };
        const { recorder } = await evaluateStack("staging", config);
        const secrets = recorder.ofType(T.secret).map((s) => s.inputs.metadata.name);
        assert.deepEqual(
            secrets.filter((name: string) => name.endsWith("-key-operator")),
            ["frontend-key-operator"],
        );
        for (const color of ["blue", "green"]) {
            const container = recorder.object(T.deployment, `frontend-${color}`).inputs.spec.template.spec.containers[0];
            const settings = recorder.object(T.configMap, container.envFrom[0].configMapRef.name).inputs.data;
            assert.deepEqual(
                [settings.FAULT_INJECTION_ENABLED, settings.FAULT_KEYS_DIR, settings.STARTUP_DELAY_SECONDS],
                ["true", "/etc/fastapi-k8s/fault-keys", "12"],
            );
            const mountPaths = container.volumeMounts.map((m: { mountPath: string }) => m.mountPath);
            assert.ok(mountPaths.includes("/etc/fastapi-k8s/fault-keys/operator"), mountPaths.join(", "));
            assert.ok(!mountPaths.some((path: string) => path.startsWith("/etc/fastapi-k8s/inbound-keys")), "the operator key is not an API key");
            assert.equal(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold, 20);
        }
        const backend = recorder.object(T.deployment, "backend").inputs.spec.template.spec.containers[0];
        assert.equal(recorder.object(T.configMap, backend.envFrom[0].configMapRef.name).inputs.data.FAULT_INJECTION_ENABLED, undefined);
    });

    it("exports the LoadBalancer address only where the frontend's Service is a LoadBalancer, from the live Service's status", async () => {
        for (const stack of STACKS) {
            assert.equal(evaluated[stack].outputs.frontendLoadBalancerAddress, null, `${stack}: no LoadBalancer, so null`);
        }
        // staging's frontend is blue-green (the address is the live Service's), dev's a plain WebService.
        for (const stack of ["staging", "dev"]) {
            const config = stackFileConfig(stack);
            config["fastapi-k8s:frontend"] = { ...(config["fastapi-k8s:frontend"] as Record<string, unknown>), service: { type: "LoadBalancer" } };
            const { platform } = await evaluatePlatform(stack, config);
            assert.ok(platform.frontendLoadBalancerAddress !== null, stack);
            assert.equal(await valueOf(platform.frontendLoadBalancerAddress), MOCK_LOAD_BALANCER_IP, stack);
        }
    });
});
