/**
 * Opens a stack of this project on the real Pulumi engine through the Automation API.
 *
 * The program runs inline (stacks/program.ts in this Node.js process, which serves the language
 * runtime the CLI connects to), so no pulumi-language-nodejs is needed. The CLI and providers come
 * from scripts/engine/build.sh, or from an ambient `pulumi` on PATH when there is one.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as auto from "@pulumi/pulumi/automation";
import { platformProgram } from "../../stacks/program";
import { REPO_ROOT } from "../../stacks/stackFiles";

export { REPO_ROOT };

/** The project-local backend used when PULUMI_BACKEND_URL names none. */
export const LOCAL_STATE_DIR = path.join(REPO_ROOT, ".state");

export interface OpenStackOptions {
    /** Stack name: dev, staging or prod. */
    stack: string;
    /** Directory holding Pulumi.yaml and Pulumi.<stack>.yaml. Default: the repository root. */
    workDir?: string;
    /** Backend URL. Default: $PULUMI_BACKEND_URL, else file://<repo>/.state. */
    backendUrl?: string;
    /** The program to run inline. Default: the platform (stacks/program.ts). */
    program?: auto.PulumiFn;
    /** Passphrase for the stack's secrets. Default: $PULUMI_CONFIG_PASSPHRASE(_FILE), else a generated one kept beside a local backend. */
    passphrase?: string;
}

/** The engine: the ambient CLI, or the one built here (and its bin directory for providers). */
export interface Engine {
    command: auto.PulumiCommand;
    /** Where the built CLI and providers live; undefined when an ambient CLI serves. */
    binDir?: string;
}

let engine: Promise<Engine> | undefined;

/** Builds or finds the engine once per process. */
export function getEngine(): Promise<Engine> {
    engine ??= (async () => {
        const output = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "engine", "build.sh")], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        }).trim();
        const binDir = output.split("\n").pop() || undefined;
        const command = await auto.PulumiCommand.get(binDir ? { root: path.dirname(binDir), skipVersionCheck: true } : {});
        return { command, binDir };
    })();
    return engine;
}

/** Environment for every CLI call: no update checks; with the engine built here, its providers and no downloads. */
function engineEnv(found: Engine, passphrase: Record<string, string>, backendUrl: string): Record<string, string> {
    const env: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_BACKEND_URL: backendUrl, ...passphrase };
    if (found.binDir) {
        // The engine built here has its providers beside it; it must never try to download one.
        env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
        env.PATH = `${found.binDir}${path.delimiter}${process.env.PATH ?? ""}`;
        env.PULUMI_HOME = path.join(path.dirname(found.binDir), "home");
    }
    return env;
}

/** The passphrase source: the caller's, the environment's, or a generated file beside a local backend. */
function passphraseEnv(options: OpenStackOptions, backendUrl: string): Record<string, string> {
    if (options.passphrase !== undefined) {
        return { PULUMI_CONFIG_PASSPHRASE: options.passphrase };
    }
    for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) {
        if (process.env[name] !== undefined) {
            return { [name]: process.env[name]! };
        }
    }
    if (!backendUrl.startsWith("file://")) {
        return {};
    }
    const file = path.join(backendUrl.slice("file://".length), ".passphrase");
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
    }
    return { PULUMI_CONFIG_PASSPHRASE_FILE: file };
}

/** Selects (creating when needed) `options.stack` with the platform program (or `options.program`) inline. */
export async function openStack(options: OpenStackOptions): Promise<auto.Stack> {
    const found = await getEngine();
    const backendUrl = options.backendUrl ?? process.env.PULUMI_BACKEND_URL ?? `file://${LOCAL_STATE_DIR}`;
    if (backendUrl.startsWith("file://")) {
        fs.mkdirSync(backendUrl.slice("file://".length), { recursive: true });
    }
    const workspace = await auto.LocalWorkspace.create({
        workDir: options.workDir ?? REPO_ROOT,
        pulumiCommand: found.command,
        envVars: engineEnv(found, passphraseEnv(options, backendUrl), backendUrl),
        program: options.program ?? (async () => platformProgram()),
    });
    return auto.Stack.createOrSelect(options.stack, workspace);
}

/**
 * Runs the stack's CLI directly, for what the Automation API does not offer or does differently
 * (its exportStack decrypts secrets; `pulumi stack export` does not).
 */
export function pulumiCli(stack: auto.Stack, args: string[]): string {
    const workspace = stack.workspace as auto.LocalWorkspace;
    return execFileSync(workspace.pulumiCommand.command, [...args, "--stack", stack.name, "--non-interactive"], {
        cwd: workspace.workDir,
        env: { ...process.env, ...workspace.envVars },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
}
