import { strict as assert } from "assert";
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { gateViolations, plannedSteps, summarize } from "../../scripts/promote/planAnalysis";

// Engine events as the Automation API delivers them (resourcePreEvent per planned step). These are
// written by hand in that shape; replace them with a recorded preview once the engine runs here.
let sequence = 0;
function pre(op: OpType, type: string, name: string): EngineEvent {
    const urn = `urn:pulumi:staging::fastapi-k8s::fastapi-k8s:index:PostgresDatabase$${type}::${name}`;
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
        assert.deepEqual(steps.map((s) => s.op), ["create", "update", "update", "delete"]);
    });

    it("summarises by operation and type", () => {
        assert.deepEqual(summarize(plannedSteps(rollout)), {
            create: { "kubernetes:core/v1:ConfigMap": 1 },
            update: { "kubernetes:apps/v1:Deployment": 2 },
            delete: { "kubernetes:core/v1:ConfigMap": 1 },
        });
    });

    it("lets a rollout through: deleting a replaced ConfigMap destroys no data", () => {
        assert.deepEqual(gateViolations(plannedSteps(rollout), { stack: "prod" }), []);
    });

    const destructive: Array<[OpType, string, string]> = [
        ["replace", "kubernetes:apps/v1:StatefulSet", "postgres"],
        ["delete", "kubernetes:core/v1:PersistentVolumeClaim", "data-postgres-0"],
        ["delete-replaced", "kubernetes:core/v1:Secret", "postgres-credentials"],
        ["replace", "random:index/randomPassword:RandomPassword", "postgres-password"],
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

    it("lets an update of the StatefulSet through (a rolling restart keeps the volume)", () => {
        const steps = plannedSteps([pre("update", "kubernetes:apps/v1:StatefulSet", "postgres")]);
        assert.deepEqual(gateViolations(steps, { stack: "prod" }), []);
    });
});
