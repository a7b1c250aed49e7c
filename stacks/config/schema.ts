import { z } from "zod";
import {
    CERTIFICATE_ISSUER_KINDS,
    COLORS,
    PULL_POLICIES,
    QUANTITY_HELP,
    SERVICE_TYPES,
    dnsSubdomainProblem,
    imageReferenceProblem,
    isQuantity,
    labelValueProblem,
    namespaceProblem,
    noProxyProblem,
    parseQuantity,
    proxyUrlProblem,
    wholeBytesProblem,
} from "../../components";

/**
 * The schema of the stack configuration (the `fastapi-k8s:*` keys of Pulumi.<stack>.yaml): its
 * shape. Objects are strict, so a misspelt key is an error rather than a silently ignored setting;
 * closed choices come from the components' constants. The rules on a tier's values (ranges,
 * host names, which keys go together) are the WebService component's own, run by ./rules.ts.
 */

/** A string that `problem` (one of the components' rules) accepts; its message otherwise. */
const checkedString = (problem: (value: string) => string | undefined, expected = "expected text") =>
    z.string({ error: expected }).superRefine((value, ctx) => {
        const found = problem(value);
        if (found) {
            ctx.addIssue({ code: "custom", message: found });
        }
    });

const quantity = z.string({ error: `expected ${QUANTITY_HELP}` }).refine(isQuantity, {
    error: `not a Kubernetes quantity; expected ${QUANTITY_HELP}`,
});
const wholeAtLeast = (min: number) =>
    z
        .number({ error: `expected a whole number ≥ ${min}` })
        .int({ error: `expected a whole number ≥ ${min}` })
        .min(min, {
            error: `expected a whole number ≥ ${min}`,
        });
/** A number, its range named when it is not one (the component that receives it checks the value). */
const numberIn = (allowed: string) => z.number({ error: `expected ${allowed}` });
const oneOf = <T extends string>(choices: readonly [T, ...T[]]) => z.enum(choices, { error: `expected one of ${choices.join(", ")}` });
const positiveQuantity = quantity.refine((value) => !isQuantity(value) || parseQuantity(value) > 0, { error: "expected a size greater than zero" });
/** Memory or storage: a quantity of whole bytes. */
const bytes = (base: z.ZodType<string>) =>
    base.superRefine((value, ctx) => {
        const found = wholeBytesProblem(value);
        if (found) ctx.addIssue({ code: "custom", message: found });
    });
/**
 * Text shown on the page and handed to the service as an environment variable: it must show
 * something (not only spaces, zero-width characters or a byte-order mark) and hold no control
 * character, and its length is bounded so that the settings' ConfigMap stays far below 1 MiB.
 */
const pageText = (max: number) =>
    z
        .string({ error: `expected text of 1-${max} characters` })
        .max(max, { error: `expected text of 1-${max} characters` })
        .superRefine((value, ctx) => {
            if (/\p{Cc}/u.test(value)) {
                ctx.addIssue({ code: "custom", message: `holds a control character; expected text of 1-${max} characters on one line` });
            } else if (!/[^\s\p{Cf}\p{Zs}]/u.test(value)) {
                ctx.addIssue({ code: "custom", message: `shows nothing (only spaces or invisible characters); expected text of 1-${max} characters` });
            }
        });
const subdomain = checkedString(dnsSubdomainProblem);
/** A release version: it labels every object (app.kubernetes.io/version), so a label value. */
const version = checkedString(labelValueProblem);
const imageRef = checkedString(imageReferenceProblem);

const computeAmount = z.strictObject({ cpu: quantity, memory: quantity, ephemeralStorage: quantity.optional() });
export const computeResourcesSchema = z.strictObject({ requests: computeAmount, limits: computeAmount });

const serviceSchema = z.strictObject({
    type: oneOf(SERVICE_TYPES),
    nodePort: numberIn("a node port 30000-32767").optional(),
});

