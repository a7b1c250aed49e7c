/**
 * Property-based tests with the real API server as the oracle (run by tests/cluster on the local
 * cluster; fast-check generates the inputs from a fixed seed, in a bounded number of runs):
 *
 * 1. Every stack configuration the program accepts renders objects the API server accepts
 *    (server-side dry-run), and every configuration it refuses is refused with one message per
 *    problem naming the key and what is allowed.
 * 2. The same for WebService's arguments: accepted → its objects pass the dry-run; refused → an
 *    InvalidArgumentError naming the argument, with nothing registered.
 * 3. Both directions for each class of value the program checks on its own (./valueClasses.ts):
 *    what it accepts the API server accepts, and what it refuses the API server refuses too,
 *    unless the program refuses it on purpose and says why.
 *
 *   node --require sucrase/register/ts tests/oracle/kubernetesOracle.ts --namespace <scratch> [--runs 40] [--seed 7]
 *
 * Prints a JSON summary; exits 1 with the counterexample when a property fails. Namespaced objects
 * are dry-run in the scratch namespace (which must exist); Namespaces as rendered.
 */
import { spawnSync } from "child_process";
import fc from "fast-check";
import { parseArgs } from "util";
import { InvalidArgumentError } from "../../components/errors";
import { WebService } from "../../components/webService";
import { WebServiceArgs } from "../../components/webServiceArgs";
import { StackConfigError, parseStackConfig } from "../../stacks/config/load";
import { Manifest, renderStack, toManifest } from "../../scripts/render/manifests";
import { installMocks, settle } from "../../scripts/render/mockRuntime";
import { stackRawConfig } from "../../stacks/stackFiles";
import { valueClassProperty } from "./valueClasses";

const DIGEST = "@sha256:" + "5f1ad4d7b9f0f1b6f2a77c3a5d1e2b4c8e9f0a1b2c3d4e5f60718293a4b5c6d7";

// Values a user might write: mostly sound ones (so that many configurations are accepted and go
// to the API server), known traps, and generated strings.
const mix = <T>(sound: T[], traps: T[], generated?: fc.Arbitrary<T>) =>
    fc.oneof(
        { arbitrary: fc.constantFrom(...sound), weight: 5 },
        { arbitrary: fc.constantFrom(...traps), weight: 2 },
        ...(generated ? [{ arbitrary: generated, weight: 2 }] : []),
    );
