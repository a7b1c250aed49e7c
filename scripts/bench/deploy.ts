/**
 * One `pulumi up` or `pulumi destroy` of a scratch project's dev stack on the real engine
 * (scripts/engine: the Automation API's up, i.e. `pulumi up --yes --skip-preview`). The deploy
 * bench (scripts/bench/deploy.py) times whole runs of it, beside kubectl.
 *
 *   node --require sucrase/register/ts scripts/bench/deploy.ts <project directory> up|destroy
 *
 * Backend and passphrase: $PULUMI_BACKEND_URL and $PULUMI_CONFIG_PASSPHRASE, as the bench sets them.
 */
import { openStack } from "../engine/workspace";

async function main(): Promise<void> {
    const [workDir, action] = process.argv.slice(2);
    if (!workDir || (action !== "up" && action !== "destroy")) {
        throw new Error("usage: deploy.ts <project directory> up|destroy");
    }
    const stack = await openStack({ stack: "dev", workDir });
    const options = { color: "never" as const, onOutput: (out: string) => process.stdout.write(out) };
    const result = action === "up" ? await stack.up(options) : await stack.destroy(options);
    if (result.summary.result !== "succeeded") {
        throw new Error(`${action} ended ${result.summary.result}`);
    }
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
