import * as pulumi from "@pulumi/pulumi";
import { BlueGreenService, HttpWorkload, Namespace, PostgresDatabase, ServiceKey, WebService, WebServiceArgs } from "../components";
import { StackConfig, WebTierConfig } from "./config/schema";
import { webTierTuning } from "./config/webTier";
import { imageExemptions, postgresExemptions } from "./exemptions";
import { faultInjectionWiring } from "./faultInjection";
import { serviceImages } from "./images";
import { ANALYTICS_MAX_ROWS, APP_PORT, DATABASE, PATHS, PUBLIC_INSIGHTS_MAX_ROWS } from "./serviceContract";

/** What the platform exports; nothing here is secret. */
export interface PlatformOutputs {
    namespace: pulumi.Output<string>;
    frontendEndpoint: pulumi.Input<string>;
    /** The frontend's fixed node port; null unless the stack sets `frontend.service.nodePort`. */
    frontendNodePort: number | null;
    /** The address the cluster gave the frontend's LoadBalancer Service; null unless `frontend.service.type` is LoadBalancer. */
    frontendLoadBalancerAddress: pulumi.Output<string | null> | null;
    images: Record<string, pulumi.Input<string>>;
    databaseHost: pulumi.Output<string>;
    /** The colour serving traffic; null unless the frontend is blue-green. */
    activeColor: string | null;
}

/**
 * The reference platform: a public FastAPI frontend, an internal backend API on Postgres and an
 * analytics service, in one bounded namespace where only these connections carry traffic:
 * outside → frontend → backend → {postgres, analytics}.
 */
export function createPlatform(config: StackConfig, opts: pulumi.ComponentResourceOptions = {}): PlatformOutputs {
    const env = new Namespace("environment", { name: config.namespace, quota: config.quota }, opts);
    const namespace = env.name;
    const images = serviceImages(config.images);
    const pullPolicy = config.images.pullPolicy;

    const postgres = new PostgresDatabase(
        DATABASE,
        {
            namespace,
            ...config.postgres,
            imagePullPolicy: pullPolicy,
            passwordGeneration: config.databasePasswordGeneration,
            exemptions: postgresExemptions(config),
        },
        opts,
    );
    const keyGeneration = config.serviceKeyGeneration;
    const frontendKey = new ServiceKey("frontend-backend-key", { namespace, caller: "frontend", callee: "backend", generation: keyGeneration }, opts);
    const backendKey = new ServiceKey("backend-analytics-key", { namespace, caller: "backend", callee: "analytics", generation: keyGeneration }, opts);

    const tierArgs = (name: string, tierConfig: WebTierConfig, extra: Partial<WebServiceArgs>): WebServiceArgs => {
        const faults = faultInjectionWiring(name, tierConfig, namespace, keyGeneration, opts);
        const startupDelay: Record<string, string> = tierConfig.startupDelaySeconds ? { STARTUP_DELAY_SECONDS: String(tierConfig.startupDelaySeconds) } : {};
        return {
            namespace,
            image: images[name as keyof typeof images],
            imagePullPolicy: pullPolicy,
            port: APP_PORT,
            component: name,
            version: tierConfig.version,
            resources: tierConfig.resources,
            ...webTierTuning(tierConfig),
            exemptions: imageExemptions(config.images),
            ...extra,
            env: {
                SERVICE_NAME: name,
                SERVICE_VERSION: tierConfig.version,
                LOG_LEVEL: tierConfig.logLevel ?? "INFO",
                ...startupDelay,
                ...faults.env,
                ...extra.env,
            },
            secretFiles: [...(extra.secretFiles ?? []), ...faults.secretFiles],
        };
    };
    const tier = (name: string, tierConfig: WebTierConfig, extra: Partial<WebServiceArgs>) => new WebService(name, tierArgs(name, tierConfig, extra), opts);

    // Each call carries a key of its own: the caller presents it, the callee accepts it.
    // Every tier that forwards insights bounds them by what analytics computes, so that each
    // advertises (OpenAPI) and refuses the bound analytics keeps; anonymous visitors get less.
    const maxRows = config.analytics.maxRows ?? ANALYTICS_MAX_ROWS;
    const analytics = tier("analytics", config.analytics, {
        env: { MAX_ROWS: String(maxRows) },
        acceptKeys: [backendKey],
    });
    const backend = tier("backend", config.backend, {
        env: {
            DATABASE_HOST: postgres.host,
            DATABASE_PORT: String(postgres.port),
            DATABASE_NAME: postgres.database,
            DATABASE_USER: postgres.username,
            DATABASE_PASSWORD_FILE: `${PATHS.databaseSecretDir}/password`,
            INSIGHTS_MAX_ROWS: String(maxRows),
        },
        secretFiles: [{ secretName: postgres.secretName, mountPath: PATHS.databaseSecretDir }],
        acceptKeys: [frontendKey],
        calls: [{ service: analytics, key: backendKey }],
    });
    const page = config.frontend.page;
    const frontendArgs = tierArgs("frontend", config.frontend, {
        env: {
            ...(page ? { PAGE_TITLE: page.title, GREETING: page.greeting, THEME_COLOR: page.color } : {}),
            INSIGHTS_MAX_ROWS: String(Math.min(PUBLIC_INSIGHTS_MAX_ROWS, maxRows)),
        },
        calls: [{ service: backend, key: frontendKey }],
    });
    const blueGreen = config.frontend.blueGreen;
    const activeColor = config.activeColor ?? "blue";
    const frontend: HttpWorkload = blueGreen
        ? new BlueGreenService(
              "frontend",
              {
                  ...frontendArgs,
                  activeColor,
                  blue: colorRelease(blueGreen.blue, frontendArgs.image),
                  green: colorRelease(blueGreen.green, frontendArgs.image),
              },
              opts,
          )
        : new WebService("frontend", frontendArgs, opts);

    // The only traffic the namespace allows besides DNS: these and the calls declared above. The
    // frontend admits what its exposure brings: anyone at a node port or load balancer, else only
    // the ingress controller's pods.
    frontend.allowPublicTraffic();
    postgres.allowFrom(backend);

    return {
        namespace,
        frontendEndpoint: frontend.publicUrl ?? frontend.url,
        // Every output exists in every stack (null where it does not apply): an undefined stack
        // output is dropped by Pulumi with a warning, and users' scripts would have to guess.
        frontendNodePort: config.frontend.service?.nodePort ?? null,
        frontendLoadBalancerAddress: config.frontend.service?.type === "LoadBalancer" ? frontend.loadBalancerAddress : null,
        images,
        databaseHost: postgres.host,
        activeColor: blueGreen ? activeColor : null,
    };
}

/** One colour of the blue-green frontend: its image (default: the stack's) and its own version. */
function colorRelease(release: { version: string; image?: string }, defaultImage: pulumi.Input<string>) {
    return { version: release.version, image: release.image ?? defaultImage, env: { SERVICE_VERSION: release.version } };
}
