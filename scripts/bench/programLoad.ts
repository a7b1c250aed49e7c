/**
 * What one `pulumi up` of prod spends in the program's own process: Node.js starting, the modules
 * loading (compiled by Sucrase as stacks/main.js does, by ts-node, or already JavaScript), and the
 * program evaluating under Pulumi mocks until every resource is registered.
 * scripts/bench/evaluation.py times whole runs of it each way.
 *
 *   node --require sucrase/register/ts scripts/bench/programLoad.ts <config.json>
 *   node -r ts-node/register/transpile-only scripts/bench/programLoad.ts <config.json>
 *   node out/bench-js/scripts/bench/programLoad.js <config.json>
 *
 * <config.json>: the stack's configuration, full keys (the compiled copy cannot find the stack files
 * from where it lives).
 */
import * as fs from "fs";
import { installMocks, settle } from "../render/mockRuntime";
import { platformProgram } from "../../stacks/program";

async function main(): Promise<void> {
    const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as Record<string, unknown>;
    const recorder = await installMocks("prod", config);
    platformProgram();
    await settle(recorder);
    if (recorder.resources.length === 0) {
        throw new Error("the program registered nothing");
    }
}

main().catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
});
