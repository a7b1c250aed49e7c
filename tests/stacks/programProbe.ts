/**
 * Loads the program the way `pulumi up` does, in a process of its own that
 * scripts/engine/nodeRuntime.cjs prepared by the Node.js runtime's rules (through
 * programProbe.cjs), and prints as JSON what it registered and exported, and which TypeScript
 * loaders the runtime had registered before it, for tests/stacks/entry.test.ts.
 */
import { installMocks, settle, valueOf } from "../../scripts/render/mockRuntime";
import { stackFileConfig } from "../../stacks/stackFiles";

async function main(): Promise<void> {
    const [stack, entry, loadersBefore] = process.argv.slice(2);
    const recorder = await installMocks(stack, stackFileConfig(stack));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as `pulumi up` loads it
    const exported = require(entry) as Record<string, unknown>;
    await settle(recorder);
    const outputs: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(exported)) {
        outputs[name] = await valueOf(output as any); // JSON drops an undefined one, so its name goes missing
    }
    const report = { resources: recorder.registrations, outputs, loadersBefore: JSON.parse(loadersBefore) };
    process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
});
