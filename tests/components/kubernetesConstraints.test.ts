import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BlueGreenService } from "../../components/blueGreenService";
import { InvalidArgumentError } from "../../components/errors";
import { imageReferenceProblem, ingressHostProblem, labelValueProblem, namespaceProblem } from "../../components/kubernetesNames";
import { Namespace } from "../../components/namespace";
import { PostgresDatabase } from "../../components/postgresDatabase";
import { WebService } from "../../components/webService";
import { installMocks, settle } from "../../scripts/render/mockRuntime";

const DIGEST = "@sha256:" + "a".repeat(64);

/** Asserts `build` throws an InvalidArgumentError naming every `expected` text, with nothing registered. */
async function refused(build: () => unknown, expected: RegExp[]): Promise<void> {
    const recorder = await installMocks("test");
    assert.throws(build, (e: Error) => {
        assert.ok(e instanceof InvalidArgumentError, `expected an InvalidArgumentError, got ${e}`);
        for (const pattern of expected) {
            assert.match(e.message, pattern);
        }
        return true;
    });
    await settle(recorder, 5);
    assert.deepEqual(
        recorder.resources.map((r) => r.type),
        [],
        "nothing registered",
    );
}

describe("Kubernetes' own constraints, checked by the components before they register anything", () => {
    it("knows what the API server accepts", () => {
        for (const ok of ["1.0.0", "v2_rc.1", "", "a"]) assert.equal(labelValueProblem(ok), undefined, ok);
        for (const bad of ["1.0.0+build", "-x", "x".repeat(64), "a b"]) assert.ok(labelValueProblem(bad), bad);
        for (const ok of ["app.example.com", "*.example.com", "a"]) assert.equal(ingressHostProblem(ok), undefined, ok);
        for (const bad of ["App.example.com", "*", "10.1.2.3", "a..b", "a_b.com", "::1"]) assert.ok(ingressHostProblem(bad), bad);
        for (const ok of ["postgres", "postgres:17.6-bookworm", "127.0.0.1:5000/team/app" + DIGEST, "registry.example.com/a/b:c" + DIGEST, "[::1]:5000/x"]) {
            assert.equal(imageReferenceProblem(ok), undefined, ok);
        }
        for (const bad of ["Team/app", "app:", "app@sha256:abc", "a//b", "app:" + "t".repeat(129), "-app", ""]) assert.ok(imageReferenceProblem(bad), bad);
        for (const bad of ["kube-system", "default", "kube-public", "kube-node-lease", "Bad"]) assert.ok(namespaceProblem(bad), bad);
        assert.equal(namespaceProblem("2024"), undefined);
    });

    it("WebService: a version, image, env name or mount path Kubernetes would refuse", async () => {
        await refused(
            () =>
                new WebService("web", {
                    namespace: "ns",
                    image: "Example/Web:1",
                    version: "1.0+build",
                    env: { "X Y": "x", "9LIVES": "y" },
                    secretFiles: [
                        { secretName: "keys", mountPath: "/tmp" },
                        { secretName: "Bad_Name", mountPath: "/etc/k" },
                    ],
                    ingress: { host: "WEB.example.com", className: "Public Nginx", tlsSecretName: "web_tls" },
                }),
            [
                /image = "Example\/Web:1" must be an image reference/,
                /version = "1.0\+build" must be usable as a label value/,
                /env key = "X Y" must be a setting name/,
                /writableDirs mountPath "\/tmp" is already used by secretFiles "keys"/,
                /secretName = "Bad_Name"/,
                /ingress.host = "WEB.example.com"/,
                /ingress.className = "Public Nginx"/,
                /ingress.tlsSecretName = "web_tls"/,
            ],
        );
    });

    it("WebService: a cert-manager issuer without a TLS Secret to write, or with a bad name or kind", async () => {
        const web = (ingress: object) => () => new WebService("web", { namespace: "ns", image: "example/web" + DIGEST, version: "1", ingress } as never);
        await refused(web({ host: "app.example.com", certificateIssuer: { name: "letsencrypt" } }), [
            /ingress.certificateIssuer = "letsencrypt" is only allowed with ingress.tlsSecretName set: the Secret cert-manager writes the certificate into/,
        ]);
        await refused(web({ host: "app.example.com", tlsSecretName: "web-tls", certificateIssuer: { name: "Lets_Encrypt", kind: "Vault" } }), [
            /ingress.certificateIssuer.name = "Lets_Encrypt"/,
            /ingress.certificateIssuer.kind = "Vault" is not one of ClusterIssuer, Issuer/,
        ]);
    });

    it("BlueGreenService: a bad green release or live Service is refused before the blue one exists", async () => {
        await refused(
            () =>
                new BlueGreenService("web", {
                    namespace: "ns",
                    activeColor: "blue",
                    blue: { image: "example/web" + DIGEST, version: "1.0.0" },
                    green: { image: "example/web" + DIGEST, version: "1.1.0+rc" },
                    service: { type: "ClusterIP", nodePort: 30080 },
                    ingress: { host: "Web.Example.com" },
                }),
            [
                /green: version = "1.1.0\+rc"/,
                /blue: service.nodePort = 30080 is only allowed when service.type is "NodePort" \(it is "ClusterIP"\)/,
                /green: ingress.host/,
            ],
        );
    });

    it("Namespace: refuses the namespaces Kubernetes itself runs in", async () => {
        for (const name of ["kube-system", "default"]) {
            await refused(() => new Namespace("env", { name }), [new RegExp(`name = "${name}" is reserved for Kubernetes itself`)]);
        }
    });

    it("PostgresDatabase: an empty volume, a storage class or image the API server or runtime would refuse", async () => {
        await refused(
            () => new PostgresDatabase("db", { namespace: "ns", storageSize: "0", storageClassName: "Fast_SSD", image: "postgres@sha256:123" }),
            [/storageSize = "0" is not valid; expected a size greater than zero/, /storageClassName = "Fast_SSD"/, /image = "postgres@sha256:123"/],
        );
    });
});

describe("WebService env", () => {
    it("refuses a secret value: it never reaches a ConfigMap, and the error says where it belongs", async () => {
        const recorder = await installMocks("test");
        const failures: unknown[] = [];
        const onRejection = (reason: unknown) => failures.push(reason);
        process.on("unhandledRejection", onRejection);
        try {
            new WebService("web", { namespace: "ns", image: "example/web" + DIGEST, env: { MODE: "x", DB_PASSWORD: pulumi.secret("hunter2-in-clear") } });
            await settle(recorder, 5);
            await new Promise((resolve) => setTimeout(resolve, 500));
        } finally {
            process.off("unhandledRejection", onRejection);
        }
        // The program fails with the reason (the engine reports the rejection and stops the update).
        assert.ok(
            failures.length > 0 && failures.every((f) => /env holds a secret value, which a ConfigMap would store in clear: .* secretFiles/.test(String(f))),
            String(failures),
        );
        assert.deepEqual(recorder.ofType("kubernetes:core/v1:ConfigMap"), [], "no ConfigMap");
        // (The component's own inputs carry it as a secret, encrypted in state like any secret input.)
        const objects = recorder.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(!JSON.stringify(objects).includes("hunter2-in-clear"), "no Kubernetes object holds the secret");
    });

    it("keeps plain settings", async () => {
        const recorder = await installMocks("test");
        new WebService("web", { namespace: "ns", image: "example/web" + DIGEST, env: { MODE: "x" } });
        await settle(recorder);
        assert.equal(recorder.ofType("kubernetes:core/v1:ConfigMap")[0].inputs.data.MODE, "x");
    });
});
