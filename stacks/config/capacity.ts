import { ComputeResources, PASSWORD_SYNC_RESOURCES, parseQuantity, resolveBackupSettings } from "../../components";
import { ConfigIssue } from "./issues";
import { StackConfig, WebTierConfig } from "./schema";

/** Extra pods a Deployment runs during a rolling update (maxSurge in WebService). */
const ROLLING_SURGE = 1;

type Dimension = "requestsCpu" | "requestsMemory" | "limitsCpu" | "limitsMemory";

const DIMENSIONS: Array<{ quota: Dimension; kind: "requests" | "limits"; resource: "cpu" | "memory" }> = [
    { quota: "requestsCpu", kind: "requests", resource: "cpu" },
    { quota: "requestsMemory", kind: "requests", resource: "memory" },
    { quota: "limitsCpu", kind: "limits", resource: "cpu" },
    { quota: "limitsMemory", kind: "limits", resource: "memory" },
];

/** The most pods a web tier can run at once: its ceiling plus the rolling-update surge. */
export function peakPods(tier: WebTierConfig): number {
    return (tier.autoscaling?.maxReplicas ?? tier.replicas ?? 1) + ROLLING_SURGE;
}

/**
 * Checks that the namespace quota admits the peak the workloads may reach together: every HPA at
 * its maximum, each in the middle of a rolling update, plus Postgres and a running backup. A quota
 * below that peak lets the platform deploy and then silently refuses pods under load.
 */
export function capacityIssues(config: StackConfig): ConfigIssue[] {
    // A blue-green frontend runs two full releases side by side.
    const frontendReleases = config.frontend.blueGreen ? [config.frontend, config.frontend] : [config.frontend];
    const tiers = [...frontendReleases, config.backend, config.analytics];
    const backup = config.postgres.backup && resolveBackupSettings(config.postgres.backup);
    // Containers of single pods: Postgres with its password sync, and a backup pod while one runs.
    const singles: ComputeResources[] = [config.postgres.resources, PASSWORD_SYNC_RESOURCES, ...(backup ? [backup.resources] : [])];
    const singlePods = backup ? 2 : 1;
    const issues: ConfigIssue[] = [];
    for (const { quota, kind, resource } of DIMENSIONS) {
        const peak =
            tiers.reduce((sum, t) => sum + peakPods(t) * parseQuantity(t.resources[kind][resource]), 0) +
            singles.reduce((sum, r) => sum + parseQuantity(r[kind][resource]), 0);
        const allowed = parseQuantity(config.quota[quota]);
        if (allowed < peak) {
            issues.push({
                key: `quota.${quota}`,
                value: config.quota[quota],
                message: `below the peak the workloads may reach (${formatAmount(peak, resource)}: every tier at its maximum replicas plus one surge pod, both colours of a blue-green tier, Postgres and a running backup); raise the quota or lower replicas/${kind}`,
            });
        }
    }
    const pods = tiers.reduce((sum, t) => sum + peakPods(t), 0) + singlePods;
    if (config.quota.pods < pods) {
        issues.push({ key: "quota.pods", value: config.quota.pods, message: `below the peak pod count (${pods})` });
    }
    const claims = backup ? 2 : 1;
    if (config.quota.persistentVolumeClaims < claims) {
        issues.push({
            key: "quota.persistentVolumeClaims",
            value: config.quota.persistentVolumeClaims,
            message: backup ? "Postgres needs 2 PersistentVolumeClaims (data and backups)" : "Postgres needs at least 1 PersistentVolumeClaim",
        });
    }
    const storage = parseQuantity(config.postgres.storageSize) + (backup ? parseQuantity(backup.storageSize) : 0);
    if (parseQuantity(config.quota.requestsStorage) < storage) {
        issues.push({
            key: "quota.requestsStorage",
            value: config.quota.requestsStorage,
            message: backup
                ? `below postgres.storageSize plus postgres.backup.storageSize (${config.postgres.storageSize} + ${backup.storageSize})`
                : `below postgres.storageSize (${config.postgres.storageSize})`,
        });
    }
    return issues;
}

function formatAmount(value: number, resource: "cpu" | "memory"): string {
    return resource === "cpu" ? `${Math.round(value * 1000)}m CPU` : `${Math.ceil(value / 2 ** 20)}Mi memory`;
}
