import * as pulumi from "@pulumi/pulumi";
import { SecretFileMount, ServiceKey } from "../components";
import { WebTierConfig } from "./config/schema";
import { PATHS } from "./serviceContract";

/** The settings and files a tier gets for failure injection. */
export interface FaultInjectionWiring {
    env: Record<string, string>;
    secretFiles: SecretFileMount[];
}

/**
 * Failure injection for the probe scenarios (docs/scenarios.md), when the tier's config turns it on:
 * the service's /fault endpoints, usable only with an operator key of their own (Secret
 * `<tier>-key-operator`), so that a caller holding a service key cannot take pods out of service.
 */
export function faultInjectionWiring(
    tier: string,
    tierConfig: WebTierConfig,
    namespace: pulumi.Input<string>,
    generation: number | undefined,
    opts: pulumi.ComponentResourceOptions,
): FaultInjectionWiring {
    if (!tierConfig.faultInjection) {
        return { env: {}, secretFiles: [] };
    }
    const key = new ServiceKey(`${tier}-operator-key`, { namespace, caller: "operator", callee: tier, generation }, opts);
    return {
        env: { FAULT_INJECTION_ENABLED: "true", FAULT_KEYS_DIR: PATHS.faultKeysDir },
        secretFiles: [{ secretName: key.secretName, mountPath: `${PATHS.faultKeysDir}/operator` }],
    };
}
