import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { exemptionAnnotations, exemptionProblems } from "../components/checkExemptions";
import { REDACTED, kubernetesKind, renderStack, writeManifests } from "../scripts/render/manifests";
import { MOCK_PASSWORD_PREFIX } from "../scripts/render/mockRuntime";
import { STACKS } from "../stacks/stackFiles";

describe("render", () => {
    it("maps Pulumi type tokens to apiVersion and kind", () => {
        assert.deepEqual(kubernetesKind("kubernetes:core/v1:Service"), { apiVersion: "v1", kind: "Service" });
        assert.deepEqual(kubernetesKind("kubernetes:networking.k8s.io/v1:NetworkPolicy"), { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" });
        assert.equal(kubernetesKind("random:index/randomPassword:RandomPassword"), undefined);
        assert.equal(kubernetesKind("pulumi:providers:kubernetes"), undefined);
    });

    for (const stack of STACKS) {
        it(`${stack}: writes one file per object of the real program, with every Secret value redacted`, async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `render-${stack}-`));
            const files = writeManifests(dir, await renderStack(stack));
            const objects = files.map((f) => parse(fs.readFileSync(f, "utf8")));
            assert.equal(new Set(files).size, files.length, "file names are unique");
            assert.ok(objects.every((o) => o.apiVersion && o.kind && o.metadata?.name));
            const kinds = new Set(objects.map((o) => o.kind));
            for (const kind of ["Namespace", "Deployment", "StatefulSet", "Service", "NetworkPolicy", "Secret", "ConfigMap", "ResourceQuota", "LimitRange"]) {
                assert.ok(kinds.has(kind), `${kind} rendered`);
            }
            for (const secret of objects.filter((o) => o.kind === "Secret")) {
                assert.ok(Object.values(secret.data).every((v) => v === REDACTED));
            }
            for (const file of files) {
                assert.ok(!fs.readFileSync(file, "utf8").includes(MOCK_PASSWORD_PREFIX), `${file} holds a secret`);
            }
        });
    }
});

describe("check exemptions", () => {
    it("become each tool's skip annotation, with the reason on the object", () => {
        assert.deepEqual(
            exemptionAnnotations([
                { check: "checkov:CKV_K8S_43", reason: "local build" },
                { check: "checkov:CKV_K8S_15", reason: "immutable tag" },
                { check: "kube-score:deployment-replicas", reason: "one replica" },
                { check: "kube-linter:no-anti-affinity", reason: "single node" },
            ]),
            {
                "checkov.io/skip1": "CKV_K8S_43=local build",
                "checkov.io/skip2": "CKV_K8S_15=immutable tag",
                "kube-score/ignore": "deployment-replicas",
                "exemptions.fastapi-k8s/kube-score.deployment-replicas": "one replica",
                "ignore-check.kube-linter.io/no-anti-affinity": "single node",
            },
        );
    });

    it("are refused without a reason or for an unknown tool", () => {
        assert.deepEqual(
            exemptionProblems([
                { check: "checkov:CKV_K8S_43", reason: " " },
                { check: "trivy:X", reason: "r" },
            ]),
            ['exemption "checkov:CKV_K8S_43" needs a reason', 'exemption "trivy:X" must be "<tool>:<check>" with tool one of checkov, kube-score, kube-linter'],
        );
    });
});
