import * as k8s from "@pulumi/kubernetes";
import { readStackConfig } from "./config/load";
import { createPlatform } from "./platform";
import { fromProjectRoot } from "./projectRoot";

/**
 * The reference platform as a Pulumi program: what `pulumi up` runs from stacks/index.ts, and what
 * the Automation API runs inline (scripts/engine) where no Node.js language host is installed.
 * Returns the stack outputs.
 */
export function platformProgram() {
    // Validate everything first: a bad configuration must stop the program before any resource exists.
    const config = readStackConfig();

    // In render mode the Kubernetes provider writes manifests to a directory instead of a cluster;
    // Secrets are mutable there as Pulumi.yaml makes them for the default provider.
    const providers = config.renderYamlToDirectory
        ? { kubernetes: new k8s.Provider("render", { renderYamlToDirectory: fromProjectRoot(config.renderYamlToDirectory), enableSecretMutable: true }) }
        : undefined;

    const platform = createPlatform(config, providers ? { providers } : {});
    return {
        namespace: platform.namespace,
        frontendEndpoint: platform.frontendEndpoint,
        frontendNodePort: platform.frontendNodePort,
        frontendLoadBalancerAddress: platform.frontendLoadBalancerAddress,
        images: platform.images,
        databaseHost: platform.databaseHost,
        activeColor: platform.activeColor,
    };
}
