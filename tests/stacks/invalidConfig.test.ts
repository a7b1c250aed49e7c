import { strict as assert } from "assert";
import { StackConfigError, readStackConfig } from "../../stacks/config/load";
import { createPlatform } from "../../stacks/platform";
import { installMocks, settle } from "../../scripts/render/mockRuntime";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack } from "../../scripts/render/manifests";
import { stackSettings } from "../../scripts/release/release";
import { REPO_ROOT, stackFileConfig } from "../../stacks/stackFiles";

type Edit = (config: Record<string, any>) => void;

/** A copy of a stack's configuration with one edit applied. */
function edited(stack: string, edit: Edit): Record<string, unknown> {
    const config = structuredClone(stackFileConfig(stack)) as Record<string, any>;
    const view = new Proxy(config, {
        get: (target, key: string) => target[`fastapi-k8s:${key}`],
        set: (target, key: string, value) => ((target[`fastapi-k8s:${key}`] = value), true),
        deleteProperty: (target, key: string) => delete target[`fastapi-k8s:${key}`],
    });
    edit(view);
    return config;
}

interface Case {
    what: string;
    stack: string;
    edit: Edit;
    /** Must appear in the message: the key, the value and what is allowed. */
    expect: string[];
}

const cases: Case[] = [
    { what: "zero replicas", stack: "dev", edit: (c) => (c.frontend.replicas = 0), expect: ["fastapi-k8s:frontend.replicas = 0", "whole number ≥ 1"] },
    { what: "negative replicas", stack: "dev", edit: (c) => (c.backend.replicas = -2), expect: ["fastapi-k8s:backend.replicas = -2", "≥ 1"] },
    {
        what: "minReplicas above maxReplicas",
        stack: "staging",
        edit: (c) => (c.backend.autoscaling = { minReplicas: 5, maxReplicas: 2 }),
        expect: ["backend.autoscaling.minReplicas = 5", "maxReplicas (2)"],
    },
    {
        what: "a limit below its request",
        stack: "dev",
        edit: (c) => (c.analytics.resources.limits.memory = "64Mi"),
        expect: ["analytics.resources", '"64Mi" is below', "at least the request"],
    },
    {
        what: "an unknown service type",
        stack: "dev",
        edit: (c) => (c.frontend.service.type = "Ingress"),
        expect: ['frontend.service.type = "Ingress"', "ClusterIP, NodePort, LoadBalancer"],
    },
    {
        what: "a backup schedule the CronJob controller cannot parse",
        stack: "staging",
        edit: (c) => (c.postgres.backup.schedule = "0 3 * * 7"),
        expect: ['postgres.backup.schedule = "0 3 * * 7"', "invalid day of week", "0-6"],
    },
    {
        what: "keeping no backups",
        stack: "prod",
        edit: (c) => (c.postgres.backup.keep = 0),
        expect: ["postgres.backup.keep = 0", "1-1000"],
    },
    {
        what: "a backup time zone that does not exist",
        stack: "prod",
        edit: (c) => (c.postgres.backup.timeZone = "Europe/Atlantis"),
        expect: ['postgres.backup.timeZone = "Europe/Atlantis"', "IANA time zone"],
    },
    {
        what: "a misspelt backup key",
        stack: "staging",
        edit: (c) => (c.postgres.backup.retention = 3),
        expect: ["postgres.backup.retention = 3", "unknown key"],
    },
    {
        what: "a backup pod whose memory limit is below its request",
        stack: "staging",
        edit: (c) => (c.postgres.backup.resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "128Mi" } }),
        expect: ["postgres.backup.resources", '"128Mi" is below', "at least the request"],
    },
    {
        what: "a storage quota without room for the backups",
        stack: "staging",
        edit: (c) => (c.postgres.backup.storageSize = "20Gi"),
        expect: ['quota.requestsStorage = "20Gi"', "postgres.backup.storageSize", "5Gi + 20Gi"],
    },
    {
        what: "a claim quota without room for the backup claim",
        stack: "staging",
        edit: (c) => (c.quota.persistentVolumeClaims = 1),
        expect: ["quota.persistentVolumeClaims = 1", "2 PersistentVolumeClaims (data and backups)"],
    },
    {
        what: "a malformed storage size",
        stack: "prod",
        edit: (c) => (c.postgres.storageSize = "10GB"),
        expect: ['postgres.storageSize = "10GB"', "Kubernetes quantity"],
    },
    {
        what: 'memory written "512Mb"',
        stack: "dev",
        edit: (c) => (c.backend.resources.requests.memory = "512Mb"),
        expect: ['backend.resources.requests.memory = "512Mb"', "Mi, Gi"],
    },
    {
        what: "a quota below the HPA peak",
        stack: "staging",
        edit: (c) => (c.quota.requestsCpu = "1"),
        // The settings that make up the peak, largest share first: what to change, not only the quota.
        expect: [
            'quota.requestsCpu = "1"',
            "below the peak the workloads may reach, 2860m CPU",
            "frontend 2 colours × (4 + 1 surge) pods × 100m (frontend.autoscaling.maxReplicas = 4, frontend.resources.requests.cpu); analytics",
            "Raise quota.requestsCpu or lower one of those settings",
        ],
    },
    {
        what: "a pod quota below the peak",
        stack: "prod",
        edit: (c) => (c.quota.pods = 10),
        expect: ["quota.pods = 10", "below the peak pod count", "backend (10 + 1 surge) pods (backend.autoscaling.maxReplicas = 10)"],
    },
    {
        what: "TLS without a host",
        stack: "prod",
        edit: (c) => delete c.frontend.ingress.host,
        expect: ["frontend.ingress.host = (missing)", "TLS needs a host"],
    },
    { what: "a missing required key", stack: "dev", edit: (c) => delete c.namespace, expect: ["fastapi-k8s:namespace = (missing)", "required"] },
    { what: "a missing tier version", stack: "staging", edit: (c) => delete c.frontend.version, expect: ["frontend.version = (missing)", "required"] },
    { what: "an unknown image mode", stack: "dev", edit: (c) => (c.images.mode = "docker"), expect: ['images.mode = "docker"', '"build" or "prebuilt"'] },
    {
        what: "prebuilt images without references",
        stack: "staging",
        edit: (c) => delete c.images.refs,
        expect: ["images.refs = (missing)", "frontend, backend and analytics"],
    },
    {
        what: "a mutable tag where digests are required",
        stack: "prod",
        edit: (c) => (c.images.refs.backend = "registry.example.com/fastapi-k8s/backend:latest"),
        expect: ["images.refs.backend", "not pinned by digest"],
    },
    {
        what: "a node port on a ClusterIP service",
        stack: "staging",
        edit: (c) => (c.frontend.service.nodePort = 30080),
        expect: ["frontend.service.nodePort = 30080", 'only allowed when service.type is "NodePort"'],
    },
    { what: "a misspelt key", stack: "dev", edit: (c) => (c.frontend.replica = 2), expect: ["frontend.replica = 2", "unknown key"] },
    {
        what: "replicas beside autoscaling",
        stack: "prod",
        edit: (c) => (c.backend.replicas = 3),
        expect: ["backend.replicas = 3", "HPA owns the replica count"],
    },
    { what: "a non-boolean protect", stack: "prod", edit: (c) => (c.postgres.protect = "yes"), expect: ['postgres.protect = "yes"', "true or false"] },
    {
        what: "a colour that is not a hex triple",
        stack: "dev",
        edit: (c) => (c.frontend.page.color = "blue"),
        expect: ['frontend.page.color = "blue"', "#3366cc"],
    },
    {
        what: "storage quota below the database volume",
        stack: "dev",
        edit: (c) => (c.quota.requestsStorage = "512Mi"),
        expect: ['quota.requestsStorage = "512Mi"', "postgres.storageSize (1Gi)"],
    },
    {
        what: "a utilisation target above 100%",
        stack: "staging",
        edit: (c) => (c.analytics.autoscaling.cpuUtilization = 150),
        expect: ["analytics.autoscaling.cpuUtilization = 150", "1-100"],
    },
    {
        what: "a Postgres tag where digests are required",
        stack: "staging",
        edit: (c) => (c.postgres.image = "postgres:17.6"),
        expect: ['postgres.image = "postgres:17.6"', "not pinned by digest"],
    },
    {
        what: "a proxy that is not a URL",
        stack: "dev",
        edit: (c) => (c.images.buildEnvironment = { httpsProxy: "proxy.corp:3128" }),
        expect: ["images.buildEnvironment.httpsProxy", "http://host:port"],
    },
    {
        what: "a no-proxy list with spaces",
        stack: "dev",
        edit: (c) => (c.images.buildEnvironment = { noProxy: "localhost, .corp" }),
        expect: ["images.buildEnvironment.noProxy = (not shown", "comma-separated"],
    },
    {
        what: "a CA file that does not exist",
        stack: "dev",
        edit: (c) => (c.images.buildEnvironment = { caCertificatesFile: "no/such/ca.pem" }),
        expect: ['images.buildEnvironment.caCertificatesFile = "no/such/ca.pem"', "cannot be read (ENOENT)", "PEM file"],
    },
    {
        what: "a CA file without certificates",
        stack: "dev",
        edit: (c) => (c.images.buildEnvironment = { caCertificatesFile: "package.json" }),
        expect: ['images.buildEnvironment.caCertificatesFile = "package.json"', "holds no PEM certificate"],
    },
    {
        what: "a version that is no label value",
        stack: "dev",
        edit: (c) => (c.backend.version = "1.2.0+build.7"),
        expect: ['backend.version = "1.2.0+build.7"', "label value", 'no "+"'],
    },
    {
        what: "a blue-green version that is no label value",
        stack: "staging",
        edit: (c) => (c.frontend.blueGreen.green.version = "v2 beta"),
        expect: ['frontend.blueGreen.green.version = "v2 beta"', "label value"],
    },
    {
        what: "an upper-case host",
        stack: "prod",
        edit: (c) => (c.frontend.ingress.host = "App.Example.com"),
        expect: ['frontend.ingress.host = "App.Example.com"', "lower-case DNS host name"],
    },
    {
        what: "an IP address as host",
        stack: "prod",
        edit: (c) => (c.frontend.ingress.host = "10.0.0.1"),
        expect: ['frontend.ingress.host = "10.0.0.1"', "not an IP address"],
    },
    {
        what: "an ingress class that is no DNS subdomain",
        stack: "staging",
        edit: (c) => (c.frontend.ingress.className = "Nginx_Public"),
        expect: ['frontend.ingress.className = "Nginx_Public"', "DNS subdomain"],
    },
    { what: "an empty data volume", stack: "dev", edit: (c) => (c.postgres.storageSize = "0"), expect: ['postgres.storageSize = "0"', "greater than zero"] },
    {
        what: "a storage class that is no DNS subdomain",
        stack: "dev",
        edit: (c) => (c.postgres.storageClassName = "Fast_SSD"),
        expect: ['postgres.storageClassName = "Fast_SSD"', "DNS subdomain"],
    },
    {
        what: "one node port for two tiers",
        stack: "dev",
        edit: (c) => (c.backend.service = { type: "NodePort", nodePort: 30080 }),
        expect: ["backend.service.nodePort = 30080", "already used by frontend.service.nodePort"],
    },
    {
        what: "an ephemeral request above the default limit",
        stack: "dev",
        edit: (c) => (c.frontend.resources.requests.ephemeralStorage = "1Gi"),
        expect: ["frontend.resources", 'the default limit "256Mi"', 'frontend.resources.requests.ephemeralStorage = "1Gi"'],
    },
    {
        what: "an image reference with an upper-case path",
        stack: "prod",
        edit: (c) => (c.images.refs.frontend = "registry.example.com/Team/frontend@sha256:" + "a".repeat(64)),
        expect: ["images.refs.frontend", "image reference"],
    },
    {
        what: "a truncated digest",
        stack: "staging",
        edit: (c) => (c.postgres.image = "postgres@sha256:abc123"),
        expect: ['postgres.image = "postgres@sha256:abc123"', "image reference"],
    },
    {
        what: "a repository prefix that forms no reference",
        stack: "dev",
        edit: (c) => (c.images.repositoryPrefix = "Registry:5000//team"),
        expect: ['images.repositoryPrefix = "Registry:5000//team"', "registry"],
    },
    {
        what: "a namespace reserved for Kubernetes",
        stack: "dev",
        edit: (c) => (c.namespace = "kube-system"),
        expect: ['namespace = "kube-system"', "reserved for Kubernetes"],
    },
    {
        what: "failure injection that is no boolean",
        stack: "dev",
        edit: (c) => (c.backend.faultInjection = "on"),
        expect: ['backend.faultInjection = "on"', "true or false"],
    },
    {
        what: "a negative startup delay",
        stack: "dev",
        edit: (c) => (c.frontend.startupDelaySeconds = -5),
        expect: ["frontend.startupDelaySeconds = -5", "seconds 0-3600"],
    },
    {
        what: "a startup allowance under one probe period",
        stack: "staging",
        edit: (c) => (c.analytics.startupTimeoutSeconds = 1),
        expect: ["analytics.startupTimeoutSeconds = 1", "whole seconds 2-3600"],
    },
    {
        what: "a fractional replica count",
        stack: "dev",
        edit: (c) => (c.backend.replicas = 1.5),
        expect: ["fastapi-k8s:backend.replicas = 1.5", "whole number ≥ 1"],
    },
    {
        what: "an ingress path without its slash",
        stack: "prod",
        edit: (c) => (c.frontend.ingress.path = "app"),
        expect: ['frontend.ingress.path = "app"', 'must start with "/"'],
    },
    {
        what: "a rollout timeout of a day",
        stack: "dev",
        edit: (c) => (c.backend.rolloutTimeoutSeconds = 86400),
        expect: ["backend.rolloutTimeoutSeconds = 86400", "whole seconds 30-3600"],
    },
    {
        what: "a node port outside the range",
        stack: "dev",
        edit: (c) => (c.frontend.service.nodePort = 8080),
        expect: ["frontend.service.nodePort = 8080", "node-port range 30000-32767"],
    },
    {
        what: "an unknown pull policy",
        stack: "dev",
        edit: (c) => (c.images.pullPolicy = "Sometimes"),
        expect: ['images.pullPolicy = "Sometimes"', "IfNotPresent, Always, Never"],
    },
    {
        what: "a registry user name with a control character",
        stack: "dev",
        edit: (c) => ((c.images.repositoryPrefix = "registry.example.com/team"), (c.images.registry = { server: "registry.example.com", username: "ci\nx" })),
        expect: ["images.registry.username = (not shown", "without spaces or control characters"],
    },
    {
        what: "a build network that is no Docker network name",
        stack: "dev",
        edit: (c) => (c.images.buildNetwork = "host; rm -rf /"),
        expect: ['images.buildNetwork = "host; rm -rf /"', "Docker network name"],
    },
    {
        what: "a time zone in lower case (the API server's tz database is case-sensitive)",
        stack: "prod",
        edit: (c) => (c.postgres.backup.timeZone = "utc"),
        expect: ['postgres.backup.timeZone = "utc"', 'use "UTC"'],
    },
    {
        what: "a region time zone in the wrong case",
        stack: "staging",
        edit: (c) => (c.postgres.backup.timeZone = "europe/berlin"),
        expect: ['postgres.backup.timeZone = "europe/berlin"', 'use "Europe/Berlin"'],
    },
    {
        what: "an ingress path that climbs out with /../",
        stack: "staging",
        edit: (c) => (c.frontend.ingress.path = "/app/../admin"),
        expect: ['frontend.ingress.path = "/app/../admin"', 'must not contain "/../"'],
    },
    {
        what: "an ingress path with a double slash",
        stack: "staging",
        edit: (c) => (c.frontend.ingress.path = "//app"),
        expect: ['frontend.ingress.path = "//app"', 'must not contain "//"'],
    },
    {
        what: "an ingress path ending in /.",
        stack: "prod",
        edit: (c) => (c.frontend.ingress.path = "/app/."),
        expect: ['frontend.ingress.path = "/app/."', 'must not end with "/."'],
    },
    {
        what: "memory in thousandths of a byte",
        stack: "dev",
        edit: (c) => (c.backend.resources.limits.memory = "256m"),
        expect: ['backend.resources.limits.memory = "256m"', "thousandths of a byte", '"128Mi"'],
    },
    {
        what: "a quota of fractional bytes",
        stack: "dev",
        edit: (c) => (c.quota.requestsMemory = "0.3Gi"),
        expect: ['quota.requestsMemory = "0.3Gi"', "not a whole number of bytes"],
    },
    {
        what: "a data volume in thousandths of a byte",
        stack: "dev",
        edit: (c) => (c.postgres.storageSize = "1500m"),
        expect: ['postgres.storageSize = "1500m"', "thousandths of a byte"],
    },
    {
        what: "a page title that would swell the settings' ConfigMap",
        stack: "dev",
        edit: (c) => (c.frontend.page.title = "x".repeat(1_100_000)),
        expect: ["frontend.page.title = ", "1-200 characters"],
    },
    {
        what: "a NUL in the greeting (an environment variable cannot carry it)",
        stack: "dev",
        edit: (c) => (c.frontend.page.greeting = "Hello\u0000world"),
        expect: ["frontend.page.greeting = ", "control character"],
    },
    {
        what: "a title of zero-width characters only",
        stack: "dev",
        edit: (c) => (c.frontend.page.title = "\u200b\u200b"),
        expect: ["frontend.page.title = ", "shows nothing"],
    },
    {
        what: "a title of a byte-order mark and spaces",
        stack: "dev",
        edit: (c) => (c.frontend.page.title = "\ufeff   "),
        expect: ["frontend.page.title = ", "shows nothing"],
    },
    {
        what: "a TLS Secret name that is the database's credentials",
        stack: "staging",
        edit: (c) => (c.frontend.ingress.tlsSecretName = "postgres-credentials"),
        expect: ['frontend.ingress.tlsSecretName = "postgres-credentials"', "names a Secret the platform manages", '"frontend-tls"'],
    },
    {
        what: "a TLS Secret name that is a service key's",
        stack: "prod",
        edit: (c) => (c.frontend.ingress.tlsSecretName = "backend-key-frontend"),
        expect: ['frontend.ingress.tlsSecretName = "backend-key-frontend"', "names a Secret the platform manages"],
    },
    {
        what: "YAML's null as the namespace",
        stack: "dev",
        edit: (c) => (c.namespace = null),
        expect: ["fastapi-k8s:namespace = null", "expected a namespace name"],
    },
    {
        what: "a blank render directory (it would turn pulumi up into render mode)",
        stack: "dev",
        edit: (c) => (c.renderYamlToDirectory = "   "),
        expect: ['renderYamlToDirectory = "   "', "is blank; leave it empty to deploy to the cluster"],
    },
    {
        what: "an Ingress on the internal backend",
        stack: "staging",
        edit: (c) => (c.backend.ingress = { host: "api.example.com" }),
        expect: ["backend.ingress = ", "backend is internal"],
    },
    {
        what: "a LoadBalancer on the internal analytics tier",
        stack: "dev",
        edit: (c) => (c.analytics.service = { type: "LoadBalancer" }),
        expect: ['analytics.service.type = "LoadBalancer"', "analytics is internal"],
    },
    {
        what: "a frontend nothing outside reaches (a ClusterIP Service and no Ingress)",
        stack: "staging",
        edit: (c) => delete c.frontend.ingress,
        expect: ["frontend.ingress = (missing)", "is required unless frontend.service.type is NodePort or LoadBalancer"],
    },
    {
        what: "an ingress controller the API server would not select by",
        stack: "staging",
        edit: (c) => (c.frontend.ingress.controller = { namespace: "Ingress NGINX", podLabels: {} }),
        expect: [
            'frontend.ingress.controller.namespace = "Ingress NGINX": must be a DNS label',
            "frontend.ingress.controller.podLabels = {}: must name at least one label",
        ],
    },
    {
        what: "more analytics rows than its memory limit holds",
        stack: "prod",
        edit: (c) => (c.analytics.resources.limits.memory = "512Mi"),
        expect: [
            "analytics.maxRows = 5000000",
            "needs about 739Mi at once (128 bytes a row, measured, plus 128Mi for the service), more than analytics.resources.limits.memory (512Mi)",
            "lower maxRows to at most 3145728",
        ],
    },
    {
        what: "activeColor on a stack without blue-green",
        stack: "dev",
        edit: (c) => (c.activeColor = "green"),
        expect: ['activeColor = "green"', "only applies with frontend.blueGreen"],
    },
    {
        what: "mutable tags allowed in a guarded stack",
        stack: "staging",
        edit: (c) => ((c.images.requireDigest = false), (c.images.refs.backend = "registry.example.com/fastapi-k8s/backend:latest")),
        expect: ["images.requireDigest = false", "must be true in staging and prod"],
    },
    {
        what: "a namespace that is not a DNS label",
        stack: "dev",
        edit: (c) => (c.namespace = "Fastapi_Dev"),
        expect: ['namespace = "Fastapi_Dev"', "DNS label"],
    },
];

