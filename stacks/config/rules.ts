import {
    databaseSecretName,
    imageReferenceProblem,
    isPinnedByDigest,
    parseQuantity,
    registryMismatchProblem,
    registryServerHost,
    postgresBackupProblems,
    postgresBackupResourceProblems,
    resourceProblems,
    serviceKeySecretName,
    webServiceTuningProblems,
} from "../../components";
import { ANALYTICS_MAX_ROWS, ANALYTICS_MEMORY, DATABASE } from "../serviceContract";
import { GUARDED_STACKS } from "../stackFiles";
import { readCaCertificates } from "./caCertificates";
import { ConfigIssue } from "./issues";
import { StackConfig, WebTierConfig, analyticsSchema, backendSchema, frontendSchema } from "./schema";
import { tierConfigKey, webTierTuning } from "./webTier";

const TIER_SCHEMAS = { frontend: frontendSchema, backend: backendSchema, analytics: analyticsSchema };
const TIERS = Object.keys(TIER_SCHEMAS) as Array<keyof typeof TIER_SCHEMAS>;

/**
 * Each tier's values against the WebService component's own rules. It runs on every tier whose
 * shape is sound, even when other keys are not, so one run lists every problem.
 */
export function webTierRuleIssues(raw: Record<string, unknown>): ConfigIssue[] {
    return TIERS.flatMap((tier) => {
        const shape = TIER_SCHEMAS[tier].safeParse(raw[tier]);
        return shape.success ? webTierIssues(tier, shape.data) : [];
    });
}

/** The checks that span several keys, on a configuration whose shape the schema accepted. */
export function crossFieldIssues(stack: string, config: StackConfig): ConfigIssue[] {
    return [
        ...resourceIssues("postgres.resources", config.postgres.resources),
        ...backupIssues(config.postgres.backup),
        ...imageIssues(stack, config),
        ...caCertificatesIssues(config.images.buildEnvironment?.caCertificatesFile),
        ...nodePortIssues(config),
        ...frontendReachIssues(config),
        ...exposureIssues(config),
        ...blueGreenIssues(config),
        ...analyticsMemoryIssues(config),
        ...tlsSecretIssues(config),
    ];
}

/** The tiers only their callers reach: the NetworkPolicies admit nothing else to them. */
const INTERNAL_TIERS = ["backend", "analytics"] as const;

/** An Ingress or a LoadBalancer on an internal tier would expose a Service that answers no one. */
function exposureIssues(config: StackConfig): ConfigIssue[] {
    return INTERNAL_TIERS.flatMap((tier) => [
        ...(config[tier].ingress === undefined
            ? []
            : [
                  {
                      key: `${tier}.ingress`,
                      value: config[tier].ingress,
                      message: `is not allowed: ${tier} is internal (only its callers reach it); only frontend has an Ingress`,
                  },
              ]),
        ...(config[tier].service?.type === "LoadBalancer"
            ? [
                  {
                      key: `${tier}.service.type`,
                      value: "LoadBalancer",
                      message: `is not allowed: ${tier} is internal (only its callers reach it); expected ClusterIP or NodePort`,
                  },
              ]
            : []),
    ]);
}

/** A frontend with neither an Ingress nor a NodePort or LoadBalancer would be reached by no one. */
function frontendReachIssues(config: StackConfig): ConfigIssue[] {
    const { ingress, service } = config.frontend;
    return ingress === undefined && service?.type !== "NodePort" && service?.type !== "LoadBalancer"
        ? [
              {
                  key: "frontend.ingress",
                  value: undefined,
                  message: "is required unless frontend.service.type is NodePort or LoadBalancer: the public tier needs a way in",
              },
          ]
        : [];
}

const MiB = 2 ** 20;

