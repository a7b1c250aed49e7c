/**
 * Loads the program the way `pulumi up` does, in a process of its own started by
 * scripts/engine/nodeRuntime.cjs (which compiles it by the Node.js runtime's rules), and prints
 * what it registered and how it was compiled, as JSON, for tests/stacks/entry.test.ts.
 *
 *   node scripts/engine/nodeRuntime.cjs <program directory> tests/stacks/programProbe.ts <stack> <entry>
 */
import { installMocks, settle } from "../../scripts/render/mockRuntime";
import { stackFileConfig } from "../../stacks/stackFiles";

/** What ts-node's register() leaves on `process` (ts-node 10's REGISTER_INSTANCE). */
const TS_NODE_SERVICE = Symbol.for("ts-node.register.instance");

async function main(): Promise<void> {
    const [stack, entry] = process.argv.slice(2);
    const recorder = await installMocks(stack, stackFileConfig(stack));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as `pulumi up` loads it
    const exported = require(entry) as Record<string, unknown>;
    await settle(recorder);
    const service = (process as unknown as Record<symbol, { options: Record<string, unknown> } | undefined>)[TS_NODE_SERVICE];
    const report = {
        resources: recorder.registrations,
        outputs: Object.keys(exported).sort(),
        compiler: { transpileOnly: service?.options.transpileOnly === true },
    };
    process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
});
