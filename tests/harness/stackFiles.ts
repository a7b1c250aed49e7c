import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const STACKS = ["dev", "staging", "prod"] as const;

/** The `config:` map of Pulumi.<stack>.yaml, keyed by full key ("fastapi-k8s:frontend"). */
export function stackFileConfig(stack: string): Record<string, unknown> {
    const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    return (parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
}

/** The same map without the project prefix, as parseStackConfig takes it. */
export function stackRawConfig(stack: string): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(stackFileConfig(stack)).map(([k, v]) => [k.replace(/^fastapi-k8s:/, ""), v]),
    );
}
