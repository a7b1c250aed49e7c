import { strict as assert } from "assert";
import { InvalidArgumentError } from "../../components/errors";
import { Namespace } from "../../components/namespace";
import { WebService } from "../../components/webService";
import { installMocks, settle } from "../../scripts/render/mockRuntime";
import { renderUnderMocks, T } from "../harness/render";

describe("Namespace", () => {
    it("holds the namespace to the restricted Pod Security Standard, pinned to a version", async () => {
        const rec = await renderUnderMocks(() => new Namespace("env", { name: "shop-dev", podSecurityVersion: "v1.33" }));
        const labels = rec.object(T.namespace, "shop-dev").inputs.metadata.labels;
        for (const mode of ["enforce", "warn", "audit"]) {
            assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
            assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], "v1.33");
        }
    });

    it("bounds the namespace with a quota and container defaults", async () => {
        const rec = await renderUnderMocks(() => new Namespace("env", { quota: { requestsCpu: "2", pods: 12 }, limits: { defaultLimitMemory: "300Mi" } }));
        const hard = rec.ofType(T.quota)[0].inputs.spec.hard;
        assert.equal(hard["requests.cpu"], "2");
        assert.equal(hard.pods, "12");
        assert.equal(hard["limits.memory"], "16Gi", "defaults fill the rest");
        assert.ok(hard["requests.storage"] && hard.persistentvolumeclaims);
        const limit = rec.ofType(T.limitRange)[0].inputs.spec.limits[0];
        assert.equal(limit.type, "Container");
        assert.equal(limit.default.memory, "300Mi");
        assert.ok(limit.defaultRequest.cpu && limit.max.memory);
        for (const r of [...rec.ofType(T.quota), ...rec.ofType(T.limitRange), ...rec.ofType(T.networkPolicy)]) {
            assert.equal(r.inputs.metadata.namespace, "env");
        }
    });

    it("denies all traffic by default except DNS lookups to the cluster's DNS pods", async () => {
        const rec = await renderUnderMocks(() => new Namespace("env"));
        const deny = rec.object(T.networkPolicy, "default-deny-all").inputs.spec;
        assert.deepEqual(deny.podSelector, {});
        assert.deepEqual(deny.policyTypes, ["Ingress", "Egress"]);
        assert.equal(deny.ingress, undefined);
        assert.equal(deny.egress, undefined);
        const dns = rec.object(T.networkPolicy, "allow-dns-egress").inputs.spec;
        assert.deepEqual(dns.policyTypes, ["Egress"]);
        assert.deepEqual(
            dns.egress[0].ports.map((p: any) => `${p.protocol}/${p.port}`),
            ["UDP/53", "TCP/53"],
        );
        assert.deepEqual(dns.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
    });

    it("rejects a bad name, quantity or default above the maximum before registering anything", async () => {
        const rec = await installMocks("test");
        assert.throws(
            () => new Namespace("env", { name: "Prod_NS", quota: { requestsMemory: "8GB" }, limits: { defaultLimitCpu: "8", maxCpu: "4" } }),
            (e: Error) =>
                e instanceof InvalidArgumentError && /name = "Prod_NS" must be a DNS label/.test(e.message) && /quota.requestsMemory = "8GB"/.test(e.message),
        );
        assert.throws(
            () => new Namespace("env", { limits: { defaultLimitCpu: "8", maxCpu: "4" } }),
            /limits.defaultLimitCpu = "8" exceeds limits.maxCpu = "4"/,
        );
        assert.equal(rec.resources.length, 0);
    });
});

describe("Namespace ordering by construction", () => {
    it("a WebService placed with `namespace: env.name` depends on the quota, defaults and policies, and registers after them", async () => {
        const recorder = await installMocks("test");
        const env = new Namespace("env", { name: "shop" });
        new WebService("web", { namespace: env.name, image: "example/web@sha256:" + "a".repeat(64) });
        await settle(recorder);
        const index = (type: string, name: string) => recorder.resources.findIndex((r) => r.type === type && r.name === name);
        const guards = [
            ["kubernetes:core/v1:ResourceQuota", "env-quota"],
            ["kubernetes:core/v1:LimitRange", "env-limits"],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "env-default-deny"],
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "env-allow-dns"],
        ];
        const deployment = recorder.resources[index("kubernetes:apps/v1:Deployment", "web")];
        for (const [type, name] of guards) {
            assert.ok(index(type, name) >= 0 && index(type, name) < index("kubernetes:apps/v1:Deployment", "web"), `${name} registers first`);
            assert.ok(
                deployment.options.dependencies?.some((urn) => urn.endsWith(`::${name}`)),
                `the Deployment depends on ${name}: ${deployment.options.dependencies}`,
            );
        }
    });
});
