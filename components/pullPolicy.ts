/** The image pull policies Kubernetes accepts. */
export const PULL_POLICIES = ["IfNotPresent", "Always", "Never"];

/** A problem line when `policy` is not a pull policy, else undefined. */
export function pullPolicyProblem(policy: string): string | undefined {
    return PULL_POLICIES.includes(policy)
        ? undefined
        : `imagePullPolicy = "${policy}" is not one of ${PULL_POLICIES.join(", ")}`;
}