/** analytics.maxRows rows must fit the tier's memory limit, or the largest request it accepts is OOMKilled. */
function analyticsMemoryIssues(config: StackConfig): ConfigIssue[] {
    const { maxRows = ANALYTICS_MAX_ROWS, resources, allowRowsBeyondMemory } = config.analytics;
    const limit = parseQuantity(resources.limits.memory);
    const base = ANALYTICS_MEMORY.baseMiB * MiB;
    const needed = base + maxRows * ANALYTICS_MEMORY.bytesPerRow;
    if (needed <= limit || allowRowsBeyondMemory) return [];
    const fits = Math.max(0, Math.floor((limit - base) / ANALYTICS_MEMORY.bytesPerRow));
    const neededMi = `${Math.ceil(needed / MiB)}Mi`;
    const key = config.analytics.maxRows === undefined ? "analytics.maxRows (default)" : "analytics.maxRows";
    return [
        {
            key,
            value: maxRows,
            message: `needs about ${neededMi} at once (${ANALYTICS_MEMORY.bytesPerRow} bytes a row, measured, plus ${ANALYTICS_MEMORY.baseMiB}Mi for the service), more than analytics.resources.limits.memory (${resources.limits.memory}): raise the limit to at least ${neededMi} or lower maxRows to at most ${fits} (analytics.allowRowsBeyondMemory: true accepts it, for the OOMKilled scenario)`,
        },
    ];
}

/** activeColor chooses between the colours of frontend.blueGreen; without them it would be ignored. */
function blueGreenIssues(config: StackConfig): ConfigIssue[] {
    return config.activeColor !== undefined && config.frontend.blueGreen === undefined
        ? [{ key: "activeColor", value: config.activeColor, message: "only applies with frontend.blueGreen; remove it, or run the frontend blue-green" }]
        : [];
}

/**
 * Secrets the platform writes itself: a TLS Secret of the same name would be overwritten by it, or,
 * with certificateIssuer, cert-manager would write a certificate over the credentials.
 */
export function managedSecretNames(config: StackConfig): string[] {
    const faulty = (["frontend", "backend", "analytics"] as const).filter((tier) => config[tier].faultInjection);
    return [
        databaseSecretName(DATABASE),
        serviceKeySecretName({ caller: "frontend", callee: "backend" }),
        serviceKeySecretName({ caller: "backend", callee: "analytics" }),
        ...faulty.map((tier) => serviceKeySecretName({ caller: "operator", callee: tier })),
    ];
}

function tlsSecretIssues(config: StackConfig): ConfigIssue[] {
    const name = config.frontend.ingress?.tlsSecretName;
    return name !== undefined && managedSecretNames(config).includes(name)
        ? [
              {
                  key: "frontend.ingress.tlsSecretName",
                  value: name,
                  message: `names a Secret the platform manages (${managedSecretNames(config).join(", ")}); expected a Secret of its own, e.g. "frontend-tls"`,
              },
          ]
        : [];
}

function resourceIssues(key: string, resources: WebTierConfig["resources"]): ConfigIssue[] {
    return resourceProblems(resources, key).map((message) => ({ key, value: resources, message }));
}

/** PostgresDatabase's own backup rules, with their fields under the `postgres` key. */
function backupIssues(backup: StackConfig["postgres"]["backup"]): ConfigIssue[] {
    if (backup === undefined) {
        return [];
    }
    const key = "postgres.backup.resources";
    return [
        ...postgresBackupProblems(backup).map((p) => ({ key: `postgres.${p.field}`, value: p.value, message: p.message })),
        ...postgresBackupResourceProblems(backup, key).map((message) => ({ key, value: backup.resources, message })),
    ];
}

/** The WebService component's own rules, run on the arguments the tier's keys become. */
function webTierIssues(tier: string, config: WebTierConfig): ConfigIssue[] {
    const problems = webServiceTuningProblems(webTierTuning(config));
    return [
        ...resourceIssues(`${tier}.resources`, config.resources),
        ...problems.map((p) => ({ key: tierConfigKey(tier, p.field), value: p.value, message: p.message })),
    ];
}

