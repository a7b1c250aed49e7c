import { strict as assert } from "assert";
import { ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policy/policies";
import { PolicyConfig } from "../../policy/rules";
import { RecordedResource } from "../../scripts/render/mockRuntime";
import { STACKS } from "../../stacks/stackFiles";
import { evaluateStack } from "../stacks/evaluateStack";

type Violation = { policy: string; message: string };

const byName = (name: string) => policies.find((p) => p.name === name)!;

function runResourcePolicy(policy: ResourceValidationPolicy, resource: { type: string; name: string; props: any }, config: PolicyConfig = {}): string[] {
    const messages: string[] = [];
    const args = {
        type: resource.type,
        name: resource.name,
        props: resource.props,
        urn: `urn:pulumi:test::fastapi-k8s::${resource.type}::${resource.name}`,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
        stackTags: new Map(),
        getConfig: () => config,
        isType: () => false,
        asType: () => undefined,
        notApplicable: () => {
            throw new Error("not applicable");
        },
    } as unknown as ResourceValidationArgs;
    (policy.validateResource as (args: ResourceValidationArgs, report: (message: string) => void) => void)(args, (message: string) => messages.push(message));
    return messages;
}

function runStackPolicy(policy: StackValidationPolicy, resources: Array<{ type: string; name: string; props: any }>): string[] {
    const messages: string[] = [];
    const args = {
        resources: resources.map((r) => ({ ...r, urn: r.name, opts: {}, dependencies: [], propertyDependencies: {} })),
        stackTags: new Map(),
        getConfig: () => ({}),
        notApplicable: () => {
            throw new Error("not applicable");
        },
    } as unknown as StackValidationArgs;
    policy.validateStack(args, (message: string) => messages.push(message));
    return messages;
}

function runAll(resources: RecordedResource[], config: PolicyConfig): Violation[] {
    const found: Violation[] = [];
    for (const policy of policies) {
        if ("validateResource" in policy && policy.validateResource) {
            for (const r of resources) {
                runResourcePolicy(policy as ResourceValidationPolicy, { type: r.type, name: r.name, props: r.inputs }, config).forEach((message) =>
                    found.push({ policy: policy.name, message }),
                );
            }
        } else {
            runStackPolicy(
                policy as StackValidationPolicy,
                resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
            ).forEach((message) => found.push({ policy: policy.name, message }));
        }
    }
    return found;
}

describe("policy pack", () => {
    const stacks: Record<string, RecordedResource[]> = {};
    before(async () => {
        for (const stack of STACKS) {
            stacks[stack] = (await evaluateStack(stack)).recorder.resources;
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: the platform keeps every rule`, () => {
            assert.deepEqual(runAll(stacks[stack], { requireDigest: stack !== "dev" }), []);
        });
    }

    /** A fresh copy of the staging backend Deployment, a compliant real object to break. */
    function backendDeployment() {
        const d = stacks.staging.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "backend")!;
        return { type: d.type, name: d.name, props: structuredClone(d.inputs) };
    }
    const container = (d: ReturnType<typeof backendDeployment>) => d.props.spec.template.spec.containers[0];

    const cases: Array<[string, string, (d: any) => void, RegExp, PolicyConfig?]> = [
        [
            "restricted-security-context",
            "privilege escalation",
            (d) => (container(d).securityContext.allowPrivilegeEscalation = true),
            /allowPrivilegeEscalation must be false/,
        ],
        [
            "restricted-security-context",
            "a writable root",
            (d) => delete container(d).securityContext.readOnlyRootFilesystem,
            /readOnlyRootFilesystem must be true/,
        ],
        [
            "restricted-security-context",
            "kept capabilities",
            (d) => (container(d).securityContext.capabilities = { add: ["NET_ADMIN"] }),
            /drop must include "ALL"/,
        ],
        [
            "restricted-security-context",
            "root allowed",
            (d) => (delete container(d).securityContext.runAsNonRoot, delete d.props.spec.template.spec.securityContext.runAsNonRoot),
            /runAsNonRoot must be true/,
        ],
        ["probes-present", "no readiness probe", (d) => delete container(d).readinessProbe, /container "app": has no readinessProbe/],
        ["probes-present", "no liveness probe", (d) => delete container(d).livenessProbe, /has no livenessProbe/],
        ["resources-set", "no memory limit", (d) => delete container(d).resources.limits.memory, /resources.limits.memory is not set/],
        ["resources-set", "no CPU request", (d) => delete container(d).resources.requests.cpu, /resources.requests.cpu is not set/],
        ["immutable-images", "the latest tag", (d) => (container(d).image = "registry.example.com/backend:latest"), /mutable tag/],
        ["immutable-images", "an untagged image", (d) => (container(d).image = "registry.example.com:5000/backend"), /mutable tag/],
        [
            "immutable-images",
            "a tag where digests are required",
            (d) => (container(d).image = "registry.example.com/backend:1.0.0"),
            /not pinned by digest/,
            { requireDigest: true },
        ],
        [
            "no-secrets-in-env",
            "a secretKeyRef",
            (d) => (container(d).env = [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }]),
            /env DB_PASSWORD comes from a Secret/,
        ],
        ["no-secrets-in-env", "envFrom a Secret", (d) => container(d).envFrom.push({ secretRef: { name: "db" } }), /envFrom takes Secret "db"/],
    ];
    for (const [policy, what, breakIt, message, config] of cases) {
        it(`${policy} catches ${what}`, () => {
            const deployment = backendDeployment();
            assert.deepEqual(runResourcePolicy(byName(policy) as ResourceValidationPolicy, deployment, config), [], "compliant before");
            breakIt(deployment);
            const violations = runResourcePolicy(byName(policy) as ResourceValidationPolicy, deployment, config);
            assert.equal(violations.length, 1, violations.join("; "));
            assert.match(violations[0], message);
        });
    }

    it("probes-present asks a container that serves no port for liveness only", () => {
        const deployment = backendDeployment();
        delete container(deployment).ports;
        delete container(deployment).readinessProbe;
        const policy = byName("probes-present") as ResourceValidationPolicy;
        assert.deepEqual(runResourcePolicy(policy, deployment), []);
        delete container(deployment).livenessProbe;
        assert.deepEqual(runResourcePolicy(policy, deployment), ['container "app": has no livenessProbe']);
    });

    it("probes-present asks a native sidecar (an init container that keeps running) for liveness", () => {
        const deployment = backendDeployment();
        const sidecar = { ...structuredClone(container(deployment)), name: "helper", ports: undefined, readinessProbe: undefined };
        delete sidecar.livenessProbe;
        deployment.props.spec.template.spec.initContainers = [{ ...sidecar, name: "setup" }];
        const policy = byName("probes-present") as ResourceValidationPolicy;
        assert.deepEqual(runResourcePolicy(policy, deployment), [], "an init container that runs to completion needs none");
        deployment.props.spec.template.spec.initContainers.push({ ...sidecar, restartPolicy: "Always" });
        assert.deepEqual(runResourcePolicy(policy, deployment), ['initContainer "helper": has no livenessProbe']);
    });

    it("immutable-images accepts a version tag when digests are not required", () => {
        const deployment = backendDeployment();
        container(deployment).image = "registry.example.com/backend:1.0.0";
        assert.deepEqual(runResourcePolicy(byName("immutable-images") as ResourceValidationPolicy, deployment, {}), []);
    });

    it("pdb-for-replicated-workloads catches a replicated Deployment without a PDB", () => {
        const resources = stacks.prod.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
        const policy = byName("pdb-for-replicated-workloads") as StackValidationPolicy;
        assert.deepEqual(runStackPolicy(policy, resources), []);
        const withoutBackendPdb = resources.filter((r) => !(r.type === "kubernetes:policy/v1:PodDisruptionBudget" && r.props.metadata.name === "backend"));
        assert.deepEqual(runStackPolicy(policy, withoutBackendPdb), ["backend can run more than one replica but no PodDisruptionBudget selects its pods"]);
        const devResources = stacks.dev.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
        assert.deepEqual(runStackPolicy(policy, devResources), [], "single replicas need no PDB");
    });
});
