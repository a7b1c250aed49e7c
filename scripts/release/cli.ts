/**
 * npm run deploy  -- <stack> [--images refs.json] [options]
 * npm run promote -- --to <staging|prod> [options]
 * npm run switch  -- <stack> <blue|green> [options]
 * npm run release-status -- <stack>
 *
 * options: --yes (apply without asking), --allow-data-loss (let the plan delete or replace
 * data-bearing resources in staging/prod), --refresh (read the cluster's state first),
 * --work-dir <dir> (where Pulumi.yaml and the stack files
 * are; default the repository), --rollout-timeout <seconds> (per workload during validation).
 *
 * Exit status: 0 released (or reported), 1 refused or failed (the previous release restored where
 * there was one), 2 bad usage.
 */
import { parseArgs } from "util";
import { STAGES } from "./releaseConfig";
import { deploy, promote, status, switchColor } from "./commands";
import { ReleaseOptions } from "./release";

class UsageError extends Error {}

const OPTIONS = {
    yes: { type: "boolean" },
    "allow-data-loss": { type: "boolean" },
    refresh: { type: "boolean" },
    "work-dir": { type: "string" },
    "rollout-timeout": { type: "string" },
    images: { type: "string" },
    to: { type: "string" },
} as const;

function stackArg(value: string | undefined, command: string): string {
    if (!value || !(STAGES as readonly string[]).includes(value)) {
        throw new UsageError(`${command}: expected a stack (${STAGES.join(", ")}), got ${value === undefined ? "nothing" : `"${value}"`}`);
    }
    return value;
}

function releaseOptions(stack: string, values: Record<string, string | boolean | undefined>): ReleaseOptions {
    const timeout = values["rollout-timeout"] as string | undefined;
    if (timeout !== undefined && !/^[1-9][0-9]*$/.test(timeout)) {
        throw new UsageError(`--rollout-timeout: expected whole seconds, got "${timeout}"`);
    }
    return {
        stack,
        yes: Boolean(values.yes),
        allowDataLoss: Boolean(values["allow-data-loss"]),
        refresh: Boolean(values.refresh),
        workDir: values["work-dir"] as string | undefined,
        rolloutTimeoutSeconds: timeout ? Number(timeout) : undefined,
    };
}

async function main(argv: string[]): Promise<void> {
    const [command, ...rest] = argv;
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    switch (command) {
        case "deploy":
            await deploy({ ...releaseOptions(stackArg(positionals[0], "deploy"), values), imagesFile: values.images });
            return;
        case "promote":
            if (values.to === "dev") {
                throw new UsageError("promote --to: dev is deployed (npm run deploy -- dev), not promoted; targets are staging and prod");
            }
            await promote(releaseOptions(stackArg(values.to, "promote --to"), values));
            return;
        case "switch": {
            const color = positionals[1];
            if (color !== "blue" && color !== "green") {
                throw new UsageError(`switch: expected a colour (blue or green), got ${color === undefined ? "nothing" : `"${color}"`}`);
            }
            await switchColor({ ...releaseOptions(stackArg(positionals[0], "switch"), values), color });
            console.log(JSON.stringify(status(positionals[0], values["work-dir"]), null, 2));
            return;
        }
        case "status":
            console.log(JSON.stringify(status(stackArg(positionals[0], "status"), values["work-dir"]), null, 2));
            return;
        default:
            throw new UsageError(`unknown command "${command ?? ""}"; expected deploy, promote, switch or status`);
    }
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: Error) => {
        console.error(`\n${error.message}`);
        process.exit(error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1);
    },
);
