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

const TIER_NAMES = ["frontend", "backend", "analytics"] as const;
type TierName = (typeof TIER_NAMES)[number];

/** One tier's share of a peak: its pods at their ceiling, each with its requests or limits. */
interface TierShare {
    tier: TierName;
    /** Full releases side by side: 2 for a blue-green frontend. */
    releases: number;
    config: WebTierConfig;
}

/** The setting that sets a tier's ceiling of replicas, as written in the stack file. */
function ceilingKey(share: TierShare): string {
    const { tier, config } = share;
    if (config.autoscaling) return `${tier}.autoscaling.maxReplicas = ${config.autoscaling.maxReplicas}`;
    return config.replicas === undefined ? `${tier}.replicas (default 1)` : `${tier}.replicas = ${config.replicas}`;
}

/** "frontend 2 colours × (4 + 1 surge) pods × 100m (frontend.autoscaling.maxReplicas = 4, frontend.resources.requests.cpu)" */
function describeShare(share: TierShare, pods: string, field?: string): string {
    const colours = share.releases > 1 ? `${share.releases} colours × ` : "";
    const settings = [ceilingKey(share), ...(field ? [`${share.tier}.${field}`] : [])].join(", ");
    return `${share.tier} ${colours}${pods} (${settings})`;
}

/**
 * Checks that the namespace quota admits the peak the workloads may reach together: every HPA at
 * its maximum, each in the middle of a rolling update, plus Postgres and a running backup. A quota
 * below that peak lets the platform deploy and then silently refuses pods under load.
 */
export function capacityIssues(config: StackConfig): ConfigIssue[] {
    // A blue-green frontend runs two full releases side by side.
    const shares: TierShare[] = TIER_NAMES.map((tier) => ({ tier, releases: tier === "frontend" && config.frontend.blueGreen ? 2 : 1, config: config[tier] }));
    const podsOf = (share: TierShare) => share.releases * peakPods(share.config);
    const surge = (share: TierShare) => `(${peakPods(share.config) - ROLLING_SURGE} + ${ROLLING_SURGE} surge) pods`;
    const backup = config.postgres.backup && resolveBackupSettings(config.postgres.backup);
    // Containers of single pods: Postgres with its password sync, and a backup pod while one runs.
    const singles: ComputeResources[] = [config.postgres.resources, PASSWORD_SYNC_RESOURCES, ...(backup ? [backup.resources] : [])];
    const singlePods = backup ? 2 : 1;
    const issues: ConfigIssue[] = [];
    for (const { quota, kind, resource } of DIMENSIONS) {
        const amountOf = (share: TierShare) => podsOf(share) * parseQuantity(share.config.resources[kind][resource]);
        const fixed = singles.reduce((sum, r) => sum + parseQuantity(r[kind][resource]), 0);
        const peak = shares.reduce((sum, share) => sum + amountOf(share), 0) + fixed;
        const allowed = parseQuantity(config.quota[quota]);
        if (allowed < peak) {
            // Largest share first: the setting most worth changing leads.
            const parts = [...shares]
                .sort((a, b) => amountOf(b) - amountOf(a))
                .map((share) => describeShare(share, `${surge(share)} × ${share.config.resources[kind][resource]}`, `resources.${kind}.${resource}`));
            issues.push({
                key: `quota.${quota}`,
                value: config.quota[quota],
                message: `below the peak the workloads may reach, ${formatAmount(peak, resource)} with every tier at its maximum replicas plus one surge pod: ${parts.join("; ")}; postgres, its password sync and a running backup: ${formatAmount(fixed, resource)}. Raise quota.${quota} or lower one of those settings`,
            });
        }
    }
    const pods = shares.reduce((sum, share) => sum + podsOf(share), 0) + singlePods;
    if (config.quota.pods < pods) {
        const parts = shares.map((share) => describeShare(share, surge(share)));
        issues.push({
            key: "quota.pods",
            value: config.quota.pods,
            message: `below the peak pod count, ${pods}: ${parts.join("; ")}; postgres${backup ? " and a running backup" : ""}: ${singlePods}. Raise quota.pods or lower one of those settings`,
        });
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
