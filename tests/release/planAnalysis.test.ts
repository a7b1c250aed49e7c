import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { dataSteps, describeSteps, gateViolations, plannedSteps, summarize } from "../../scripts/release/planAnalysis";

/**
 * Previews recorded from the real engine by tests/engine/release.engine.ts (RECORD_FIXTURES=1):
 * promoting a release to staging, and resizing staging's database volume.
 */
const recorded = (name: string): EngineEvent[] => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8")) as EngineEvent[];

describe("plan analysis of recorded previews", () => {
    it("a promotion to staging: updates of the three Deployments and their components, nothing destroyed", () => {
        const steps = plannedSteps(recorded("staging-promotion.json"));
        assert.deepEqual(summarize(steps), {
            update: {
                "fastapi-k8s:index:BlueGreenService": 1,
                "fastapi-k8s:index:WebService": 3,
                "kubernetes:apps/v1:Deployment": 3,
            },
        });
        assert.deepEqual(gateViolations(steps, { stack: "staging" }), []);
        assert.deepEqual(dataSteps(steps), [], "no backup is needed before it");
    });

    it("a volume resize: the engine replaces the StatefulSet, and staging refuses unless allowed", () => {
        const steps = plannedSteps(recorded("staging-storage-resize.json"));
        const statefulSetOps = steps
            .filter((s) => s.type === "kubernetes:apps/v1:StatefulSet")
            .map((s) => s.op)
            .sort();
        assert.deepEqual(statefulSetOps, ["create-replacement", "delete-replaced", "replace"]);
        const violations = gateViolations(steps, { stack: "staging" });
        assert.equal(violations.length, 3);
        assert.ok(violations.every((v) => /StatefulSet "postgres", which holds data/.test(v)));
        assert.deepEqual(gateViolations(steps, { stack: "staging", allowDataLoss: true }), []);
        assert.deepEqual(gateViolations(steps, { stack: "dev" }), []);
        assert.deepEqual(
            dataSteps(steps)
                .map((s) => `${s.op} ${s.type}`)
                .sort(),
            statefulSetOps.map((op) => `${op} kubernetes:apps/v1:StatefulSet`),
            "a backup comes before it, even when allowed",
        );
    });
});

// Hand-written events in the same shape, for the data-bearing types no recorded preview destroys.
let sequence = 0;
function pre(op: OpType, type: string, name: string, parent = "fastapi-k8s:index:PostgresDatabase"): EngineEvent {
    // A resource of the stack itself has no parent types in its URN.
    const urn = `urn:pulumi:staging::fastapi-k8s::${parent ? `${parent}$` : ""}${type}::${name}`;
    return {
        sequence: sequence++,
        timestamp: 0,
        resourcePreEvent: { metadata: { op, urn, type, provider: "" } },
    } as EngineEvent;
}

const rollout: EngineEvent[] = [
    pre("same", "kubernetes:core/v1:Namespace", "environment"),
    pre("create", "kubernetes:core/v1:ConfigMap", "frontend-config"),
    pre("update", "kubernetes:apps/v1:Deployment", "frontend-blue"),
    pre("update", "kubernetes:apps/v1:Deployment", "frontend-green"),
    pre("delete", "kubernetes:core/v1:ConfigMap", "frontend-config-old"),
    { sequence: sequence++, timestamp: 0, stdoutEvent: { message: "preview", color: "never" } } as EngineEvent,
];

