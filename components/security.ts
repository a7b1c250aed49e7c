import * as k8s from "@pulumi/kubernetes";

/** The default user of every container; ≥ 10000 so it never maps to a user of the host. */
export const DEFAULT_UID = 10001;

/**
 * A container security context that meets the Pod Security Standards "restricted" profile and
 * more: no privilege escalation, every capability dropped, read-only root, non-root user.
 */
export function restrictedContainerSecurity(uid: number): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** The matching pod security context; `fsGroup` makes mounted volumes readable by the user. */
export function restrictedPodSecurity(uid: number): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}
