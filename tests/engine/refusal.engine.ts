/**
 * What a user reads when the engine runs the program with a bad stack value or a bad component
 * argument: the refusal, and nothing else — no "unhandled exception", no stack frames, no object
 * dump. The SDK prints a pulumi.RunError without its stack, which both refusals are.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WebService } from "../../components";
import { openStack } from "../../scripts/engine/workspace";
import { collect, scratchStack } from "./project";

/** Everything the preview printed and the error it failed with, as one text. */
async function failedPreview(preview: (onOutput: (text: string) => void) => Promise<unknown>): Promise<string> {
    const output: string[] = [];
    const error = await preview(collect(output)).then(
        () => assert.fail("the preview succeeded"),
        (failure: Error) => failure,
    );
    return `${output.join("")}\n${error.message}`;
}

/** Lines that show a refusal was printed as a crash. */
const CRASH = [/unhandled exception/i, /^\s+at .+:\d+:\d+\)?$/m, /StackConfigError:|InvalidArgumentError:/];

describe("refusals on the real engine", function () {
    this.timeout(10 * 60 * 1000);

    it("a bad stack value is printed as its refusal alone", async () => {
        const scratch = await scratchStack("dev", { "fastapi-k8s:namespace": "Bad_Namespace" });
        try {
            const text = await failedPreview((onOutput) => scratch.stack.preview({ onOutput }));
            assert.match(
                text,
                /Invalid configuration for stack "dev" \(Pulumi\.dev\.yaml\):\n\s+- fastapi-k8s:namespace = "Bad_Namespace": must be a DNS label/,
            );
            for (const crash of CRASH) assert.doesNotMatch(text, crash);
        } finally {
            scratch.remove();
        }
    });

    it("a bad component argument in a user's program is printed as its refusal alone", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "refusal-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: refusal-example\nruntime: nodejs\n");
            const stack = await openStack({
                stack: "dev",
                workDir: dir,
                backendUrl: `file://${path.join(dir, "state")}`,
                passphrase: crypto.randomBytes(24).toString("base64url"),
                program: async () => {
                    new WebService("api", { namespace: "shop", image: "example/api:1", replicas: 0 });
                },
            });
            const text = await failedPreview((onOutput) => stack.preview({ onOutput }));
            assert.match(text, /WebService "api": invalid arguments:\n\s+- replicas = 0 /);
            for (const crash of CRASH) assert.doesNotMatch(text, crash);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
