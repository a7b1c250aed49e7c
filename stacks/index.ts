import * as k8s from "@pulumi/kubernetes";
import { readStackConfig } from "./config/load";
import { createPlatform } from "./platform";

// Validate everything first: a bad configuration must stop the program before any resource exists.
const config = readStackConfig();

// In render mode the Kubernetes provider writes manifests to a directory instead of a cluster.
const providers = config.renderYamlToDirectory
    ? { kubernetes: new k8s.Provider("render", { renderYamlToDirectory: config.renderYamlToDirectory }) }
    : undefined;

const platform = createPlatform(config, providers ? { providers } : {});

export const namespace = platform.namespace;
export const frontendEndpoint = platform.frontendEndpoint;
export const frontendNodePort = platform.frontendNodePort;
export const images = platform.images;
export const databaseHost = platform.databaseHost;
export const activeColor = platform.activeColor;
