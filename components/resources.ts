import { parseQuantity, wholeBytesProblem } from "./quantity";

/** An amount of CPU and memory, as Kubernetes quantities. */
export interface ComputeAmount {
    /** CPU, e.g. "100m" or "1". */
    cpu: string;
    /** Memory, e.g. "128Mi". */
    memory: string;
    /** Local ephemeral storage (logs, emptyDir volumes), e.g. "256Mi". Default: the component's. */
    ephemeralStorage?: string;
}

/** Requests (what the scheduler reserves) and limits (the ceiling) of one container. */
export interface ComputeResources {
    /** What the scheduler reserves for the container. */
    requests: ComputeAmount;
    /** The most the container may use; memory above it is OOMKilled, CPU above it throttled. */
    limits: ComputeAmount;
}

const ALL = ["cpu", "memory", "ephemeralStorage"] as const;

/** The ephemeral storage a container gets when its resources name none. */
export interface EphemeralDefaults {
    request: string;
    limit: string;
}

/** A web tier's default ephemeral storage (logs, /tmp). */
export const WEB_EPHEMERAL_DEFAULTS: EphemeralDefaults = { request: "64Mi", limit: "256Mi" };
/** Postgres' default ephemeral storage (logs, sockets, sort spill beside the data volume). */
export const POSTGRES_EPHEMERAL_DEFAULTS: EphemeralDefaults = { request: "128Mi", limit: "512Mi" };

/**
 * Lists what is wrong with `resources` (malformed quantities, limits below requests), judging
 * ephemeral storage by what the container would get: a request above the default limit is refused
 * by the API server just as an explicit one would be.
 */
export function resourceProblems(resources: ComputeResources, where: string, ephemeral: EphemeralDefaults = WEB_EPHEMERAL_DEFAULTS): string[] {
    const problems: string[] = [];
    for (const kind of ["requests", "limits"] as const) {
        for (const key of ALL) {
            const value = resources[kind]?.[key];
            if (value === undefined && key === "ephemeralStorage") {
                continue;
            }
            if (value === undefined) {
                problems.push(`${where}.${kind}.${key} is missing; set it to a Kubernetes quantity`);
                continue;
            }
            try {
                const bytes = key === "cpu" ? undefined : wholeBytesProblem(value);
                if (parseQuantity(value) <= 0) {
                    problems.push(`${where}.${kind}.${key} = "${value}" must be greater than zero`);
                } else if (bytes) {
                    problems.push(`${where}.${kind}.${key} = "${value}" ${bytes}`);
                }
            } catch (e) {
                problems.push(`${where}.${kind}.${key}: ${(e as Error).message}`);
            }
        }
    }
    if (problems.length === 0) {
        const effective = withEphemeralDefaults(resources, ephemeral);
        for (const key of ALL) {
            const [request, limit] = [effective.requests[key], effective.limits[key]];
            if (request === undefined || limit === undefined || parseQuantity(limit) >= parseQuantity(request)) {
                continue;
            }
            const describe = (kind: "requests" | "limits", value: string) =>
                resources[kind][key] === undefined
                    ? `the default ${kind.slice(0, -1)} "${value}" (set ${where}.${kind}.${key})`
                    : `${where}.${kind}.${key} = "${value}"`;
            problems.push(`${describe("limits", limit)} is below ${describe("requests", request)}; a limit must be at least the request`);
        }
    }
    return problems;
}

type FilledAmount = ComputeAmount & { ephemeralStorage: string };

/** `resources` with the ephemeral storage a container gets when they name none. */
function withEphemeralDefaults(resources: ComputeResources, ephemeral: EphemeralDefaults): { requests: FilledAmount; limits: FilledAmount } {
    return {
        requests: { ...resources.requests, ephemeralStorage: resources.requests.ephemeralStorage ?? ephemeral.request },
        limits: { ...resources.limits, ephemeralStorage: resources.limits.ephemeralStorage ?? ephemeral.limit },
    };
}

/**
 * The Kubernetes form of `resources`. Ephemeral storage always gets a request and a limit (from
 * `ephemeral` when not given), so a runaway log or scratch file evicts one pod, not the node.
 */
export function toResourceRequirements(resources: ComputeResources, ephemeral: EphemeralDefaults) {
    const { requests, limits } = withEphemeralDefaults(resources, ephemeral);
    const amount = (a: FilledAmount) => ({ cpu: a.cpu, memory: a.memory, "ephemeral-storage": a.ephemeralStorage });
    return { requests: amount(requests), limits: amount(limits) };
}
