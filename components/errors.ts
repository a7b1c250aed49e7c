import * as pulumi from "@pulumi/pulumi";
import { NOT_SHOWN, carriesCredentials } from "./credentials";

/**
 * The error every component throws for bad arguments. It is raised in the constructor before any
 * child resource is registered, so a bad argument never leaves half a component behind. A
 * RunError, so the engine prints its message alone, without a stack: the user's mistake, not a crash.
 */
export class InvalidArgumentError extends pulumi.RunError {
    constructor(
        /** The component (type and name) that rejected its arguments. */
        public readonly component: string,
        /** One line per problem: what is wrong and what is allowed. */
        public readonly problems: string[],
    ) {
        super(`${component}: invalid arguments:\n  - ${problems.join("\n  - ")}`);
        this.name = "InvalidArgumentError";
    }
}

/** One rejected argument: its path, the value found and what is allowed. */
export interface ArgumentProblem {
    /** The argument's path, e.g. "service.nodePort" or "autoscaling.minReplicas". */
    field: string;
    /** The value found there (undefined when missing). */
    value: unknown;
    /** What is wrong and what is allowed, e.g. "must be 30000-32767". */
    message: string;
}

/** The one-line form of a problem: `service.nodePort = 80 must be 30000-32767`. */
export function describeProblem(problem: ArgumentProblem): string {
    const text = problem.value === undefined ? "(missing)" : JSON.stringify(problem.value);
    const value = carriesCredentials(text) ? NOT_SHOWN : text;
    return `${problem.field} = ${value} ${problem.message}`;
}

/** Collects problems while a component checks its arguments, then throws them all at once. */
export class ArgumentChecker {
    private readonly problems: string[] = [];

    constructor(private readonly component: string) {}

    /** Records `problem` unless `ok` holds. */
    require(ok: boolean, problem: string): this {
        if (!ok) {
            this.problems.push(problem);
        }
        return this;
    }

    /** Records every defined problem. */
    report(...problems: Array<string | undefined>): this {
        this.problems.push(...problems.filter((p): p is string => p !== undefined));
        return this;
    }

    /** Records every defined structured problem, in its one-line form. */
    add(...problems: Array<ArgumentProblem | undefined>): this {
        return this.report(...problems.map((p) => p && describeProblem(p)));
    }

    /** Throws an InvalidArgumentError when any problem was recorded. */
    throwIfAny(): void {
        if (this.problems.length > 0) {
            throw new InvalidArgumentError(this.component, this.problems);
        }
    }
}
