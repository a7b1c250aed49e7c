/**
 * Both directions, one value class at a time: for each kind of value the program checks before
 * anything is registered (a label value, an Ingress host, a time zone, ...), generated values are
 * put where the program would put them, in the smallest object that carries them, and dry-run
 * against the API server. The program's verdict must be the API server's: a value the program
 * accepts and the server refuses fails later, at apply; one the program refuses and the server
 * accepts is a refusal the user cannot get past. The program refuses some values on purpose
 * (`onPurpose` says which and why); those are counted, never judged.
 */
import { spawnSync } from "child_process";
import fc from "fast-check";
import {
    RESERVED_NAMESPACES,
    dnsSubdomainProblem,
    envVarNameProblem,
    ingressHostProblem,
    ingressPathProblem,
    labelKeyProblem,
    labelValueProblem,
    namespaceProblem,
} from "../../components/kubernetesNames";
import { timeZoneProblem } from "../../components/postgresBackup";
import { isQuantity, parseQuantity } from "../../components/quantity";

interface ValueClass {
    /** What the value is and where the program puts it. */
    name: string;
    values: fc.Arbitrary<string>;
    /** Why the program refuses `value`, undefined when it accepts it. */
    programProblem: (value: string) => string | undefined;
    /** The smallest object that carries `value` where the program's objects do. */
    object: (value: string, namespace: string) => Record<string, unknown>;
    /** Values the program refuses though the API server accepts them, and why (undefined: none). */
    onPurpose?: (value: string) => string | undefined;
}

const mix = (sound: string[], traps: string[], generated: fc.Arbitrary<string>) =>
    fc.oneof({ arbitrary: fc.constantFrom(...sound), weight: 3 }, { arbitrary: fc.constantFrom(...traps), weight: 3 }, { arbitrary: generated, weight: 4 });

const meta = (name: string, namespace: string, labels?: Record<string, string>) => ({ name, namespace, ...(labels ? { labels } : {}) });
const configMapLabelled = (labels: Record<string, string>, namespace: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta("oracle-value", namespace, labels),
});
const ingressWith = (host: string, path: string, namespace: string) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta("oracle-value", namespace),
    spec: { rules: [{ host, http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: "web", port: { name: "http" } } } }] } }] },
});

// Pods as the restricted Pod Security Standard admits them, so that only the value is judged.
const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } };
const RESTRICTED_CONTAINER = {
    name: "c",
    image: "example.com/c@sha256:" + "a".repeat(64),
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
};

