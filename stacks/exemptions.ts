import { CheckExemption } from "../components";
import { StackConfig } from "./config/schema";

/**
 * Checker exemptions that follow from the stack configuration, each with the reason that makes the
 * check inapplicable. Only the configuration that causes them can turn them on.
 */
export function imageExemptions(images: StackConfig["images"]): CheckExemption[] {
    const exemptions: CheckExemption[] = [];
    if (images.mode === "build" && images.registry === undefined) {
        exemptions.push({
            check: "checkov:CKV_K8S_43",
            reason: "built locally for a local cluster and tagged by a hash of its content (images.mode build, no registry); no registry digest exists",
        });
    }
    exemptions.push(...pullPolicyExemptions(images.pullPolicy));
    return exemptions;
}

/** Postgres runs an upstream image; a tag is accepted only where digests are not required. */
export function postgresExemptions(config: StackConfig): CheckExemption[] {
    const image = config.postgres.image ?? "";
    const exemptions = pullPolicyExemptions(config.images.pullPolicy);
    if (!image.includes("@sha256:")) {
        exemptions.push({
            check: "checkov:CKV_K8S_43",
            reason: "postgres.image is pinned by version tag in a stack without images.requireDigest; staging and prod pin a digest",
        });
    }
    return exemptions;
}

function pullPolicyExemptions(pullPolicy: string | undefined): CheckExemption[] {
    if (pullPolicy === undefined || pullPolicy === "Always") {
        return [];
    }
    const reason = `imagePullPolicy ${pullPolicy} from images.pullPolicy: images are referenced immutably (content-hash tag, version tag of a local build, or digest), so a cached copy cannot be stale`;
    return [
        { check: "checkov:CKV_K8S_15", reason },
        { check: "kube-score:container-image-pull-policy", reason },
    ];
}
