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

/** Keys whose values may carry credentials: an error names them but never prints their value. */
export const SENSITIVE_KEYS = ["images.buildEnvironment.httpProxy", "images.buildEnvironment.httpsProxy"];

/** Thrown before any resource is registered when the stack configuration is invalid. */
export class StackConfigError extends Error {
    /** Every problem found; values of SENSITIVE_KEYS are replaced by a marker. */
    public readonly issues: ConfigIssue[];

    constructor(
        // Not `stack`: that would shadow Error.stack, and the engine prints err.stack.
        public readonly stackName: string,
        issues: ConfigIssue[],
    ) {
        const shown = issues.map((i) => (SENSITIVE_KEYS.includes(i.key) ? { ...i, value: NOT_SHOWN } : i));
        super(
            `Invalid configuration for stack "${stackName}" (Pulumi.${stackName}.yaml):\n` +
                shown.map((i) => `  - ${PROJECT}:${i.key} = ${describe(i.value)}: ${i.message}`).join("\n"),
        );
        this.name = "StackConfigError";
        this.issues = shown;
    }
}

const NOT_SHOWN = "(not shown: it may carry credentials)";

function describe(value: unknown): string {
    return value === undefined ? "(missing)" : value === NOT_SHOWN ? NOT_SHOWN : JSON.stringify(value);
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
