/**
 * The escape hatch docs/naming.md offers for what the components' arguments do not cover:
 * Pulumi's `transforms` option (docs/examples/tolerations.ts), run by the real engine, which
 * applies it — mocks do not. Rendered to a directory, so no cluster is needed.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import { WebService } from "../../components";
import { tolerateDedicatedWebNodes } from "../../docs/examples/tolerations";
import { openStack } from "../../scripts/engine/workspace";

describe("transforms on a component, applied by the real engine", function () {
    let dir: string;
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("adds the tolerations to the WebService's Deployment and changes nothing else", async () => {
        // A project of its own: the platform's Pulumi.yaml requires the platform's configuration.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "transforms-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: transforms-example\nruntime: nodejs\n");
        const rendered = (name: string) => path.join(dir, name);
        const program = (withTransform: boolean) => async () => {
            const provider = new k8s.Provider("render", { renderYamlToDirectory: rendered(withTransform ? "with" : "without") });
            new WebService(
                "api",
                { namespace: "shop", image: `example/api@sha256:${"a".repeat(64)}`, replicas: 2 },
                { providers: { kubernetes: provider }, transforms: withTransform ? [tolerateDedicatedWebNodes] : [] },
            );
        };
        const up = async (withTransform: boolean) => {
            const stack = await openStack({
                stack: withTransform ? "with" : "without",
                workDir: dir,
                backendUrl: `file://${path.join(dir, "state")}`,
                passphrase: crypto.randomBytes(24).toString("base64url"),
                program: program(withTransform),
            });
            await stack.up();
        };
        await up(true);
        await up(false);

        const manifests = (variant: string) => {
            const manifestDir = path.join(rendered(variant), "1-manifest");
            return Object.fromEntries(fs.readdirSync(manifestDir).map((f) => [f, parse(fs.readFileSync(path.join(manifestDir, f), "utf8"))]));
        };
        const [withIt, without] = [manifests("with"), manifests("without")];
        assert.deepEqual(Object.keys(withIt).sort(), Object.keys(without).sort(), "the same objects");
        const deploymentFile = Object.keys(withIt).find((f) => withIt[f].kind === "Deployment")!;
        const { tolerations, ...podSpec } = withIt[deploymentFile].spec.template.spec;
        assert.deepEqual(tolerations, [{ key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" }]);
        assert.deepEqual(podSpec, without[deploymentFile].spec.template.spec, "the rest of the pod spec as the component made it");
        for (const file of Object.keys(without).filter((f) => f !== deploymentFile)) {
            assert.deepEqual(withIt[file], without[file], `${file} untouched`);
        }
    });
});
