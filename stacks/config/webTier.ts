import { IngressRoute, WebServiceTuning } from "../../components";
import { WebTierConfig } from "./schema";

/**
 * The WebService arguments a tier's configuration sets. The platform passes exactly these, and the
 * configuration check runs the component's own rules on them (`webServiceTuningProblems`), so a
 * configuration the check accepts is one the component accepts.
 */
export function webTierTuning(config: WebTierConfig): WebServiceTuning {
    return {
        replicas: config.replicas,
        service: config.service,
        // The component reports a missing host itself, in the config's words.
        ingress: config.ingress as IngressRoute | undefined,
        autoscaling: config.autoscaling,
        rolloutTimeoutSeconds: config.rolloutTimeoutSeconds,
        probes: config.startupTimeoutSeconds === undefined ? undefined : { startupTimeoutSeconds: config.startupTimeoutSeconds },
    };
}

/** Argument paths whose configuration key (below the tier) is spelt differently. */
const CONFIG_KEYS: Record<string, string> = { "probes.startupTimeoutSeconds": "startupTimeoutSeconds" };

/** The configuration key of a WebService argument path, e.g. ("backend", "service.nodePort"). */
export function tierConfigKey(tier: string, field: string): string {
    return `${tier}.${CONFIG_KEYS[field] ?? field}`;
}
