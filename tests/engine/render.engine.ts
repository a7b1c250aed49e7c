/**
 * Every stack on the real Pulumi engine (CLI, kubernetes and random providers built by
 * scripts/engine/build.sh), with the Kubernetes provider rendering to a directory instead of a
 * cluster: preview, up, the rendered YAML against the mock rendering and the manifest checkers,
 * no secret in clear outside the Secret objects, a second up that changes nothing, destroy.
 *
 * dev normally builds its images with @pulumi/docker; no docker provider can be built here (its
 * module is refused by the Go proxy), so dev runs with image building turned off by config and
 * references pinned by digest, as staging and prod always do.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Manifest, deepMerge, redactSecret, renderStack } from "../../scripts/render/manifests";
import { checkersBin, checkov, kubeScore, kubernetesValidate } from "../../scripts/checks/tools";
import { STACKS, stackFileConfig } from "../../stacks/stackFiles";
import { pulumiCli } from "../../scripts/engine/workspace";
import { ScratchStack, collect, scratchStack } from "./project";
import { recordTiming } from "./timings";

const PINNED_IMAGES = {
    "fastapi-k8s:images": {
        mode: "prebuilt",
        refs: Object.fromEntries(["frontend", "backend", "analytics"].map((s, i) => [s, `127.0.0.1:5000/fastapi-k8s/${s}@sha256:${String(i + 1).repeat(64)}`])),
    },
};

/** The overlay each stack runs with: pinned images for dev (see above), nothing for the others. */
const overlayFor = (stack: string): Record<string, unknown> => (stack === "dev" ? PINNED_IMAGES : {});

interface StateResource {
    type: string;
    protect?: boolean;
    retainOnDelete?: boolean;
    outputs?: { kind?: string; metadata?: { name?: string; namespace?: string } };
}

