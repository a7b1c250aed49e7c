import * as pulumi from "@pulumi/pulumi";
// The SDK's own test of whether a configuration value arrived as a secret (internal in its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret: (key: string) => boolean };
import { capacityIssues } from "./capacity";
import { ConfigIssue, StackConfigError, valueAt } from "./issues";
import { PROJECT, SECRET_KEYS, STRING_KEYS } from "./project";
import { crossFieldIssues, webTierRuleIssues } from "./rules";
import { StackConfig, stackConfigSchema } from "./schema";

export { StackConfigError } from "./issues";
export type { StackConfig } from "./schema";

/**
 * Validates raw configuration (key → value, keys without the project prefix) and returns it typed.
 * Every problem is collected into one StackConfigError naming the stack, key, value and what is
 * allowed. Pure: it registers nothing, so a bad configuration stops the program before any resource.
 */
export function parseStackConfig(stack: string, raw: Record<string, unknown>, plainSecrets: string[] = []): StackConfig {
    const parsed = stackConfigSchema.safeParse(raw);
    const tierIssues = [...plainSecretIssues(plainSecrets), ...webTierRuleIssues(raw)];
    if (!parsed.success) {
        const shapeIssues: ConfigIssue[] = parsed.error.issues.flatMap((issue) => {
            if (issue.code === "unrecognized_keys") {
                return issue.keys.map((k) => ({
                    key: [...issue.path, k].join("."),
                    value: valueAt(raw, [...issue.path, k]),
                    message: "unknown key; see the configuration reference in README.md",
                }));
            }
            const value = valueAt(raw, issue.path);
            const hint = issue.code === "invalid_type" ? quotingHint(issue.expected, value) : "";
            return [{ key: issue.path.join("."), value, message: value === undefined ? `required: ${issue.message}` : `${issue.message}${hint}` }];
        });
        throw new StackConfigError(stack, [...shapeIssues, ...tierIssues]);
    }
    const issues = [...tierIssues, ...crossFieldIssues(stack, parsed.data)];
    // Capacity sums the tiers' resources, which is only meaningful once each of them is sound.
    const capacity = issues.length > 0 ? [] : capacityIssues(parsed.data);
    if (issues.length + capacity.length > 0) {
        throw new StackConfigError(stack, [...issues, ...capacity]);
    }
    return parsed.data;
}

/**
 * Why YAML typed a value otherwise than meant, and the fix: quotes make text of a number, and turn
 * a number into text. An unquoted 1.10 is the number 1.1 by the time anything reads it, so the
 * message says so instead of showing a value the file does not hold.
 */
export function quotingHint(expected: string, value: unknown): string {
    if (expected === "number" && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
        return `; ${JSON.stringify(value)} is quoted, so it is text: write ${value.trim()} without quotes`;
    }
    if (expected === "string" && typeof value === "number") {
        const lost = Number.isInteger(value) ? "" : ", which may not be what the file says (an unquoted 1.10 is read as 1.1)";
        return `; YAML read it as the number ${value}${lost}: quote it as written, e.g. "${value}"`;
    }
    if (expected === "string" && typeof value === "boolean") {
        return `; YAML read it as ${value}, as it reads unquoted yes, no, true and false: quote it, e.g. "${value}"`;
    }
    return "";
}

/** Reads and validates the current stack's configuration from the Pulumi runtime. */
export function readStackConfig(): StackConfig {
    return parseStackConfig(pulumi.getStack(), rawProjectConfig(), plainSecretKeys());
}

/** Secret keys set in plain text: the stack file would hold the password for anyone to read. */
function plainSecretIssues(keys: string[]): ConfigIssue[] {
    return keys.map((key) => ({
        key,
        value: "set",
        message: `is stored in plain text; set it as a secret: pulumi config set --secret ${PROJECT}:${key}`,
    }));
}

/** The SECRET_KEYS the engine handed over without marking them secret. */
function plainSecretKeys(): string[] {
    const config = pulumi.runtime.allConfig();
    return SECRET_KEYS.filter((key) => `${PROJECT}:${key}` in config && !isConfigSecret(`${PROJECT}:${key}`));
}

/** The registry password (secret), when the stack pushes images. */
export function registryPassword(): pulumi.Output<string> | undefined {
    return new pulumi.Config(PROJECT).getSecret("registryPassword");
}

/** The project's plain configuration as parsed values, without the "fastapi-k8s:" prefix. */
function rawProjectConfig(): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = fullKey.split(":", 2);
        if (namespace !== PROJECT || SECRET_KEYS.includes(key)) {
            continue;
        }
        // YAML's null (`key: ~`) reaches the program as the text "null", as an object key's would.
        raw[key] = STRING_KEYS.includes(key) && text !== "null" ? text : parseConfigValue(text);
    }
    return raw;
}

/** Pulumi hands structured values over as JSON text and plain strings as they are. */
function parseConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
