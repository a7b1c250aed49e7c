import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The project directory: Pulumi.yaml and the stack files. The one definition of the root. */
export const REPO_ROOT = path.resolve(__dirname, "..");
/** The stacks, in promotion order: a release goes dev → staging → prod. */
export const STACKS = ["dev", "staging", "prod"] as const;
/** The stacks whose data and images are guarded: digests only, destructive plans refused, a backup first. */
export const GUARDED_STACKS: readonly string[] = ["staging", "prod"];

/** A project or stack file's YAML; a syntax error names the file, with the line and column. */
export function readYamlFile(file: string): unknown {
    const text = fs.readFileSync(file, "utf8");
    try {
        return parse(text);
    } catch (error) {
        throw new Error(`${path.basename(file)} (${file}) is not valid YAML: ${(error as Error).message}`, { cause: error });
    }
}

/** The defaults Pulumi.yaml declares for the project's keys, keyed by full key. */
function projectDefaults(dir: string): Record<string, unknown> {
    const project = readYamlFile(path.join(dir, "Pulumi.yaml")) as {
        name: string;
        config: Record<string, { default?: unknown }>;
    };
    return Object.fromEntries(
        Object.entries(project.config)
            .filter(([, declaration]) => declaration.default !== undefined)
            .map(([key, declaration]) => [`${project.name}:${key}`, declaration.default]),
    );
}

/**
 * The configuration the engine would hand the program for a stack: Pulumi.yaml's defaults
 * overlaid by the `config:` map of Pulumi.<stack>.yaml, keyed by full key ("fastapi-k8s:frontend").
 */
export function stackFileConfig(stack: string, dir: string = REPO_ROOT): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const settings = readYamlFile(file) as { config?: unknown } | null;
    const config = settings?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new Error(`${path.basename(file)} (${file}): \`config:\` must be a mapping of keys to values, e.g. "fastapi-k8s:namespace: fastapi-dev"`);
    }
    return { ...projectDefaults(dir), ...(config as Record<string, unknown>) };
}

/** The same map without the project prefix, as parseStackConfig takes it. */
export function stackRawConfig(stack: string, dir: string = REPO_ROOT): Record<string, unknown> {
    return Object.fromEntries(Object.entries(stackFileConfig(stack, dir)).map(([k, v]) => [k.replace(/^fastapi-k8s:/, ""), v]));
}