const key = (m: Manifest) => `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;

/** The objects the engine rendered, by kind/namespace/name. */
function readRendered(dir: string): Map<string, Manifest> {
    const manifests = new Map<string, Manifest>();
    const manifestDir = path.join(dir, "1-manifest");
    for (const file of fs.existsSync(manifestDir) ? fs.readdirSync(manifestDir) : []) {
        const manifest = parse(fs.readFileSync(path.join(manifestDir, file), "utf8")) as Manifest;
        manifests.set(key(manifest), manifest);
    }
    return manifests;
}

/**
 * A manifest with Secret values redacted, and `stringData` folded into `data` as the provider (and
 * the API server) does.
 */
function comparable(manifest: Manifest): Manifest {
    if (manifest.kind !== "Secret") {
        return manifest;
    }
    const { stringData, ...rest } = manifest as Manifest & { stringData?: object; data?: object };
    return redactSecret({ ...rest, data: { ...(rest.data ?? {}), ...(stringData ?? {}) } } as Manifest);
}

/** Every value the generated Secrets hold, decoded: what must never appear anywhere else. */
function secretValues(rendered: Map<string, Manifest>): string[] {
    return [...rendered.values()]
        .filter((m) => m.kind === "Secret")
        .flatMap((m) => Object.entries((m.data ?? {}) as Record<string, string>))
        .filter(([name]) => ["password", "current", "previous", "DATABASE_URL"].includes(name))
        .map(([, encoded]) => Buffer.from(encoded, "base64").toString("utf8"));
}

/** Every file under `dir` as text. */
function allText(dir: string): string {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
        .join("\n");
}

for (const stackName of STACKS) {
    describe(`${stackName} on the real engine, rendering to a directory`, function () {
        this.timeout(20 * 60 * 1000);
        let scratch: ScratchStack;
        let renderDir: string;
        let rendered: Map<string, Manifest>;

        before(async () => {
            const overlay = overlayFor(stackName);
            const merged = deepMerge(stackFileConfig(stackName), overlay);
            scratch = await scratchStack(stackName, Object.fromEntries(Object.keys(overlay).map((k) => [k, merged[k]])));
            renderDir = path.join(scratch.dir, "rendered");
            await scratch.stack.setConfig("fastapi-k8s:renderYamlToDirectory", { value: renderDir });
        });

        // The temp directory holds rendered Secrets in clear (that is what render mode writes).
        after(() => scratch?.remove());

        it("previews creates only, then `up` creates exactly those", async () => {
            const started = Date.now();
            const preview = await scratch.stack.preview({ onOutput: collect(scratch.output) });
            const previewMs = Date.now() - started;
            assert.deepStrictEqual(Object.keys(preview.changeSummary), ["create"], JSON.stringify(preview.changeSummary));
            const up = await scratch.stack.up({ onOutput: collect(scratch.output) });
            assert.strictEqual(up.summary.result, "succeeded");
            assert.deepStrictEqual(up.summary.resourceChanges, preview.changeSummary);
            recordTiming(stackName, { previewMs, previewAndUpMs: Date.now() - started, resources: preview.changeSummary.create! });
            rendered = readRendered(renderDir);
        });

        it("renders the same objects, field for field, as the program under mocks", async () => {
            const expected = await renderStack(stackName, overlayFor(stackName));
            assert.deepStrictEqual([...rendered.keys()].sort(), expected.map(key).sort());
            for (const manifest of expected) {
                const actual = rendered.get(key(manifest))!;
                assert.deepStrictEqual(comparable(actual), comparable(JSON.parse(JSON.stringify(manifest))), key(manifest));
            }
        });

        it("passes kubernetes-validate, checkov and kube-score as rendered by the engine", () => {
            const bin = checkersBin(path.resolve(__dirname, "..", ".."));
            const dir = path.join(renderDir, "1-manifest");
            for (const result of [kubernetesValidate(bin, stackName, dir, "1.33.0"), checkov(bin, stackName, dir), kubeScore(bin, stackName, dir)]) {
                assert.ok(result.run > 0, `${result.tool} ran no check`);
                assert.deepStrictEqual(result.findings, [], `${result.tool} on ${stackName}`);
            }
        });

        it("keeps generated passwords and keys out of state, outputs and logs", async () => {
            const secrets = secretValues(rendered);
            assert.ok(secrets.length >= 3, `expected the generated credentials in the rendered Secrets, found ${secrets.length}`);
            const exported = pulumiCli(scratch.stack, ["stack", "export"]);
            const places = {
                "pulumi stack export": exported,
                "state files": allText(path.join(scratch.dir, "state")),
                "stack outputs": JSON.stringify(await scratch.stack.outputs()),
                "CLI output": scratch.output.join(""),
                "stack file": fs.readFileSync(path.join(scratch.dir, `Pulumi.${stackName}.yaml`), "utf8"),
            };
            for (const [place, text] of Object.entries(places)) {
                for (const secret of secrets) {
                    assert.ok(!text.includes(secret), `a generated secret appears in clear in the ${place}`);
                    assert.ok(!text.includes(Buffer.from(secret).toString("base64")), `a generated secret appears base64-encoded in the ${place}`);
                }
            }
            assert.match(exported, /"ciphertext"/, "secret values are stored encrypted");
        });

        it("changes nothing on a second preview and up", async () => {
            const preview = await scratch.stack.preview({ onOutput: collect(scratch.output) });
            assert.deepStrictEqual(Object.keys(preview.changeSummary), ["same"], JSON.stringify(preview.changeSummary));
            const up = await scratch.stack.up({ onOutput: collect(scratch.output) });
            assert.deepStrictEqual(Object.keys(up.summary.resourceChanges ?? {}), ["same"], JSON.stringify(up.summary.resourceChanges));
        });

        it("destroys what is not protected, keeps what is retained on delete", async () => {
            const resources: StateResource[] = JSON.parse(pulumiCli(scratch.stack, ["stack", "export"])).deployment.resources;
            const objectKey = (r: StateResource) => `${r.outputs?.kind}/${r.outputs?.metadata?.namespace ?? ""}/${r.outputs?.metadata?.name}`;
            const isObject = (r: StateResource) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:index");
            const protectedOnes = resources.filter((r) => r.protect);
            if (protectedOnes.length > 0) {
                // prod protects its data: destroy must refuse, naming the resource, until unprotected.
                await assert.rejects(scratch.stack.destroy({ onOutput: collect(scratch.output) }), /cannot be deleted\s+because it is protected/);
                pulumiCli(scratch.stack, ["state", "unprotect", "--all", "--yes"]);
            }
            const destroy = await scratch.stack.destroy({ onOutput: collect(scratch.output) });
            assert.strictEqual(destroy.summary.result, "succeeded");
            const retained = resources
                .filter((r) => r.retainOnDelete && isObject(r))
                .map(objectKey)
                .sort();
            assert.deepStrictEqual([...readRendered(renderDir).keys()].sort(), retained, "rendered files left = objects retained on delete");
            assert.deepStrictEqual(JSON.parse(pulumiCli(scratch.stack, ["stack", "export"])).deployment.resources ?? [], []);
            recordTiming(stackName, { protectedResources: protectedOnes.length, retainedObjects: retained.length });
        });
    });
}
