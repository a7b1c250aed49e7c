/**
 * Checks a release on its cluster after `up`: every workload of the namespace rolled out, and the
 * frontend answers its health endpoint through its Service (reached via the API server's service
 * proxy, so it works for ClusterIP Services and needs no port on the machine).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface ValidationTarget {
    namespace: string;
    /** Services (port named "http") whose /readyz must answer 200, e.g. ["frontend"]. */
    services: string[];
    /** Per workload. */
    rolloutTimeoutSeconds: number;
}

/** kubectl: $KUBECTL, else on PATH, else the one the local cluster built. */
export function kubectlPath(repoRoot: string): string {
    if (process.env.KUBECTL) {
        return process.env.KUBECTL;
    }
    const onPath = (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "kubectl"));
    const local = path.join(repoRoot, ".cache", "cluster", "bin", "kubectl");
    const found = [...onPath, local].find((candidate) => fs.existsSync(candidate));
    if (!found) {
        throw new Error("validation needs kubectl: none on PATH, $KUBECTL unset, and no local cluster build (npm run cluster -- up)");
    }
    return found;
}

/** The API server's proxy to a Service's port named "http": traffic goes through the Service itself. */
const serviceProxyPath = (namespace: string, service: string, route: string) => `/api/v1/namespaces/${namespace}/services/${service}:http/proxy${route}`;

/** Runs kubectl; `stdout` alone (for parsing) and `output` with stderr and any spawn error (for messages). */
export function runKubectl(kubectl: string, args: string[], input?: string): { ok: boolean; stdout: string; output: string } {
    const result = spawnSync(kubectl, args, { encoding: "utf8", input, maxBuffer: 64 * 2 ** 20 });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? result.error.message : ""}`.trim();
    return { ok: result.status === 0, stdout: result.stdout ?? "", output };
}

const run = runKubectl;

/** What failed (empty when the release is healthy). */
export function validateRelease(kubectl: string, target: ValidationTarget): string[] {
    const failures: string[] = [];
    const listed = run(kubectl, ["-n", target.namespace, "get", "deployments,statefulsets", "-o", "name"]);
    if (!listed.ok) {
        return [`could not list the workloads of ${target.namespace}: ${listed.output}`];
    }
    const workloads = listed.output.split("\n").filter(Boolean);
    if (workloads.length === 0) {
        failures.push(`no workloads in namespace ${target.namespace}`);
    }
    for (const workload of workloads) {
        const status = run(kubectl, ["-n", target.namespace, "rollout", "status", workload, `--timeout=${target.rolloutTimeoutSeconds}s`]);
        if (!status.ok) {
            failures.push(`${workload} did not roll out within ${target.rolloutTimeoutSeconds}s: ${status.output}`);
        }
    }
    for (const service of target.services) {
        const health = run(kubectl, ["get", "--raw", serviceProxyPath(target.namespace, service, "/readyz")]);
        if (!health.ok) {
            failures.push(`service ${service} did not answer /readyz: ${health.output}`);
        }
    }
    return failures;
}

/** The version the frontend behind `service` reports on /version. */
export function servedVersion(kubectl: string, namespace: string, service: string): string {
    const answer = run(kubectl, ["get", "--raw", serviceProxyPath(namespace, service, "/version")]);
    if (!answer.ok) {
        throw new Error(`cannot read the version Service ${service} in ${namespace} serves: ${answer.output || "kubectl failed without a message"}`);
    }
    const version = (() => {
        try {
            return (JSON.parse(answer.stdout) as { version?: unknown }).version;
        } catch {
            return undefined;
        }
    })();
    if (typeof version !== "string") {
        throw new Error(`Service ${service} in ${namespace} answered /version without a version: ${answer.stdout.slice(0, 200)}`);
    }
    return version;
}
