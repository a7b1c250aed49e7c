/**
 * A throwaway copy of the project for engine tests: Pulumi.yaml and one stack file in a temp
 * directory (the CLI reads and may write them), a file backend inside it and a fresh passphrase,
 * so a test never touches the repository's stack files or anyone's state.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as auto from "@pulumi/pulumi/automation";
import { parse, stringify } from "yaml";
import { REPO_ROOT, openStack } from "../../scripts/engine/workspace";

export interface ScratchStack {
    stack: auto.Stack;
    dir: string;
    /** Everything the CLI printed, for the leak checks. */
    output: string[];
    remove(): void;
}

/**
 * A temp project directory: Pulumi.yaml, the stack files of `stacks` (each with `configFor(stack,
 * dir)`, full keys, replacing those keys) and `stacks/` linked, since the CLI checks that the
 * project's `main` exists even though the program runs inline.
 */
export function scratchProject(stacks: readonly string[], configFor: (stack: string, dir: string) => Record<string, unknown> = () => ({})): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.symlinkSync(path.join(REPO_ROOT, "stacks"), path.join(dir, "stacks"));
    for (const stackName of stacks) {
        const config = configFor(stackName, dir);
        // Overrides go into the stack file itself: objects stay objects, as the project declares them.
        const stackFile = `Pulumi.${stackName}.yaml`;
        const settings = parse(fs.readFileSync(path.join(REPO_ROOT, stackFile), "utf8")) as { config: Record<string, unknown> };
        settings.config = { ...settings.config, ...config };
        fs.writeFileSync(path.join(dir, stackFile), stringify(settings));
    }
    return dir;
}

/** One stack of a scratch project, with its own file backend and passphrase. */
export async function scratchStack(stackName: string, config: Record<string, unknown> = {}): Promise<ScratchStack> {
    const dir = scratchProject([stackName], () => config);
    const stack = await openStack({
        stack: stackName,
        workDir: dir,
        backendUrl: `file://${path.join(dir, "state")}`,
        passphrase: crypto.randomBytes(24).toString("base64url"),
    });
    return { stack, dir, output: [], remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Collects the CLI's output into `into`. */
export const collect = (into: string[]) => (text: string) => {
    into.push(text);
};