describe("invalid stack configuration", () => {
    it("has at least 15 cases", () => assert.ok(cases.length >= 15));

    for (const { what, stack, edit, expect } of cases) {
        it(`${stack}: rejects ${what} with one message, before any resource is registered`, async () => {
            const recorder = await installMocks(stack, edited(stack, edit));
            assert.throws(
                () => createPlatform(readStackConfig()),
                (e: Error) => {
                    assert.ok(e instanceof StackConfigError, `expected a StackConfigError, got ${e}`);
                    assert.ok(e.message.startsWith(`Invalid configuration for stack "${stack}" (Pulumi.${stack}.yaml):`), e.message);
                    for (const part of expect) {
                        assert.ok(e.message.includes(part), `message lacks ${JSON.stringify(part)}:\n${e.message}`);
                    }
                    return true;
                },
            );
            await settle(recorder, 5);
            assert.equal(recorder.resources.length, 0);
        });
    }

    it("names a bad proxy URL without printing it (it may carry a password)", async () => {
        await installMocks(
            "dev",
            edited("dev", (c) => (c.images.buildEnvironment = { httpProxy: "ftp://alice:s3cret-pw@proxy.corp:21" })),
        );
        assert.throws(
            () => readStackConfig(),
            (e: StackConfigError) =>
                e.message.includes("fastapi-k8s:images.buildEnvironment.httpProxy = (not shown") &&
                !e.message.includes("s3cret-pw") &&
                !JSON.stringify(e.issues).includes("s3cret-pw"),
        );
    });

    for (const [what, edit] of [
        [
            "a misspelt build-environment key",
            (c: Record<string, any>) => (c.images.buildEnvironment = { httpsProxi: "http://alice:s3cret-pw@proxy.corp:3128" }),
        ],
        ["a build environment written as a string", (c: Record<string, any>) => (c.images.buildEnvironment = "http://alice:s3cret-pw@proxy.corp:3128")],
        [
            "a registry server with a user name in it",
            (c: Record<string, any>) => (c.images.registry = { server: "https://alice:s3cret-pw@registry.example.com" }),
        ],
        ["a registry written as a URL string", (c: Record<string, any>) => (c.images.registry = "https://alice:s3cret-pw@registry.example.com")],
        ["a credential URL where a version goes", (c: Record<string, any>) => (c.backend.version = "https://alice:s3cret-pw@example.com")],
        ["images given as a list", (c: Record<string, any>) => (c.images = [{ buildEnvironment: { httpProxy: "http://alice:s3cret-pw@proxy.corp:3128" } }])],
    ] as Array<[string, Edit]>) {
        it(`dev: refuses ${what} without printing the credential, in the message or the issues`, async () => {
            await installMocks("dev", edited("dev", edit));
            assert.throws(
                () => readStackConfig(),
                (e: StackConfigError) => {
                    assert.ok(e instanceof StackConfigError, String(e));
                    assert.ok(!e.message.includes("s3cret-pw"), e.message);
                    assert.ok(!JSON.stringify(e.issues).includes("s3cret-pw"), JSON.stringify(e.issues));
                    assert.ok(e.message.includes("(not shown: it may carry credentials)"), e.message);
                    return true;
                },
            );
        });
    }

    it("dev: refuses a repository prefix outside the registry the login is for (Docker Hub would get the login)", async () => {
        await installMocks(
            "dev",
            edited("dev", (c) => (c.images.registry = { server: "registry.example.com", username: "ci" })),
        );
        assert.throws(
            () => readStackConfig(),
            (e: StackConfigError) =>
                e.message.includes(
                    'fastapi-k8s:images.repositoryPrefix = "fastapi-k8s": names the registry docker.io, but the login is for registry.example.com',
                ) && e.message.includes('start the prefix with the registry server, e.g. "registry.example.com/fastapi-k8s"'),
        );
        // A prefix is always followed by a service's name, so a lone host is a registry.
        await installMocks(
            "dev",
            edited("dev", (c) => ((c.images.registry = { server: "registry.example.com", username: "ci" }), (c.images.repositoryPrefix = "localhost:5000"))),
        );
        assert.throws(
            () => readStackConfig(),
            /images\.repositoryPrefix = "localhost:5000": names the registry localhost:5000, .* e\.g\. "registry\.example\.com"/,
        );
    });

    it("dev: without a prefix, tags built images under the registry the login is for", async () => {
        const recorder = await installMocks(
            "dev",
            edited("dev", (c) => {
                delete c.images.repositoryPrefix;
                c.images.registry = { server: "https://registry.example.com/", username: "ci" };
            }),
        );
        createPlatform(readStackConfig());
        await settle(recorder);
        const names = recorder.ofType("docker:index/image:Image").map((r) => String(r.inputs.imageName).split(":")[0]);
        assert.deepEqual(
            names.sort(),
            ["analytics", "backend", "frontend"].map((s) => `registry.example.com/fastapi-k8s/${s}`),
        );
    });

    it("dev: refuses a registry password stored in plain text, without printing it; accepts it as a secret", async () => {
        const config = edited("dev", (c) => {
            c.images.repositoryPrefix = "registry.example.com/team";
            c.images.registry = { server: "registry.example.com", username: "ci" };
            c.registryPassword = "plain-pw-123";
        });
        await installMocks("dev", config);
        assert.throws(
            () => readStackConfig(),
            (e: StackConfigError) =>
                e.message.includes("fastapi-k8s:registryPassword = (not shown: it may carry credentials): is stored in plain text") &&
                e.message.includes("pulumi config set --secret fastapi-k8s:registryPassword") &&
                !e.message.includes("plain-pw-123"),
        );
        await installMocks("dev", config, "fastapi-k8s", ["fastapi-k8s:registryPassword"]);
        assert.doesNotThrow(() => readStackConfig());
    });

    for (const [what, edit] of [
        ["a numeric-looking namespace", (c: Record<string, any>) => (c.namespace = "2024")],
        ["a wildcard host", (c: Record<string, any>) => (c.frontend.ingress.host = "*.fastapi-k8s.example.com")],
        ["a TLS Secret name with dots", (c: Record<string, any>) => (c.frontend.ingress.tlsSecretName = "frontend.tls")],
        ["a version with build metadata as a label value", (c: Record<string, any>) => (c.backend.version = "1.2.0_build.7")],
        ["a quantity with a plus sign", (c: Record<string, any>) => (c.quota.requestsCpu = `+${c.quota.requestsCpu}`)],
        ["a time zone that is a tz database link", (c: Record<string, any>) => (c.postgres.backup.timeZone = "US/Eastern")],
        ["a region time zone written exactly", (c: Record<string, any>) => (c.postgres.backup.timeZone = "Europe/Berlin")],
        ["memory in decimal megabytes with a fraction", (c: Record<string, any>) => (c.backend.resources.limits.memory = "300.5M")],
        ["a greeting with accents and emoji", (c: Record<string, any>) => (c.frontend.page.greeting = "Grüß dich 👋")],
    ] as Array<[string, Edit]>) {
        it(`prod: accepts ${what}, which Kubernetes accepts`, async () => {
            await installMocks("prod", edited("prod", edit));
            assert.doesNotThrow(() => readStackConfig());
        });
    }

    it('reads YAML\'s null the same way on the release path and the render path: refused, never a namespace named "null"', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "null-namespace-"));
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const file = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8").replace(/fastapi-k8s:namespace: .*/, "fastapi-k8s:namespace: ~");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), file);
        const refusal = /fastapi-k8s:namespace = null: expected a namespace name/;
        assert.throws(() => stackSettings("dev", dir), refusal);
        await assert.rejects(renderStack("dev", { "fastapi-k8s:namespace": stackFileConfig("dev", dir)["fastapi-k8s:namespace"] }), refusal);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("names the stack file, line and column of a YAML syntax error, and refuses a config: that is not a mapping", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-stack-file-"));
        try {
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  fastapi-k8s:namespace: [fastapi-dev\n  fastapi-k8s:quota: {}\n");
            assert.throws(() => stackFileConfig("dev", dir), /^Error: Pulumi\.dev\.yaml \(.+\/Pulumi\.dev\.yaml\) is not valid YAML: .+ at line 3, column 3/);
            assert.throws(() => stackSettings("dev", dir), /Pulumi\.dev\.yaml .* is not valid YAML/, "the release path reads it the same way");
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: [fastapi-k8s:namespace]\n");
            assert.throws(() => stackFileConfig("dev", dir), /Pulumi\.dev\.yaml .*: `config:` must be a mapping of keys to values/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("says why YAML typed a value otherwise than the file means, and how to quote it", async () => {
        await installMocks(
            "dev",
            edited("dev", (c) => ((c.frontend.version = 1.1), (c.backend.replicas = "3"), (c.analytics.resources.requests.cpu = 0.5))),
        );
        assert.throws(
            () => readStackConfig(),
            (e: StackConfigError) =>
                /frontend\.version = 1\.1: expected text; YAML read it as the number 1\.1, which may not be what the file says \(an unquoted 1\.10 is read as 1\.1\): quote it as written/.test(
                    e.message,
                ) &&
                /backend\.replicas = "3": expected a whole number ≥ 1; "3" is quoted, so it is text: write 3 without quotes/.test(e.message) &&
                /analytics\.resources\.requests\.cpu = 0\.5: .*; YAML read it as the number 0\.5.*quote it as written, e\.g\. "0\.5"/.test(e.message),
        );
    });

    it("accepts analytics rows beyond the memory limit only when the stack says so, as the OOMKilled scenario does", async () => {
        const oversized = (c: Record<string, any>) =>
            (c.analytics.resources = { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "2", memory: "512Mi" } });
        await installMocks("prod", edited("prod", oversized));
        assert.throws(() => readStackConfig(), /^StackConfigError: .*\n\s+- fastapi-k8s:analytics\.maxRows = 5000000: needs about 739Mi at once[^\n]*$/);
        await installMocks(
            "prod",
            edited("prod", (c) => (oversized(c), (c.analytics.allowRowsBeyondMemory = true))),
        );
        assert.doesNotThrow(() => readStackConfig());
    });

    it("lists every problem at once", async () => {
        await installMocks(
            "dev",
            edited("dev", (c) => ((c.frontend.replicas = 0), (c.backend.resources.requests.cpu = "lots"))),
        );
        assert.throws(
            () => readStackConfig(),
            (e: StackConfigError) => e.issues.length === 2,
        );
    });
});