/** Set in about one case in three, so that most cases change only a few keys. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary, weight: 1 });

const versions = mix(
    ["1.0.0", "v2_rc.1", "1.0.0-rc.1", "2024.11.22"],
    ["1.2.0+build.7", "-x", "a".repeat(64), "2.0 beta", ""],
    fc.stringMatching(/^[A-Za-z0-9._+ -]{1,70}$/),
);
const hosts = mix(
    ["app.example.com", "*.example.com", "a.b.c.example.org", "x"],
    ["App.Example.com", "10.0.0.1", "a..b", "x_y.example.com", "*", "a-.example.com", `${"a".repeat(64)}.com`, "[::1]"],
    fc.stringMatching(/^(\*\.)?[a-zA-Z0-9._-]{1,40}$/),
);
const subdomains = mix(
    ["nginx", "public.nginx", "frontend.tls", "fast-ssd"],
    ["Nginx", "a_b", "-a", "a".repeat(254), "a..b"],
    fc.stringMatching(/^[a-zA-Z0-9._-]{1,30}$/),
);
const namespaces = mix(
    ["fastapi-oracle", "2024", "team-a"],
    ["kube-system", "default", "Bad_NS", "a".repeat(64), "-ns"],
    fc.stringMatching(/^[a-z0-9-]{1,20}$/),
);
const issuers = fc.record({
    name: subdomains,
    kind: sometimes(mix(["ClusterIssuer", "Issuer"], ["clusterissuer", "Vault", ""])),
});
const storageSizes = mix(["1Gi", "512Mi", "1.5Gi", "100M", "2e9"], ["0", "10GB", "-1Gi", "1Gi ", "0Mi"]);
const ephemeral = mix(["64Mi", "200Mi", "10Mi"], ["1Gi", "300Mi"]);
const imageRefs = mix(
    [`registry.example.com/team/backend${DIGEST}`, `127.0.0.1:5000/fastapi-k8s/backend${DIGEST}`, `localhost/backend${DIGEST}`],
    [
        `Team/backend${DIGEST}`,
        "backend@sha256:abc123",
        `registry.example.com//backend${DIGEST}`,
        "registry.example.com/team/backend:1.2.3",
        `localhost:5000/backend:${"t".repeat(129)}`,
    ],
);
const envNames = mix(["GOOD_NAME", "a.b", "A-B", "_"], ["9LIVES", "X Y", "a=b"], fc.stringMatching(/^[A-Za-z0-9._ -]{1,12}$/));
const mountPaths = mix(["/etc/keys", "/var/run/secrets/app", "/etc/other"], ["/tmp", "/etc/keys/", "relative/path"]);

/** A stack and the edits a user might make to its file. */
const stackEdits = (freeNodePorts: number[]) =>
    fc.record({
        stack: fc.constantFrom("dev", "staging", "prod"),
        namespace: sometimes(namespaces),
        backendVersion: sometimes(versions),
        frontendVersion: sometimes(versions),
        host: sometimes(hosts),
        className: sometimes(subdomains),
        tlsSecretName: sometimes(subdomains),
        certificateIssuer: sometimes(issuers),
        storageSize: sometimes(storageSizes),
        storageClassName: sometimes(subdomains),
        ephemeralRequest: sometimes(ephemeral),
        image: sometimes(imageRefs),
        nodePorts: sometimes(fc.tuple(mix(freeNodePorts, [29999, 32768]), fc.constantFrom(...freeNodePorts))),
    });

type StackEdits = ReturnType<typeof stackEdits> extends fc.Arbitrary<infer T> ? T : never;

/**
 * The stack file's configuration with the edits applied (keys without the project prefix). The
 * stack file's own node port moves to `freePort`: the one it names may be held in this cluster
 * (by a deployment of that very stack), which a dry-run would refuse whatever the configuration.
 */
function editedConfig(edits: StackEdits, freePort: number): Record<string, any> {
    const config = structuredClone(stackRawConfig(edits.stack)) as Record<string, any>;
    if (config.frontend.service?.nodePort !== undefined) {
        config.frontend.service.nodePort = freePort;
    }
    const set = (value: unknown, apply: (v: any) => void) => value !== undefined && apply(value);
    set(edits.namespace, (v) => (config.namespace = v));
    set(edits.backendVersion, (v) => (config.backend.version = v));
    set(edits.frontendVersion, (v) => (config.frontend.blueGreen ? (config.frontend.blueGreen.green.version = v) : (config.frontend.version = v)));
    if ([edits.host, edits.className, edits.tlsSecretName, edits.certificateIssuer].some((edit) => edit !== undefined)) {
        config.frontend.ingress = { ...config.frontend.ingress, host: edits.host ?? config.frontend.ingress?.host ?? "app.example.com" };
        set(edits.className, (v) => (config.frontend.ingress.className = v));
        set(edits.tlsSecretName, (v) => (config.frontend.ingress.tlsSecretName = v));
        set(edits.certificateIssuer, (v) => (config.frontend.ingress.certificateIssuer = v.kind === undefined ? { name: v.name } : v));
    }
    set(edits.storageSize, (v) => (config.postgres.storageSize = v));
    set(edits.storageClassName, (v) => (config.postgres.storageClassName = v));
    set(edits.ephemeralRequest, (v) => (config.backend.resources.requests.ephemeralStorage = v));
    set(edits.image, (v) => (config.images.refs ? (config.images.refs.backend = v) : (config.postgres.image = v)));
    set(edits.nodePorts, ([frontend, backend]: [number, number]) => {
        config.frontend.service = { type: "NodePort", nodePort: frontend };
        config.backend.service = { type: "NodePort", nodePort: backend };
    });
    return config;
}

