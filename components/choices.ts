import { ArgumentProblem } from "./errors";

/**
 * The closed sets and ranges the components accept. They are exported so that a configuration
 * layer (a zod schema, a CLI, another language's wrapper) offers exactly these values instead of a
 * copy that drifts; the components check them at run time too, for callers without TypeScript.
 */

/** How a Service is exposed. */
export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** The image pull policies Kubernetes accepts. */
export const PULL_POLICIES = ["IfNotPresent", "Always", "Never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** The two releases of a BlueGreenService. */
export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

/** The kinds of cert-manager issuer an Ingress can name, and the annotation that names each. */
export const CERTIFICATE_ISSUER_ANNOTATIONS = { ClusterIssuer: "cert-manager.io/cluster-issuer", Issuer: "cert-manager.io/issuer" } as const;
export const CERTIFICATE_ISSUER_KINDS = ["ClusterIssuer", "Issuer"] as const;
export type CertificateIssuerKind = (typeof CERTIFICATE_ISSUER_KINDS)[number];

/** The API server's default `--service-node-port-range`. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** A problem when `value` is not one of `choices`, naming them; undefined otherwise. */
export function choiceProblem(field: string, value: unknown, choices: readonly string[]): ArgumentProblem | undefined {
    return typeof value === "string" && choices.includes(value) ? undefined : { field, value, message: `is not one of ${choices.join(", ")}` };
}

/** A problem when `value` is not a whole number in [min, max]; `unit` words the range ("seconds"). */
export function wholeNumberProblem(field: string, value: unknown, min: number, max = Infinity, unit = ""): ArgumentProblem | undefined {
    const ok = typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
    const what = unit ? `whole ${unit}` : "a whole number";
    return ok ? undefined : { field, value, message: max === Infinity ? `must be ${what} ≥ ${min}` : `must be ${what} ${min}-${max}` };
}
