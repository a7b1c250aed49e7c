import { strict as assert } from "assert";
import { volumeShrinkProblems } from "../../scripts/release/volumeSizes";
import { stackSettings } from "../../scripts/release/release";

const urn = (chain: string, name: string) => `urn:pulumi:staging::fastapi-k8s::${chain}::${name}`;
const DB = "fastapi-k8s:index:PostgresDatabase";

/** State as `pulumi stack export` holds it for staging's database volumes. */
function state(data: string, backups: string) {
    return [
        {
            urn: urn(`${DB}$kubernetes:apps/v1:StatefulSet`, "postgres"),
            type: "kubernetes:apps/v1:StatefulSet",
            inputs: { spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: data } } } }] } },
        },
        {
            urn: urn(`${DB}$fastapi-k8s:index:PostgresBackup$kubernetes:core/v1:PersistentVolumeClaim`, "postgres-backups"),
            type: "kubernetes:core/v1:PersistentVolumeClaim",
            inputs: { spec: { resources: { requests: { storage: backups } } } },
        },
        // A claim outside the database is not the database's to judge.
        {
            urn: urn("kubernetes:core/v1:PersistentVolumeClaim", "other"),
            type: "kubernetes:core/v1:PersistentVolumeClaim",
            inputs: { spec: { resources: { requests: { storage: "1Ti" } } } },
        },
    ];
}

describe("volume sizes against the stack's state", () => {
    const staging = stackSettings("staging"); // storageSize 5Gi, backup.storageSize 10Gi

    it("allows the same size, a larger one written another way, and a stack with no state yet", () => {
        assert.deepEqual(volumeShrinkProblems("staging", staging, state("5Gi", "10Gi")), []);
        assert.deepEqual(volumeShrinkProblems("staging", staging, state("5368709120", "10240Mi")), []);
        assert.deepEqual(volumeShrinkProblems("staging", staging, []), []);
    });

    it("refuses a smaller size for the data volume and the backup volume, naming both sizes", () => {
        const problems = volumeShrinkProblems("staging", staging, state("6Gi", "20Gi"));
        assert.deepEqual(problems, [
            'fastapi-k8s:postgres.storageSize = "5Gi" is smaller than the volume staging has now (6Gi): a volume can never shrink; keep it at 6Gi or more',
            'fastapi-k8s:postgres.backup.storageSize = "10Gi" is smaller than the volume staging has now (20Gi): a volume can never shrink; keep it at 20Gi or more',
        ]);
    });
});
