import * as pulumi from "@pulumi/pulumi";
import { NOT_SHOWN, carriesCredentials } from "../../components";
import { PROJECT } from "./project";

/** One problem with the stack configuration: the key, the value found, what is allowed. */
export interface ConfigIssue {
    /** The key path below the project namespace, e.g. "frontend.autoscaling.maxReplicas". */
    key: string;
    /** The value found there (undefined when missing). */
    value: unknown;
    /** What is wrong and what is allowed. */
    message: string;
}

/**
 * Where values may carry credentials: an error names these keys but never prints what is at them
 * or below them, whatever the key under them is called (a misspelt one included).
 */
export const SENSITIVE_KEYS = ["images.buildEnvironment", "images.registry", "registryPassword"];

/** Keys below SENSITIVE_KEYS that hold a file path, shown so the user can find the file. */
const SHOWN_PATHS = ["images.buildEnvironment.caCertificatesFile"];

/**
 * Thrown before any resource is registered when the stack configuration is invalid. A RunError, so
 * the engine prints the refusal alone, without a stack.
 */
export class StackConfigError extends pulumi.RunError {
    /** Every problem found; values that may carry credentials are replaced by a marker. */
    public readonly issues: ConfigIssue[];

    constructor(
        // Not `stack`: that would shadow Error.stack, and the engine prints err.stack.
        public readonly stackName: string,
        issues: ConfigIssue[],
    ) {
        const shown = issues.map((i) => ({ ...i, value: redacted(i.key, i.value) }));
        super(
            `Invalid configuration for stack "${stackName}" (Pulumi.${stackName}.yaml):\n` +
                shown.map((i) => `  - ${PROJECT}:${i.key} = ${describe(i.value)}: ${i.message}`).join("\n"),
        );
        this.name = "StackConfigError";
        this.issues = shown;
    }
}

/** `value` as it may be printed at `key`: sensitive places and credential-bearing URLs replaced. */
export function redacted(key: string, value: unknown): unknown {
    if (value === undefined) {
        return undefined;
    }
    const isPath = SHOWN_PATHS.includes(key) && typeof value === "string";
    if (!isPath && SENSITIVE_KEYS.some((k) => key === k || key.startsWith(`${k}.`))) {
        return NOT_SHOWN;
    }
    if (typeof value === "string") {
        return carriesCredentials(value) ? NOT_SHOWN : value;
    }
    if (Array.isArray(value)) {
        return value.map((item, index) => redacted(`${key}.${index}`, item));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(key === "" ? k : `${key}.${k}`, v)]));
    }
    return value;
}

/** Longer values are cut in messages: the key and what is allowed matter, not a megabyte of text. */
const SHOWN_CHARACTERS = 120;

function describe(value: unknown): string {
    if (value === undefined || value === NOT_SHOWN) {
        return value === undefined ? "(missing)" : NOT_SHOWN;
    }
    const text = JSON.stringify(value);
    return text.length <= SHOWN_CHARACTERS ? text : `${text.slice(0, SHOWN_CHARACTERS)}… (${text.length} characters)`;
}

/** The value at a dotted key path of a parsed configuration object. */
export function valueAt(root: unknown, path: Array<string | number | symbol>): unknown {
    let current: unknown = root;
    for (const step of path) {
        if (current === null || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<string | number | symbol, unknown>)[step];
    }
    return current;
}