function imageIssues(stack: string, config: StackConfig): ConfigIssue[] {
    const images = config.images;
    const issues: ConfigIssue[] = [];
    if (images.mode === "prebuilt" && images.refs === undefined) {
        issues.push({
            key: "images.refs",
            value: undefined,
            message: 'required when images.mode is "prebuilt": a reference for frontend, backend and analytics',
        });
    }
    if (images.mode === "build" && images.refs !== undefined) {
        issues.push({
            key: "images.refs",
            value: images.refs,
            message: 'only used when images.mode is "prebuilt"; remove it or switch the mode',
        });
    }
    const baseImageProblem = images.baseImage === undefined ? undefined : imageReferenceProblem(images.baseImage);
    if (baseImageProblem) {
        issues.push({ key: "images.baseImage", value: images.baseImage, message: baseImageProblem });
    }
    // The prefix becomes "<prefix>/<service>:<tag>": it must form a valid reference there.
    if (images.repositoryPrefix !== undefined && imageReferenceProblem(`${images.repositoryPrefix}/frontend`)) {
        issues.push({
            key: "images.repositoryPrefix",
            value: images.repositoryPrefix,
            message: 'must be a registry and/or lower-case repository path such as "registry.example.com:5000/team"',
        });
    }
    if (images.registry !== undefined) {
        const mismatch = registryMismatchProblem(repositoryPrefixOf(images), images.registry.server, "prefix");
        if (mismatch) {
            issues.push({ key: "images.repositoryPrefix", value: images.repositoryPrefix, message: mismatch });
        }
    }
    if (GUARDED_STACKS.includes(stack) && !images.requireDigest) {
        issues.push({
            key: "images.requireDigest",
            value: images.requireDigest,
            message: `must be true in ${GUARDED_STACKS.join(" and ")}: a tag can be moved to another image under a running release; deploy references pinned by digest`,
        });
    }
    if (images.requireDigest) {
        for (const color of ["blue", "green"] as const) {
            const image = config.frontend.blueGreen?.[color].image;
            if (image !== undefined && !isPinnedByDigest(image)) {
                issues.push({
                    key: `frontend.blueGreen.${color}.image`,
                    value: image,
                    message: "not pinned by digest, but images.requireDigest is true: use <repository>@sha256:<digest>",
                });
            }
        }
        for (const [service, ref] of Object.entries(images.refs ?? {})) {
            if (!isPinnedByDigest(ref)) {
                issues.push({
                    key: `images.refs.${service}`,
                    value: ref,
                    message: "not pinned by digest, but images.requireDigest is true: use <repository>@sha256:<digest>",
                });
            }
        }
        if (!isPinnedByDigest(config.postgres.image ?? "")) {
            issues.push({
                key: "postgres.image",
                value: config.postgres.image,
                message: "not pinned by digest, but images.requireDigest is true: use <repository>@sha256:<digest>",
            });
        }
        if (images.mode === "build" && images.registry === undefined) {
            issues.push({
                key: "images.registry",
                value: undefined,
                message: "required when images.requireDigest is true and images are built: only a push yields a digest",
            });
        }
    }
    return issues;
}

/**
 * The prefix built images are tagged with: as configured, or, when a registry is set, under that
 * registry ("<server>/fastapi-k8s"), so a login only ever goes to the registry it is for.
 */
export function repositoryPrefixOf(images: StackConfig["images"]): string {
    if (images.repositoryPrefix !== undefined) {
        return images.repositoryPrefix;
    }
    return images.registry ? `${registryServerHost(images.registry.server)}/fastapi-k8s` : "fastapi-k8s";
}

/** The CA file must be readable PEM before anything is built with it. */
function caCertificatesIssues(file: string | undefined): ConfigIssue[] {
    const read = file === undefined ? undefined : readCaCertificates(file);
    return read && "problem" in read ? [{ key: "images.buildEnvironment.caCertificatesFile", value: file, message: read.problem }] : [];
}

/** A node port belongs to one Service: a second tier asking for it would be refused at apply time. */
function nodePortIssues(config: StackConfig): ConfigIssue[] {
    const owners = new Map<number, string>();
    const issues: ConfigIssue[] = [];
    for (const tier of TIERS) {
        const port = config[tier].service?.nodePort;
        if (port === undefined) {
            continue;
        }
        const owner = owners.get(port);
        if (owner) {
            issues.push({
                key: `${tier}.service.nodePort`,
                value: port,
                message: `already used by ${owner}.service.nodePort; each Service needs its own node port`,
            });
        }
        owners.set(port, owner ?? tier);
    }
    return issues;
}