export const VALUE_CLASSES: ValueClass[] = [
    {
        name: "label value (a release's version, app.kubernetes.io/version)",
        values: mix(
            ["1.0.0", "v2_rc.1", "2024.11.22", "a".repeat(63)],
            ["1.2.0+build.7", "-x", "a".repeat(64), "2.0 beta", "x."],
            fc.stringMatching(/^[A-Za-z0-9._+ -]{1,66}$/),
        ),
        programProblem: labelValueProblem,
        object: (value, namespace) => configMapLabelled({ "app.kubernetes.io/version": value }, namespace),
    },
    {
        name: "label key (podLabels, ingress.controller.podLabels)",
        values: mix(
            ["app", "app.kubernetes.io/name", "example.com/tier", "a_b.c-d"],
            ["/app", "a/b/c", "Example.com/x", "app.kubernetes.io/", "-a", "a".repeat(64), `${"a".repeat(254)}/x`],
            fc.stringMatching(/^[A-Za-z0-9._/-]{1,40}$/),
        ),
        programProblem: labelKeyProblem,
        object: (value, namespace) => configMapLabelled({ [value]: "x" }, namespace),
    },
    {
        name: "Ingress host (ingress.host)",
        values: mix(
            ["app.example.com", "*.example.com", "x", "a-b.example.org"],
            ["App.Example.com", "10.0.0.1", "a..b", "x_y.example.com", "*", "a-.example.com", "[::1]", "*.*.example.com", "a.*.example.com"],
            fc.stringMatching(/^(\*\.)?[a-zA-Z0-9._*-]{1,30}$/),
        ),
        programProblem: ingressHostProblem,
        object: (value, namespace) => ingressWith(value, "/", namespace),
    },
    {
        name: "Ingress path, pathType Prefix (ingress.path)",
        values: mix(
            ["/", "/api", "/a/b", "/a-b_c.d"],
            ["api", "/a/../b", "//", "/a/.", "/a//b", "/a b", "/a?b", "/./a"],
            fc.stringMatching(/^\/?[a-zA-Z0-9./_?#%-]{0,12}$/),
        ),
        programProblem: ingressPathProblem,
        object: (value, namespace) => ingressWith("app.example.com", value, namespace),
    },
    {
        name: "DNS subdomain (Secret, IngressClass and StorageClass names)",
        values: mix(
            ["nginx", "public.nginx", "frontend-tls", "a.b.c"],
            ["Nginx", "a_b", "-a", "a".repeat(254), "a..b", "a."],
            fc.stringMatching(/^[a-zA-Z0-9._-]{1,30}$/),
        ),
        programProblem: dnsSubdomainProblem,
        object: (value, namespace) => ({ apiVersion: "v1", kind: "Secret", metadata: meta(value, namespace), type: "Opaque" }),
    },
    {
        name: "namespace (namespace)",
        values: mix(
            ["fastapi-oracle-a", "2024", "team-a"],
            ["Bad_NS", "a".repeat(64), "-ns", "ns-", "a.b", ...RESERVED_NAMESPACES],
            fc.stringMatching(/^[a-zA-Z0-9.-]{1,20}$/),
        ),
        programProblem: namespaceProblem,
        object: (value) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: value } }),
        onPurpose: (value) =>
            RESERVED_NAMESPACES.includes(value) ? "Kubernetes' own namespace: relabelled restricted, it would break the cluster" : undefined,
    },
    {
        name: "setting name (env keys, the keys of the settings' ConfigMap)",
        values: mix(
            ["GOOD_NAME", "a.b", "A-B", "_", "x1", "9LIVES", "a..b"],
            ["X Y", "a=b", "", "é", ".", "..a", "a".repeat(254)],
            fc.stringMatching(/^[A-Za-z0-9._= -]{1,12}$/),
        ),
        programProblem: envVarNameProblem,
        object: (value, namespace) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("oracle-value", namespace), data: { [value]: "1" } }),
    },
    {
        name: "non-negative quantity (quota, requests and limits)",
        values: mix(
            ["1", "250m", "1.5Gi", "2e9", "+1", "0.5", "1Ki"],
            ["-1", "1GB", "1 Gi", "1.5.0", "0x10", "1e", "Gi", "1iB"],
            fc.stringMatching(/^[-+]?[0-9.]{1,6}(e[0-9]{1,2}|[mkMGTPE]i?)?$/),
        ),
        programProblem: (value) => (isQuantity(value) && parseQuantity(value) >= 0 ? undefined : "not a non-negative quantity"),
        // The API server reads both as 0: a minus in a size or a quota, or a quantity without a
        // digit, is a mistake however it parses.
        onPurpose: (value) =>
            value.trim().startsWith("-") ? "a minus sign (only a zero, -0, parses)" : /[0-9]/.test(value) ? undefined : "no digit (it parses as 0)",
        object: (value, namespace) => ({
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: meta("oracle-value", namespace),
            spec: { hard: { "requests.cpu": value } },
        }),
    },
    {
        name: "time zone (postgres.backup.timeZone, a CronJob's timeZone)",
        values: mix(
            ["Etc/UTC", "Europe/Berlin", "America/New_York", "US/Eastern", "UTC"],
            ["utc", "europe/berlin", "Mars/Olympus", "Europe/Berlin ", "+01:00", "Local"],
            fc.constantFrom("Asia/Tokyo", "EST", "GMT+1", "Etc/GMT+1", "Australia/ACT"),
        ),
        programProblem: timeZoneProblem,
        object: (value, namespace) => ({
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: meta("oracle-value", namespace),
            spec: {
                schedule: "0 3 * * *",
                timeZone: value,
                jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [RESTRICTED_CONTAINER], securityContext: RESTRICTED_POD } } } },
            },
        }),
    },
];

/** The API server's verdict on `object`: undefined when a server-side dry-run accepts it, else its words. */
function serverProblem(object: Record<string, unknown>, kubectl: string): string | undefined {
    const result = spawnSync(kubectl, ["create", "--dry-run=server", "-o", "name", "-f", "-"], { input: JSON.stringify(object), encoding: "utf8" });
    return result.status === 0 ? undefined : result.stderr.trim().split("\n")[0];
}

export interface ValueTally {
    runs: number;
    accepted: number;
    refused: number;
    /** Refused by the program on purpose, accepted by the API server. */
    onPurpose: number;
}

/** Every class against the API server; throws with the first disagreements found. */
export function valueClassProperty(runs: number, seed: number, namespace: string, kubectl: string): Record<string, ValueTally> {
    const tallies: Record<string, ValueTally> = {};
    const disagreements: string[] = [];
    VALUE_CLASSES.forEach((valueClass, index) => {
        const tally: ValueTally = { runs: 0, accepted: 0, refused: 0, onPurpose: 0 };
        tallies[valueClass.name] = tally;
        const seen = new Set<string>();
        for (const value of fc.sample(valueClass.values, { numRuns: runs * 3, seed: seed + index })) {
            if (seen.has(value) || seen.size >= runs) continue;
            seen.add(value);
            tally.runs++;
            const program = valueClass.programProblem(value);
            const server = serverProblem(valueClass.object(value, namespace), kubectl);
            if (program === undefined && server === undefined) tally.accepted++;
            else if (program !== undefined && server !== undefined) tally.refused++;
            else if (program !== undefined && valueClass.onPurpose?.(value)) tally.onPurpose++;
            else if (program === undefined)
                disagreements.push(`${valueClass.name}: ${JSON.stringify(value)} accepted by the program, refused by the API server: ${server}`);
            else disagreements.push(`${valueClass.name}: ${JSON.stringify(value)} refused by the program (${program}), accepted by the API server`);
        }
    });
    if (disagreements.length > 0) {
        throw new Error(`the program and the API server disagree on ${disagreements.length} values:\n  - ${disagreements.join("\n  - ")}`);
    }
    return tallies;
}