const ingressSchema = z.strictObject({
    host: z.string().optional(),
    path: z.string().optional(),
    className: z.string().optional(),
    tlsSecretName: z.string().optional(),
    certificateIssuer: z.strictObject({ name: z.string(), kind: oneOf(CERTIFICATE_ISSUER_KINDS).optional() }).optional(),
    /** Where the ingress controller's pods run; the frontend admits them and nothing else. Default: the local cluster's Traefik. */
    controller: z
        .strictObject({
            namespace: z.string({ error: "expected a namespace name" }),
            podLabels: z.record(z.string(), z.string({ error: "expected a label value (quote numbers and true/false)" }), {
                error: "expected labels, e.g. { app.kubernetes.io/name: traefik }",
            }),
        })
        .optional(),
});

const autoscalingSchema = z.strictObject({
    minReplicas: numberIn("a whole number ≥ 1"),
    maxReplicas: numberIn("a whole number ≥ 1"),
    cpuUtilization: numberIn("a whole percentage 1-100").optional(),
    memoryUtilization: numberIn("a whole percentage 1-100").optional(),
    scaleDownStabilizationSeconds: numberIn("seconds 0-3600").optional(),
});

/** Settings shared by the three FastAPI tiers. */
const webTierShape = {
    version,
    replicas: numberIn("a whole number ≥ 1").optional(),
    resources: computeResourcesSchema,
    service: serviceSchema.optional(),
    ingress: ingressSchema.optional(),
    autoscaling: autoscalingSchema.optional(),
    logLevel: z.enum(["DEBUG", "INFO", "WARNING", "ERROR"], { error: "expected DEBUG, INFO, WARNING or ERROR" }).optional(),
    /** Seconds `pulumi up` waits for the tier's rollout before failing (default 600). */
    rolloutTimeoutSeconds: numberIn("whole seconds 30-3600").optional(),
    /** Seconds start-up may take before the container is restarted (the startup probe's allowance). Default 60. */
    startupTimeoutSeconds: numberIn("whole seconds 2-3600").optional(),
    /**
     * Failure injection for the probe scenarios (docs/scenarios.md): POST /fault/liveness,
     * /fault/readiness or /fault/reset on a pod, with the key in the Secret `<tier>-key-operator`.
     * Default false.
     */
    faultInjection: z.boolean({ error: "expected true or false" }).optional(),
    /** Seconds the service waits before it reports started, to demonstrate the startup probe. Default 0. */
    startupDelaySeconds: z
        .number({ error: "expected seconds 0-3600" })
        .min(0, { error: "expected seconds 0-3600" })
        .max(3600, {
            error: "expected seconds 0-3600",
        })
        .optional(),
};

const colorRelease = z.strictObject({
    version,
    /** Image of this colour; default: the stack's frontend image. */
    image: imageRef.optional(),
});