/** What a refusal must say: each problem names its key and what is allowed. */
function assertExplains(error: StackConfigError): void {
    if (error.issues.length === 0) {
        throw new Error("a refusal without a reason");
    }
    for (const issue of error.issues) {
        if (!issue.key || !error.message.includes(`fastapi-k8s:${issue.key} = `)) {
            throw new Error(`a refusal that does not name its key: ${JSON.stringify(issue)}`);
        }
        if (!/expected|must|required|only|already|below|cannot|reserved|holds|is not|unknown key|greater than zero|use /.test(issue.message)) {
            throw new Error(`a refusal that does not say what is allowed: ${issue.key}: ${issue.message}`);
        }
    }
}

/** Server-side dry-run of `manifests`; throws with the API server's words when it refuses any. */
function dryRun(manifests: Manifest[], namespace: string, kubectl: string): void {
    const items = manifests.map((manifest) => {
        const object = structuredClone(manifest) as Manifest & { data?: Record<string, string> };
        if (object.kind !== "Namespace") {
            object.metadata.namespace = namespace;
        }
        if (object.kind === "Secret" && object.data) {
            object.data = Object.fromEntries(Object.keys(object.data).map((k) => [k, Buffer.from("x").toString("base64")]));
        }
        return object;
    });
    const result = spawnSync(kubectl, ["apply", "--dry-run=server", "-f", "-"], {
        input: JSON.stringify({ apiVersion: "v1", kind: "List", items }),
        encoding: "utf8",
    });
    if (result.status !== 0) {
        throw new Error(`the API server refused what the program accepted:\n${result.stderr.trim()}`);
    }
}

/** Node ports no Service holds yet (a dry-run would refuse an allocated one, whatever the config). */
function freeNodePorts(kubectl: string): number[] {
    const used = new Set(
        spawnSync(kubectl, ["get", "services", "--all-namespaces", "-o", "jsonpath={.items[*].spec.ports[*].nodePort}"], { encoding: "utf8" })
            .stdout.split(/\s+/)
            .filter(Boolean)
            .map(Number),
    );
    return [30000, 30080, 30123, 31000, 32767].filter((port) => !used.has(port));
}

interface Tally {
    runs: number;
    accepted: number;
    refused: number;
    refusedKeys: Record<string, number>;
    /** With --survey: the cases where the program and the API server disagreed (first lines). */
    disagreements?: string[];
}

/** --survey: count every disagreement instead of stopping at the first (to measure a baseline). */
let survey = false;

/** Runs a property's body; in survey mode a failure is recorded instead of failing the property. */
async function judged(tally: Tally, body: () => Promise<void>): Promise<void> {
    if (!survey) {
        return body();
    }
    try {
        await body();
    } catch (error) {
        (tally.disagreements ??= []).push(
            String(error instanceof Error ? error.message : error)
                .split("\n")
                .slice(0, 3)
                .join(" | "),
        );
    }
}

async function stackProperty(runs: number, seed: number, namespace: string, kubectl: string): Promise<Tally> {
    const tally: Tally = { runs: 0, accepted: 0, refused: 0, refusedKeys: {} };
    const free = freeNodePorts(kubectl);
    await fc.assert(
        fc.asyncProperty(stackEdits(free), (edits) =>
            judged(tally, async () => {
                tally.runs++;
                const config = editedConfig(edits, free[0]);
                try {
                    parseStackConfig(edits.stack, config);
                } catch (error) {
                    if (!(error instanceof StackConfigError)) {
                        throw error;
                    }
                    assertExplains(error);
                    tally.refused++;
                    for (const issue of error.issues) {
                        tally.refusedKeys[issue.key] = (tally.refusedKeys[issue.key] ?? 0) + 1;
                    }
                    return;
                }
                tally.accepted++;
                const overlay = Object.fromEntries(Object.entries(config).map(([k, v]) => [`fastapi-k8s:${k}`, v]));
                dryRun(await renderStack(edits.stack, overlay), namespace, kubectl);
            }),
        ),
        { numRuns: runs, seed, endOnFailure: true },
    );
    return tally;
}

