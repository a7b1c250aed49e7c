import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./config/load";
import { createPlatform } from "./platform";

/**
 * The reference platform as a Pulumi program: what `pulumi up` runs from stacks/index.ts, and what
 * the Automation API runs inline (scripts/engine) where no Node.js language host is installed.
 * Returns the stack outputs.
 */
export function platformProgram() {
    // Validate everything first: a bad configuration must stop the program before any resource exists.
    const config = readStackConfig();

    // In render mode the Kubernetes provider writes manifests to a directory instead of a cluster.
    const providers = config.renderYamlToDirectory
        ? { kubernetes: new k8s.Provider("render", { renderYamlToDirectory: renderDirectory(config.renderYamlToDirectory) }) }
        : undefined;

    const platform = createPlatform(config, providers ? { providers } : {});
    return {
        namespace: platform.namespace,
        frontendEndpoint: platform.frontendEndpoint,
        frontendNodePort: platform.frontendNodePort,
        images: platform.images,
        databaseHost: platform.databaseHost,
        activeColor: platform.activeColor,
    };
}

/**
 * A relative render directory is taken from the project root (where Pulumi.yaml is), whatever the
 * process's directory: `pulumi up` runs the program from stacks/, inline runs from anywhere.
 */
function renderDirectory(configured: string): string {
    return path.resolve(pulumi.runtime.getRootDirectory() || process.cwd(), configured);
}