export const frontendSchema = z.strictObject({
    ...webTierShape,
    /** Run a blue and a green release side by side; the live Service follows `activeColor`. */
    blueGreen: z.strictObject({ blue: colorRelease, green: colorRelease }).optional(),
    page: z
        .strictObject({
            title: pageText(200),
            greeting: pageText(2000),
            color: z.string().regex(/^#[0-9a-fA-F]{6}$/, { error: 'expected a colour like "#3366cc"' }),
        })
        .optional(),
});
export const backendSchema = z.strictObject(webTierShape);
export const analyticsSchema = z.strictObject({
    ...webTierShape,
    maxRows: wholeAtLeast(1).optional(),
    /**
     * Accept a maxRows whose data set outgrows the memory limit, so that its largest requests are
     * OOMKilled: the resource scenario's setting (docs/scenarios.md). Default false.
     */
    allowRowsBeyondMemory: z.boolean({ error: "expected true or false" }).optional(),
});

/** Scheduled backups (PostgresDatabase's `backup`); the values are judged by the component's rules in ./rules.ts. */
const postgresBackupSchema = z.strictObject({
    schedule: z.string({ error: 'expected a cron schedule such as "0 3 * * *"' }).optional(),
    timeZone: z.string({ error: 'expected an IANA time zone name such as "Etc/UTC"' }).optional(),
    keep: numberIn("a whole number 1-1000").optional(),
    storageSize: z.string({ error: `expected ${QUANTITY_HELP}` }).optional(),
    storageClassName: z.string().optional(),
    resources: computeResourcesSchema.optional(),
    timeoutSeconds: numberIn("whole seconds 60-86400").optional(),
});

export const postgresSchema = z.strictObject({
    image: imageRef.optional(),
    storageSize: bytes(positiveQuantity),
    storageClassName: subdomain.optional(),
    resources: computeResourcesSchema,
    protect: z.boolean({ error: "expected true or false" }),
    retainOnDelete: z.boolean({ error: "expected true or false" }),
    /** Scheduled pg_dump backups; absent means none (dev). */
    backup: postgresBackupSchema.optional(),
});

export const quotaSchema = z.strictObject({
    requestsCpu: quantity,
    requestsMemory: bytes(quantity),
    limitsCpu: quantity,
    limitsMemory: bytes(quantity),
    pods: wholeAtLeast(1),
    persistentVolumeClaims: wholeAtLeast(0),
    requestsStorage: bytes(quantity),
});

/** What image builds need behind a proxy; never part of an image's content tag, passed as secrets. */
const buildEnvironmentSchema = z.strictObject({
    /** A PEM file (absolute, or relative to the project root) of CA certificates the build trusts. */
    caCertificatesFile: z.string().min(1, { error: "expected a path to a PEM file" }).optional(),
    httpProxy: checkedString(proxyUrlProblem).optional(),
    httpsProxy: checkedString(proxyUrlProblem).optional(),
    noProxy: checkedString(noProxyProblem).optional(),
});

export const imagesSchema = z.strictObject({
    /** "build": build from app-images/ with Docker; "prebuilt": deploy the references in `refs`. */
    mode: z.enum(["build", "prebuilt"], { error: 'expected "build" or "prebuilt"' }),
    /** Repository prefix for built images, e.g. "fastapi-k8s" (local) or "registry.example.com/team". */
    repositoryPrefix: z.string().min(1).optional(),
    /** Registry to push built images to; the password is the secret key fastapi-k8s:registryPassword. */
    registry: z
        .strictObject({
            server: z.string().regex(/^(https?:\/\/)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?\/?$/, {
                error: 'expected a registry host such as "registry.example.com" or "127.0.0.1:5000" (no user name or path)',
            }),
            username: z
                .string()
                .regex(/^[^\p{Cc}\s]+$/u, { error: "expected a user name without spaces or control characters" })
                .optional(),
        })
        .optional(),
    /** BASE_IMAGE build argument; default: the Dockerfiles' own (the official slim Python image). */
    baseImage: z.string().min(1).optional(),
    /** Network for RUN steps of the build ("host" when the engine runs without a bridge). */
    buildNetwork: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: 'expected a Docker network name such as "host", "none" or "build-net"' })
        .optional(),
    /** Proxies and extra CA certificates for builds in restricted networks. */
    buildEnvironment: buildEnvironmentSchema.optional(),
    /** Image references per service, for mode "prebuilt". */
    refs: z.strictObject({ frontend: imageRef, backend: imageRef, analytics: imageRef }).optional(),
    /** Refuse references that are not pinned by digest. */
    requireDigest: z.boolean().optional(),
    pullPolicy: oneOf(PULL_POLICIES).optional(),
});

/** Every key of the stack configuration, without the "fastapi-k8s:" prefix. */
export const stackConfigSchema = z.strictObject({
    namespace: checkedString(namespaceProblem, 'expected a namespace name (a DNS label such as "fastapi-dev")'),
    images: imagesSchema,
    frontend: frontendSchema,
    backend: backendSchema,
    analytics: analyticsSchema,
    postgres: postgresSchema,
    quota: quotaSchema,
    serviceKeyGeneration: wholeAtLeast(1).optional(),
    /** Bump by one to rotate the database password (npm run db -- rotate-password does it as a release). */
    databasePasswordGeneration: wholeAtLeast(1).optional(),
    /** The colour the frontend's live Service sends traffic to (with frontend.blueGreen). */
    activeColor: oneOf(COLORS).optional(),
    /** Empty (the default) means: talk to the cluster. */
    renderYamlToDirectory: z
        .string({ error: "expected a directory, or nothing to deploy to the cluster" })
        .refine((value) => value === "" || value.trim() !== "", {
            error: "is blank; leave it empty to deploy to the cluster, or name the directory to render into",
        })
        .optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type WebTierConfig = z.infer<typeof backendSchema>;