const webServiceArgs = fc.record({
    name: mix(["web", "web-1", "a".repeat(40)], ["Web", "a".repeat(41), "-web"], fc.stringMatching(/^[a-z0-9-]{1,12}$/)),
    image: imageRefs,
    version: sometimes(versions),
    env: fc.dictionary(envNames, fc.string({ maxLength: 8 }), { maxKeys: 2 }),
    mounts: fc.uniqueArray(mountPaths, { maxLength: 2 }),
    host: sometimes(hosts),
    className: sometimes(subdomains),
    tlsSecretName: sometimes(subdomains),
    ephemeralRequest: sometimes(ephemeral),
});

async function webServiceProperty(runs: number, seed: number, namespace: string, kubectl: string): Promise<Tally> {
    const tally: Tally = { runs: 0, accepted: 0, refused: 0, refusedKeys: {} };
    await fc.assert(
        fc.asyncProperty(webServiceArgs, (generated) =>
            judged(tally, async () => {
                tally.runs++;
                const args: WebServiceArgs = {
                    namespace,
                    image: generated.image,
                    version: generated.version,
                    env: generated.env,
                    secretFiles: generated.mounts.map((mountPath, i) => ({ secretName: `keys-${i}`, mountPath })),
                    ingress:
                        generated.host === undefined
                            ? undefined
                            : { host: generated.host, className: generated.className, tlsSecretName: generated.tlsSecretName },
                    resources: {
                        requests: { cpu: "50m", memory: "64Mi", ephemeralStorage: generated.ephemeralRequest },
                        limits: { cpu: "250m", memory: "128Mi" },
                    },
                };
                const recorder = await installMocks("oracle");
                try {
                    new WebService(generated.name, args);
                } catch (error) {
                    if (!(error instanceof InvalidArgumentError)) {
                        throw error;
                    }
                    await settle(recorder, 5);
                    if (recorder.resources.length > 0 || error.problems.length === 0) {
                        throw new Error(`refused after registering ${recorder.resources.length} resources: ${error.message}`, { cause: error });
                    }
                    tally.refused++;
                    for (const problem of error.problems) {
                        const key = problem.startsWith("the default") ? "resources" : problem.split(/[ =]/)[0];
                        tally.refusedKeys[key] = (tally.refusedKeys[key] ?? 0) + 1;
                    }
                    return;
                }
                await settle(recorder);
                tally.accepted++;
                dryRun(
                    recorder.resources.map(toManifest).filter((m): m is Manifest => m !== undefined),
                    namespace,
                    kubectl,
                );
            }),
        ),
        { numRuns: runs, seed, endOnFailure: true },
    );
    return tally;
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            namespace: { type: "string" },
            runs: { type: "string", default: "40" },
            seed: { type: "string", default: "7" },
            kubectl: { type: "string", default: process.env.KUBECTL ?? "kubectl" },
            survey: { type: "boolean", default: false },
        },
    });
    survey = values.survey!;
    if (!values.namespace) {
        throw new Error("--namespace <an existing scratch namespace> is required");
    }
    const [runs, seed] = [Number(values.runs), Number(values.seed)];
    const stacks = await stackProperty(runs, seed, values.namespace, values.kubectl!);
    const webService = await webServiceProperty(runs, seed, values.namespace, values.kubectl!);
    const valueClasses = valueClassProperty(runs, seed, values.namespace, values.kubectl!);
    console.log(JSON.stringify({ seed, stacks, webService, valueClasses }, null, 2));
}

main().catch((error) => {
    // fast-check reports the counterexample in the message and what the property threw as the cause.
    console.error(error instanceof Error ? `${error.message}\n${error.cause instanceof Error ? error.cause.message : ""}` : error);
    process.exit(1);
});