describe("plan analysis", () => {
    it("lists the planned steps once each, without unchanged resources or other events", () => {
        const steps = plannedSteps([...rollout, rollout[2]]);
        assert.deepEqual(
            steps.map((s) => s.op),
            ["create", "update", "update", "delete"],
        );
    });

    it("summarises by operation and type", () => {
        assert.deepEqual(summarize(plannedSteps(rollout)), {
            create: { "kubernetes:core/v1:ConfigMap": 1 },
            update: { "kubernetes:apps/v1:Deployment": 2 },
            delete: { "kubernetes:core/v1:ConfigMap": 1 },
        });
    });

    it("names each changed resource and the paths that change, never the stack or a provider", () => {
        const scaled = pre("update", "kubernetes:apps/v1:Deployment", "backend", "fastapi-k8s:index:WebService");
        scaled.resourcePreEvent!.metadata.detailedDiff = { "spec.replicas": { kind: "update", inputDiff: true } } as never;
        const service = pre("update", "kubernetes:core/v1:Service", "backend", "fastapi-k8s:index:WebService");
        service.resourcePreEvent!.metadata.diffs = ["spec"];
        const stack = pre("update", "pulumi:pulumi:Stack", "fastapi-k8s-staging", "");
        assert.deepEqual(describeSteps(plannedSteps([stack, scaled, service, rollout[1]])), [
            'update Deployment "backend": spec.replicas',
            'update Service "backend": spec',
            'create ConfigMap "frontend-config"',
        ]);
    });

    it("lets a rollout through: deleting a replaced ConfigMap destroys no data", () => {
        assert.deepEqual(gateViolations(plannedSteps(rollout), { stack: "prod" }), []);
    });

    const destructive: Array<[OpType, string, string]> = [
        ["replace", "kubernetes:apps/v1:StatefulSet", "postgres"],
        ["delete", "kubernetes:core/v1:PersistentVolumeClaim", "data-postgres-0"],
        ["delete-replaced", "kubernetes:core/v1:Secret", "postgres-credentials"],
        ["delete", "random:index/randomPassword:RandomPassword", "postgres-password"],
    ];
    for (const [op, type, name] of destructive) {
        it(`refuses to ${op} ${type} in staging and prod unless allowed, and not in dev`, () => {
            const steps = plannedSteps([...rollout, pre(op, type, name)]);
            for (const stack of ["staging", "prod"]) {
                const violations = gateViolations(steps, { stack });
                assert.equal(violations.length, 1);
                assert.match(violations[0], new RegExp(`would ${op} ${type} "${name}", which holds data`));
                assert.deepEqual(gateViolations(steps, { stack, allowDataLoss: true }), []);
            }
            assert.deepEqual(gateViolations(steps, { stack: "dev" }), []);
        });
    }

    it("knows data by its owner's type, not its name: a renamed database is guarded, look-alikes elsewhere are not", () => {
        const renamed = plannedSteps([
            pre("replace", "kubernetes:core/v1:Secret", "orders-db-secret"),
            pre("delete", "random:index/randomPassword:RandomPassword", "orders-db-pw", "fastapi-k8s:index:Platform$fastapi-k8s:index:PostgresDatabase"),
        ]);
        assert.equal(gateViolations(renamed, { stack: "prod" }).length, 2);
        const elsewhere = plannedSteps([
            pre("replace", "kubernetes:core/v1:Secret", "reports-credentials", "fastapi-k8s:index:WebService"),
            pre("replace", "random:index/randomPassword:RandomPassword", "frontend-backend-key-a", "fastapi-k8s:index:ServiceKey"),
            pre("delete", "kubernetes:core/v1:Secret", "legacy-credentials", ""),
        ]);
        assert.deepEqual(gateViolations(elsewhere, { stack: "prod" }), [], "a key rotation or an app's Secret is not data");
        const ownVolume = plannedSteps([pre("delete", "kubernetes:core/v1:PersistentVolumeClaim", "uploads", "")]);
        assert.equal(gateViolations(ownVolume, { stack: "prod" }).length, 1, "a claim holds data wherever it is");
    });

    it("lets an update of the StatefulSet through (a rolling restart keeps the volume)", () => {
        const steps = plannedSteps([pre("update", "kubernetes:apps/v1:StatefulSet", "postgres")]);
        assert.deepEqual(gateViolations(steps, { stack: "prod" }), []);
    });
});

describe("dataSteps", () => {
    const step = (op: OpType, type: string, owner = "fastapi-k8s:index:PostgresDatabase") => ({
        op,
        type,
        urn: `urn:pulumi:staging::fastapi-k8s::${owner}$${type}::x`,
        diffs: [],
    });
    it("names changes to volumes and the database's credentials, never creations or other objects", () => {
        const statefulSetUpdate = step("update", "kubernetes:apps/v1:StatefulSet");
        const secretUpdate = step("update", "kubernetes:core/v1:Secret");
        const passwordReplace = step("replace", "random:index/randomPassword:RandomPassword");
        const claimDelete = step("delete", "kubernetes:core/v1:PersistentVolumeClaim");
        const steps = [
            statefulSetUpdate,
            secretUpdate,
            passwordReplace,
            claimDelete,
            step("create", "kubernetes:core/v1:PersistentVolumeClaim"),
            step("update", "kubernetes:batch/v1:CronJob"),
            step("update", "kubernetes:core/v1:Secret", "fastapi-k8s:index:ServiceKey"),
            step("update", "kubernetes:apps/v1:Deployment", "fastapi-k8s:index:WebService"),
        ];
        assert.deepEqual(dataSteps(steps), [statefulSetUpdate, secretUpdate, passwordReplace, claimDelete]);
    });
});

describe("gateViolations on a password rotation", () => {
    const step = (op: OpType, type: string) => ({
        op,
        type,
        urn: `urn:pulumi:staging::fastapi-k8s::fastapi-k8s:index:PostgresDatabase$${type}::postgres-x`,
        diffs: [],
    });
    const password = "random:index/randomPassword:RandomPassword";
    it("lets a replaced database password through (a rotation) but not a deleted one, and still wants a backup first", () => {
        const rotation = [
            step("create-replacement", password),
            step("replace", password),
            step("update", "kubernetes:core/v1:Secret"),
            step("delete-replaced", password),
        ];
        assert.deepEqual(gateViolations(rotation, { stack: "prod" }), []);
        assert.equal(dataSteps(rotation).length, 4);
        assert.equal(gateViolations([step("delete", password)], { stack: "prod" }).length, 1);
        assert.equal(gateViolations([step("replace", "kubernetes:core/v1:Secret")], { stack: "prod" }).length, 1);
    });
});
