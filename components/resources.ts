import { parseQuantity } from "./quantity";

/** An amount of CPU and memory, as Kubernetes quantities. */
export interface ComputeAmount {
    /** CPU, e.g. "100m" or "1". */
    cpu: string;
    /** Memory, e.g. "128Mi". */
    memory: string;
}

/** Requests (what the scheduler reserves) and limits (the ceiling) of one container. */
export interface ComputeResources {
    /** What the scheduler reserves for the container. */
    requests: ComputeAmount;
    /** The most the container may use; memory above it is OOMKilled, CPU above it throttled. */
    limits: ComputeAmount;
}

/** Lists what is wrong with `resources` (malformed quantities, limits below requests). */
export function resourceProblems(resources: ComputeResources, where: string): string[] {
    const problems: string[] = [];
    for (const kind of ["requests", "limits"] as const) {
        for (const key of ["cpu", "memory"] as const) {
            const value = resources[kind]?.[key];
            if (value === undefined) {
                problems.push(`${where}.${kind}.${key} is missing; set it to a Kubernetes quantity`);
                continue;
            }
            try {
                if (parseQuantity(value) <= 0) {
                    problems.push(`${where}.${kind}.${key} = "${value}" must be greater than zero`);
                }
            } catch (e) {
                problems.push(`${where}.${kind}.${key}: ${(e as Error).message}`);
            }
        }
    }
    if (problems.length === 0) {
        for (const key of ["cpu", "memory"] as const) {
            if (parseQuantity(resources.limits[key]) < parseQuantity(resources.requests[key])) {
                problems.push(
                    `${where}.limits.${key} = "${resources.limits[key]}" is below ${where}.requests.${key} = ` +
                        `"${resources.requests[key]}"; a limit must be at least the request`,
                );
            }
        }
    }
    return problems;
}

/** The Kubernetes form of `resources`. */
export function toResourceRequirements(resources: ComputeResources) {
    return {
        requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
        limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
    };
}
