/**
 * The formats Kubernetes' API server enforces on values the components put into objects, one
 * function per constraint (after k8s.io/apimachinery/pkg/util/validation and the container image
 * reference grammar of distribution/reference). Each returns undefined when the value is
 * accepted, or what is allowed — so the components' validators and the stack configuration's
 * schema give the same answer the API server would, before anything is registered.
 */
import type { ArgumentProblem } from "./errors";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** An RFC 1123 label: names of Namespaces, Services, and most objects' name parts. */
export function dnsLabelProblem(value: string): string | undefined {
    return value.length <= 63 && DNS_LABEL.test(value)
        ? undefined
        : 'must be a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';
}

/** An RFC 1035 label: Service names (and so the names of the components that own one). */
export function serviceNameProblem(value: string, max = 63): string | undefined {
    return value.length <= max && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value)
        ? undefined
        : `must be a DNS-1035 label (it names a Service): at most ${max} lower-case letters, digits and "-", starting with a letter and ending with a letter or digit`;
}

/** An RFC 1123 subdomain: names of Secrets, ConfigMaps, StorageClasses, IngressClasses. */
export function dnsSubdomainProblem(value: string): string | undefined {
    return value.length <= 253 && DNS_SUBDOMAIN.test(value)
        ? undefined
        : 'must be a DNS subdomain: at most 253 characters, dot-separated lower-case labels of letters, digits and "-"';
}

/** A label value (and so the `app.kubernetes.io/version` of a release). */
export function labelValueProblem(value: string): string | undefined {
    return value.length <= 63 && LABEL_VALUE.test(value)
        ? undefined
        : 'must be usable as a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (no "+")';
}

/** A label key: a name of at most 63 characters, optionally after a DNS-subdomain prefix and "/". */
export function labelKeyProblem(value: string): string | undefined {
    const parts = value.split("/");
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    const valid =
        parts.length <= 2 && name.length > 0 && labelValueProblem(name) === undefined && (prefix === undefined || dnsSubdomainProblem(prefix) === undefined);
    return valid
        ? undefined
        : 'must be a label key: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS-subdomain prefix and "/" (e.g. "app.kubernetes.io/name")';
}

/** An Ingress rule's host: a DNS subdomain, or one with a leading "*." wildcard; not an IP address. */
export function ingressHostProblem(value: string): string | undefined {
    const name = value.startsWith("*.") ? value.slice(2) : value;
    const isAddress = /^[0-9.]+$/.test(value) || value.includes(":");
    return !isAddress && dnsSubdomainProblem(name) === undefined
        ? undefined
        : 'must be a lower-case DNS host name such as "app.example.com" or "*.example.com" (not an IP address)';
}

/**
 * A setting's name (an `env` key): a key of the ConfigMap that delivers the settings as environment
 * variables (`envFrom`), as the API server accepts it. Since Kubernetes 1.32 the kubelet passes any
 * such key on as a variable (relaxed environment variable names), a leading digit included.
 */
export function envVarNameProblem(value: string): string | undefined {
    return value.length <= 253 && CONFIG_MAP_KEY.test(value) && value !== "." && !value.startsWith("..")
        ? undefined
        : 'must be a setting name: at most 253 letters, digits, "_", "-" and ".", not "." and not starting with ".."';
}

/**
 * Undefined when `value` can be an environment variable's value: a process's environment is a list
 * of NUL-terminated strings, so a NUL cannot pass, and other control characters (but tab and line
 * breaks) garble logs and the shells that read them.
 */
export function envVarValueProblem(value: string): string | undefined {
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u.exec(value);
    return bad
        ? `holds the control character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}; expected text (tab and line breaks allowed)`
        : undefined;
}

/** The most a ConfigMap (or Secret) may hold, keys and values together: the API server's limit. */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/**
 * Undefined when a ConfigMap of `data` fits the API server's limit. Only plain strings are counted
 * (an Output is judged by the API server when it is known).
 */
export function configMapSizeProblem(data: Record<string, unknown>): string | undefined {
    const bytes = Object.entries(data).reduce(
        (sum, [key, value]) => sum + Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0),
        0,
    );
    return bytes > CONFIG_MAP_MAX_BYTES
        ? `total ${bytes} bytes; a ConfigMap holds at most ${CONFIG_MAP_MAX_BYTES} bytes (1 MiB), keys and values together`
        : undefined;
}

/** Undefined when `path` is an Ingress path the API server accepts for pathType Prefix (and Exact). */
export function ingressPathProblem(path: string): string | undefined {
    if (!path.startsWith("/")) {
        return 'must start with "/"';
    }
    const sequence = ["//", "/./", "/../", "%2f", "%2F"].find((s) => path.includes(s));
    if (sequence) {
        return `must not contain "${sequence}"; expected a clean absolute path such as "/" or "/app"`;
    }
    const suffix = ["/..", "/."].find((s) => path.endsWith(s));
    return suffix ? `must not end with "${suffix}"; expected a clean absolute path such as "/" or "/app"` : undefined;
}

/** Namespaces that belong to Kubernetes itself: a platform relabelled restricted there breaks the cluster. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** A namespace an environment may own. */
export function namespaceProblem(value: string): string | undefined {
    if (RESERVED_NAMESPACES.includes(value)) {
        return `is reserved for Kubernetes itself (${RESERVED_NAMESPACES.join(", ")}); choose a namespace of your own`;
    }
    return dnsLabelProblem(value);
}

// distribution/reference's grammar: [domain[:port]/]path[:tag][@digest]
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
// A first component is a registry only if it has a dot or a port, or is localhost (as Docker reads it).
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})+(?::[0-9]+)?|${DOMAIN_COMPONENT}:[0-9]+|localhost|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?)`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@(${DIGEST}))?$`);

/** A container image reference ("registry.example.com:5000/team/app:1.2@sha256:…"). */
export function imageReferenceProblem(value: string): string | undefined {
    const match = REFERENCE.exec(value);
    if (!match || match[1].length > 255) {
        return 'must be an image reference such as "registry.example.com/team/app:1.2" or "…/app@sha256:<64 hex>" (lower-case path, tag of at most 128 characters)';
    }
    const digest = match[2];
    if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
        return 'has a digest that is not "sha256:" followed by 64 lower-case hex digits';
    }
    return undefined;
}

/** Whether an image reference names its image by digest. */
export function isPinnedByDigest(value: string): boolean {
    return /@sha256:[0-9a-f]{64}$/.test(value);
}

/** `problem`'s verdict on `value` as an argument problem naming `field`; undefined when fine. */
export function fieldProblem(field: string, value: unknown, problem: (value: string) => string | undefined): ArgumentProblem | undefined {
    if (typeof value !== "string") {
        return undefined; // an Output, known only later; the API server judges it then
    }
    const found = problem(value);
    return found === undefined ? undefined : { field, value, message: found };
}
