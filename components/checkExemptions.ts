/**
 * Exemptions from the field's manifest checkers, written onto the object they concern, each with
 * its reason. A check is only ever skipped this way, so every skip is visible in the manifest.
 *
 * `check` names the tool and the check: "checkov:CKV_K8S_43", "kube-score:deployment-replicas",
 * "kube-linter:no-read-only-root-fs".
 */
export interface CheckExemption {
    /** "<tool>:<check id>", tool one of checkov, kube-score, kube-linter. */
    check: string;
    /** Why the check does not apply to this object. */
    reason: string;
}

const TOOLS = ["checkov", "kube-score", "kube-linter"];

/** Problems with exemptions (unknown tool, missing reason). */
export function exemptionProblems(exemptions: CheckExemption[]): string[] {
    return exemptions.flatMap(({ check, reason }) => {
        const [tool, id] = check.split(":");
        const problems: string[] = [];
        if (!TOOLS.includes(tool) || !id) problems.push(`exemption "${check}" must be "<tool>:<check>" with tool one of ${TOOLS.join(", ")}`);
        if (!reason || !reason.trim()) problems.push(`exemption "${check}" needs a reason`);
        return problems;
    });
}

/** The annotations that make each tool skip the exempted checks, plus the reasons. */
export function exemptionAnnotations(exemptions: CheckExemption[]): Record<string, string> {
    const annotations: Record<string, string> = {};
    const kubeScore: string[] = [];
    let checkovIndex = 0;
    for (const { check, reason } of exemptions) {
        const [tool, id] = check.split(":");
        if (tool === "checkov") {
            annotations[`checkov.io/skip${++checkovIndex}`] = `${id}=${reason}`;
        } else if (tool === "kube-score") {
            kubeScore.push(id);
            annotations[`exemptions.fastapi-k8s/kube-score.${id}`] = reason;
        } else {
            annotations[`ignore-check.kube-linter.io/${id}`] = reason;
        }
    }
    if (kubeScore.length > 0) {
        annotations["kube-score/ignore"] = kubeScore.join(",");
    }
    return annotations;
}

/** `annotations` plus the exemption annotations; undefined when both are empty (no empty maps in manifests). */
export function withExemptions(annotations: Record<string, string> | undefined, exemptions: CheckExemption[]) {
    const merged = { ...annotations, ...exemptionAnnotations(exemptions) };
    return Object.keys(merged).length > 0 ? merged : undefined;
}
