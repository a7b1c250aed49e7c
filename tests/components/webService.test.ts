import { strict as assert } from "assert";
import { InvalidArgumentError } from "../../components/errors";
import { WebService } from "../../components/webService";
import { WebServiceArgs } from "../../components/webServiceArgs";
import { renderUnderMocks, T } from "../harness/render";
import { installMocks, valueOf } from "../../scripts/render/mockRuntime";

const base: WebServiceArgs = { namespace: "ns", image: "example/app@sha256:" + "a".repeat(64) };

function container(deployment: any) {
    return deployment.inputs.spec.template.spec.containers[0];
}

describe("WebService", () => {
    it("selects its own pods from one place: Deployment, Service and PDB selectors equal the pod labels", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", { ...base, replicas: 3 }));
        const deployment = rec.object(T.deployment, "api");
        const podLabels = deployment.inputs.spec.template.metadata.labels;
        const selector = deployment.inputs.spec.selector.matchLabels;
        for (const [key, value] of Object.entries(selector)) {
            assert.equal(podLabels[key], value, `pod label ${key}`);
        }
        assert.deepEqual(rec.object(T.service, "api").inputs.spec.selector, selector);
        assert.deepEqual(rec.object(T.pdb, "api").inputs.spec.selector.matchLabels, selector);
    });

    it("derives Service ports from container ports and points probes at a declared port", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", { ...base, port: 8080 }));
        const c = container(rec.object(T.deployment, "api"));
        const portNames = c.ports.map((p: any) => p.name);
        const service = rec.object(T.service, "api");
        assert.deepEqual(
            service.inputs.spec.ports.map((p: any) => [p.port, p.targetPort]),
            [[8080, "http"]],
        );
        for (const p of service.inputs.spec.ports) {
            assert.ok(portNames.includes(p.targetPort), `service targetPort ${p.targetPort} is a container port`);
        }
        for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
            assert.ok(portNames.includes(c[probe].httpGet.port), `${probe} port`);
        }
        assert.deepEqual(
            ["startupProbe", "livenessProbe", "readinessProbe"].map((p) => c[p].httpGet.path),
            ["/startupz", "/livez", "/readyz"],
        );
    });

    it("rolls safely: maxUnavailable 0, a preStop pause, and a grace period longer than pause + drain", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", { ...base, shutdown: { preStopSleepSeconds: 7, drainSeconds: 15 } }));
        const spec = rec.object(T.deployment, "api").inputs.spec;
        assert.equal(spec.strategy.rollingUpdate.maxUnavailable, 0);
        assert.equal(container({ inputs: { spec } }).lifecycle.preStop.sleep.seconds, 7);
        assert.ok(spec.template.spec.terminationGracePeriodSeconds > 7 + 15);
        assert.deepEqual(
            container({ inputs: { spec } }).env,
            [{ name: "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN", value: "15" }],
            "the server drains for drainSeconds",
        );
        assert.equal(spec.template.spec.topologySpreadConstraints[0].topologyKey, "kubernetes.io/hostname");
    });

    it("bounds the provider's wait for a rollout (default 600 s), so a bad release fails the update", async () => {
        const rec = await renderUnderMocks(() => {
            new WebService("api", base);
            new WebService("fast", { ...base, rolloutTimeoutSeconds: 90 });
        });
        const timeouts = (name: string) => rec.object(T.deployment, name).options.customTimeouts;
        assert.deepEqual([timeouts("api")?.create, timeouts("api")?.update], ["600s", "600s"]);
        assert.deepEqual([timeouts("fast")?.create, timeouts("fast")?.update], ["90s", "90s"]);
    });

    it("runs restricted: non-root, read-only root with a writable /tmp, no token, all capabilities dropped", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", base));
        const pod = rec.object(T.deployment, "api").inputs.spec.template.spec;
        const sc = pod.containers[0].securityContext;
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(sc.readOnlyRootFilesystem, true);
        assert.equal(sc.allowPrivilegeEscalation, false);
        assert.equal(sc.runAsNonRoot, true);
        assert.ok(sc.runAsUser >= 10000);
        assert.deepEqual(sc.capabilities.drop, ["ALL"]);
        assert.equal(sc.seccompProfile.type, "RuntimeDefault");
        const tmp = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === "/tmp");
        assert.ok(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir);
        assert.ok(pod.containers[0].resources.requests.cpu && pod.containers[0].resources.limits.memory);
    });

    it("mounts Secrets as read-only files and never as environment variables", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", { ...base, secretFiles: [{ secretName: "db-credentials", mountPath: "/etc/db" }] }));
        const pod = rec.object(T.deployment, "api").inputs.spec.template.spec;
        const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === "/etc/db");
        assert.equal(mount.readOnly, true);
        assert.equal(pod.volumes.find((v: any) => v.name === mount.name).secret.secretName, "db-credentials");
        assert.ok(!JSON.stringify(pod.containers[0].env ?? []).includes("secretKeyRef"));
    });

    it("lets an HPA own the replica count: the Deployment has no replicas and the HPA targets it", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", { ...base, autoscaling: { minReplicas: 2, maxReplicas: 5, memoryUtilization: 80 } }));
        const deployment = rec.object(T.deployment, "api");
        assert.equal(deployment.inputs.spec.replicas, undefined);
        const hpa = rec.object(T.hpa, "api").inputs.spec;
        assert.deepEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
        assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [2, 5]);
        assert.deepEqual(
            hpa.metrics.map((m: any) => m.resource.name),
            ["cpu", "memory"],
        );
        assert.equal(hpa.behavior.scaleDown.stabilizationWindowSeconds, 300);
        assert.equal(rec.ofType(T.pdb).length, 1, "min 2 replicas → PDB");
        // A crash-looping pod of a bad release must not block a node drain.
        assert.equal(rec.object(T.pdb, "api").inputs.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
    });

    it("has no PDB with a single replica and no HPA without autoscaling", async () => {
        const rec = await renderUnderMocks(() => new WebService("api", base));
        assert.equal(rec.object(T.deployment, "api").inputs.spec.replicas, 1);
        assert.equal(rec.ofType(T.pdb).length, 0);
        assert.equal(rec.ofType(T.hpa).length, 0);
    });

    it("names the ConfigMap after its content, so a change of settings rolls the pods", async () => {
        const nameFor = async (env: Record<string, string>) => {
            const rec = await renderUnderMocks(() => new WebService("api", { ...base, env }));
            const cm = rec.ofType(T.configMap)[0];
            const envFrom = container(rec.object(T.deployment, "api")).envFrom[0].configMapRef.name;
            assert.equal(envFrom, cm.inputs.metadata.name, "the Deployment reads the ConfigMap it made");
            return cm.inputs.metadata.name as string;
        };
        const a = await nameFor({ GREETING: "hello" });
        assert.equal(a, await nameFor({ GREETING: "hello" }), "same content, same name");
        assert.notEqual(a, await nameFor({ GREETING: "bonjour" }), "new content, new name");
    });

    it("exposes a NodePort or an Ingress with TLS when asked", async () => {
        const rec = await renderUnderMocks(
            () =>
                new WebService("web", {
                    ...base,
                    service: { type: "NodePort", nodePort: 30080 },
                    ingress: { host: "app.example.com", className: "nginx", tlsSecretName: "web-tls" },
                }),
        );
        const port = rec.object(T.service, "web").inputs.spec;
        assert.equal(port.type, "NodePort");
        assert.equal(port.ports[0].nodePort, 30080);
        const ingress = rec.object(T.ingress, "web").inputs.spec;
        assert.deepEqual(ingress.tls, [{ hosts: ["app.example.com"], secretName: "web-tls" }]);
        assert.equal(ingress.rules[0].http.paths[0].backend.service.port.name, "http");
        assert.equal(ingress.ingressClassName, "nginx");
        assert.equal(rec.object(T.ingress, "web").inputs.metadata.annotations, undefined, "no issuer, no cert-manager annotation");
    });

    it("asks cert-manager for the Ingress's certificate when an issuer is named", async () => {
        const annotationsFor = async (certificateIssuer: { name: string; kind?: "ClusterIssuer" | "Issuer" }) => {
            const ingress = { host: "app.example.com", tlsSecretName: "web-tls", certificateIssuer };
            const rec = await renderUnderMocks(() => new WebService("web", { ...base, ingress }));
            const rendered = rec.object(T.ingress, "web").inputs;
            assert.deepEqual(rendered.spec.tls, [{ hosts: ["app.example.com"], secretName: "web-tls" }], "cert-manager writes the Secret TLS names");
            return rendered.metadata.annotations;
        };
        assert.deepEqual(await annotationsFor({ name: "letsencrypt" }), { "cert-manager.io/cluster-issuer": "letsencrypt" });
        assert.deepEqual(await annotationsFor({ name: "team-ca", kind: "Issuer" }), { "cert-manager.io/issuer": "team-ca" });
    });

    it("reports the in-cluster URL", async () => {
        let url: any;
        await renderUnderMocks(() => {
            url = new WebService("api", { ...base, port: 9000 }).url;
        });
        assert.equal(await valueOf(url), "http://api.ns.svc:9000");
    });

    const invalid: Array<[string, Partial<WebServiceArgs>, RegExp]> = [
        ["zero replicas", { replicas: 0 }, /replicas = 0 must be a whole number ≥ 1/],
        [
            "limits below requests",
            { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "500m", memory: "1Gi" } } },
            /limits.cpu = "500m" is below resources.requests.cpu/,
        ],
        [
            "malformed memory",
            { resources: { requests: { cpu: "1", memory: "512Mb" }, limits: { cpu: "1", memory: "1Gi" } } },
            /"512Mb" is not a Kubernetes quantity/,
        ],
        ["min above max", { autoscaling: { minReplicas: 4, maxReplicas: 2 } }, /autoscaling.minReplicas = 4 must be ≤ autoscaling.maxReplicas \(2\)/],
        ["unknown service type", { service: { type: "External" as never } }, /service.type = "External" is not one of ClusterIP, NodePort, LoadBalancer/],
        ["node port out of range", { service: { type: "NodePort", nodePort: 80 } }, /node-port range 30000-32767/],
        ["bad host", { ingress: { host: "Not A Host" } }, /ingress.host = "Not A Host"/],
        ["root user", { uid: 0 }, /uid = 0 must be a whole number ≥ 10000/],
        ["a rollout timeout too short", { rolloutTimeoutSeconds: 5 }, /rolloutTimeoutSeconds = 5 must be whole seconds 30-3600/],
        ["a NUL in a setting", { env: { GREETING: "hi\u0000there" } }, /env\["GREETING"\] = "hi\\u0000there" holds the control character U\+0000/],
        ["an escape character in a setting", { env: { TITLE: "\u001b[31mred" } }, /holds the control character U\+001B/],
        [
            "settings beyond a ConfigMap's 1 MiB",
            { env: { A: "x".repeat(600_000), B: "y".repeat(600_000) } },
            /ConfigMap would be too large \(total 1200002 bytes; a ConfigMap holds at most 1048576/,
        ],
        ["an ingress path with /../", { ingress: { host: "a.example.com", path: "/a/../b" } }, /ingress.path = "\/a\/..\/b" must not contain "\/..\/"/],
        ["an ingress path with %2F", { ingress: { host: "a.example.com", path: "/a%2Fb" } }, /must not contain "%2F"/],
        ["an ingress path ending in /..", { ingress: { host: "a.example.com", path: "/a/.." } }, /must not end with "\/.."/],
        [
            "memory in thousandths of a byte",
            { resources: { requests: { cpu: "1", memory: "512m" }, limits: { cpu: "1", memory: "1Gi" } } },
            /requests.memory = "512m" is thousandths of a byte/,
        ],
        [
            "ephemeral storage of a fractional byte",
            { resources: { requests: { cpu: "1", memory: "1Gi", ephemeralStorage: "0.5" }, limits: { cpu: "1", memory: "1Gi" } } },
            /ephemeralStorage = "0.5" is not a whole number of bytes/,
        ],
    ];
    for (const [label, args, message] of invalid) {
        it(`rejects ${label} before registering anything`, async () => {
            const rec = await installMocks("test");
            assert.throws(
                () => new WebService("api", { ...base, ...args } as WebServiceArgs),
                (e: Error) => {
                    assert.ok(e instanceof InvalidArgumentError);
                    assert.match(e.message, message);
                    return true;
                },
            );
            assert.equal(rec.resources.length, 0);
        });
    }
});
