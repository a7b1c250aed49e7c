/**
 * npm run render -- [--overlay <config.json>] [--out <dir>] <stack> [<stack> …]
 * Writes every Kubernetes object the program would create for each stack to out/<stack>/ (or
 * <dir>/<stack>/). An overlay is a JSON object of full configuration keys merged over the stack
 * file, e.g. {"fastapi-k8s:images": {"repositoryPrefix": "127.0.0.1:5000/fastapi-k8s"}}.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT, STACKS } from "../../stacks/stackFiles";
import { renderStack, writeManifests } from "./manifests";

/** An overlay file: a JSON object of full configuration keys ("fastapi-k8s:…", "kubernetes:…"). */
function readOverlay(file: string): Record<string, unknown> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`--overlay ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(`--overlay ${file}: expected a JSON object of configuration keys, e.g. {"fastapi-k8s:namespace": "team-a"}`);
    }
    const bad = Object.keys(parsed).filter((key) => !/^[a-z][a-z0-9-]*:[A-Za-z][A-Za-z0-9.]*$/.test(key));
    if (bad.length > 0) {
        throw new Error(
            `--overlay ${file}: ${bad.map((k) => JSON.stringify(k)).join(", ")} are not configuration keys; expected "<namespace>:<key>", e.g. "fastapi-k8s:namespace"`,
        );
    }
    return parsed as Record<string, unknown>;
}

async function main(): Promise<void> {
    const { values, positionals } = parseArgs({
        options: { overlay: { type: "string" }, out: { type: "string", default: path.join(REPO_ROOT, "out") } },
        allowPositionals: true,
        strict: true,
    });
    const overlay = values.overlay ? readOverlay(values.overlay) : {};
    const stacks = positionals.length ? positionals : [...STACKS];
    for (const stack of stacks) {
        if (!(STACKS as readonly string[]).includes(stack)) {
            throw new Error(`unknown stack "${stack}"; expected one of ${STACKS.join(", ")}`);
        }
        const dir = path.join(values.out!, stack);
        const files = writeManifests(dir, await renderStack(stack, overlay));
        console.log(`${stack}: ${files.length} objects → ${path.relative(process.cwd(), dir) || dir}/`);
    }
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
