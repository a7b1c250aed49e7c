import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AppImage, BuildEnvironment } from "../components/appImage";
import { readCaCertificates } from "./config/caCertificates";
import { registryPassword } from "./config/load";
import { repositoryPrefixOf } from "./config/rules";
import { StackConfig } from "./config/schema";

export const SERVICES = ["frontend", "backend", "analytics"] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The app-images/ directory: the build context of every service image. */
export const APP_IMAGES_DIR = path.resolve(__dirname, "..", "app-images");

/**
 * The image reference of each service: built from app-images/ (and pushed when a registry is
 * configured), or taken as given in `images.refs` (promoted stages never rebuild).
 */
export function serviceImages(config: StackConfig["images"]): Record<ServiceName, pulumi.Input<string>> {
    if (config.mode === "prebuilt") {
        // parseStackConfig guarantees refs in prebuilt mode.
        return config.refs!;
    }
    const registry = config.registry && { ...config.registry, password: registryPassword() };
    const build = (service: ServiceName) =>
        new AppImage(`${service}-image`, {
            context: APP_IMAGES_DIR,
            dockerfile: path.join(APP_IMAGES_DIR, "Dockerfile"),
            buildArgs: { SERVICE: service },
            repository: `${repositoryPrefixOf(config)}/${service}`,
            contentPaths: ["common", service],
            baseImage: config.baseImage,
            registry,
            network: config.buildNetwork,
            buildEnvironment: buildEnvironment(config.buildEnvironment),
        }).imageRef;
    return { frontend: build("frontend"), backend: build("backend"), analytics: build("analytics") };
}

/** The configured build environment, with the CA file read (the config rules checked it is PEM). */
function buildEnvironment(config: StackConfig["images"]["buildEnvironment"]): BuildEnvironment | undefined {
    if (!config) {
        return undefined;
    }
    const { caCertificatesFile, ...proxies } = config;
    const certificates = caCertificatesFile === undefined ? undefined : readCaCertificates(caCertificatesFile);
    if (certificates && "problem" in certificates) {
        throw new Error(`images.buildEnvironment.caCertificatesFile ${certificates.problem}`); // changed since validation
    }
    return { ...proxies, ...(certificates ? { extraCaCertificates: certificates.text } : {}) };
}
