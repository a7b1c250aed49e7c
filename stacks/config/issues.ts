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

/** Thrown before any resource is registered when the stack configuration is invalid. */
export class StackConfigError extends Error {
    constructor(
        // Not `stack`: that would shadow Error.stack, and the engine prints err.stack.
        public readonly stackName: string,
        public readonly issues: ConfigIssue[],
    ) {
        super(
            `Invalid configuration for stack "${stackName}" (Pulumi.${stackName}.yaml):\n` +
                issues.map((i) => `  - ${PROJECT}:${i.key} = ${describe(i.value)}: ${i.message}`).join("\n"),
        );
        this.name = "StackConfigError";
    }
}

function describe(value: unknown): string {
    return value === undefined ? "(missing)" : JSON.stringify(value);
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
