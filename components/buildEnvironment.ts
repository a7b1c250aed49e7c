import * as pulumi from "@pulumi/pulumi";

/**
 * Build arguments for builds behind a proxy. Docker predefines HTTP_PROXY, HTTPS_PROXY and NO_PROXY
 * (no ARG needed, kept out of the image's history); EXTRA_CA_CERTS is the app-images Dockerfile's
 * own argument, used by pip in the build stage only and never copied into the final image.
 */
export interface BuildEnvironment {
    /** PEM certificates to trust besides the base image's, e.g. a TLS-intercepting proxy's CA. */
    extraCaCertificates?: pulumi.Input<string>;
    /** Proxy for plain HTTP, e.g. "http://proxy.example.com:3128"; it may carry credentials. */
    httpProxy?: pulumi.Input<string>;
    /** Proxy for HTTPS, e.g. "http://proxy.example.com:3128"; it may carry credentials. */
    httpsProxy?: pulumi.Input<string>;
    /** Hosts that bypass the proxy, comma-separated, e.g. "localhost,127.0.0.1,.internal". */
    noProxy?: pulumi.Input<string>;
}

/** The build argument each BuildEnvironment field is passed as. */
const BUILD_ENVIRONMENT_ARGS: Record<keyof BuildEnvironment, string> = {
    extraCaCertificates: "EXTRA_CA_CERTS",
    httpProxy: "HTTP_PROXY",
    httpsProxy: "HTTPS_PROXY",
    noProxy: "NO_PROXY",
};

/** Whether a build argument name is one of BuildEnvironment's (set through it, not `buildArgs`). */
export function isBuildEnvironmentArg(name: string): boolean {
    return Object.values(BUILD_ENVIRONMENT_ARGS).includes(name);
}

/** What PEM certificate text must look like; undefined when `text` is one or more certificates. */
export function pemCertificatesProblem(text: string): string | undefined {
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g) ?? [];
    return blocks.length > 0 ? undefined : "holds no PEM certificate (expected -----BEGIN CERTIFICATE----- … -----END CERTIFICATE----- blocks)";
}

/** Undefined when `url` is a proxy URL Docker and pip accept: http(s)://[user:password@]host[:port][/]. */
export function proxyUrlProblem(url: string): string | undefined {
    let parsed: URL | undefined;
    try {
        parsed = new URL(url);
    } catch {
        parsed = undefined;
    }
    const ok =
        parsed !== undefined &&
        ["http:", "https:"].includes(parsed.protocol) &&
        parsed.hostname !== "" &&
        (parsed.pathname === "/" || parsed.pathname === "") &&
        !parsed.search &&
        !parsed.hash;
    return ok ? undefined : 'is not a proxy URL; expected "http://host:port" or "https://host:port" (credentials allowed)';
}

/** Undefined when `list` is a comma-separated list of hosts, domains or addresses without spaces. */
export function noProxyProblem(list: string): string | undefined {
    return /^[A-Za-z0-9.*:[\]/_-]+(,[A-Za-z0-9.*:[\]/_-]+)*$/.test(list)
        ? undefined
        : 'is not a no-proxy list; expected comma-separated hosts, domains or addresses such as "localhost,127.0.0.1,.internal"';
}

/** Problems of the plain (known) values of a BuildEnvironment, each naming the field. */
export function buildEnvironmentProblems(env: BuildEnvironment | undefined): string[] {
    const checks: Array<[keyof BuildEnvironment, (v: string) => string | undefined]> = [
        ["extraCaCertificates", pemCertificatesProblem],
        ["httpProxy", proxyUrlProblem],
        ["httpsProxy", proxyUrlProblem],
        ["noProxy", noProxyProblem],
    ];
    return checks.flatMap(([field, check]) => {
        const value = env?.[field];
        const problem = typeof value === "string" ? check(value) : undefined;
        // Never echo the value: a proxy URL may carry a password.
        return problem ? [`buildEnvironment.${field} ${problem}`] : [];
    });
}

/** The build environment as build arguments, each a secret. */
export function buildEnvironmentArgs(env: BuildEnvironment | undefined): Record<string, pulumi.Output<string>> {
    const args: Record<string, pulumi.Output<string>> = {};
    for (const field of Object.keys(BUILD_ENVIRONMENT_ARGS) as Array<keyof BuildEnvironment>) {
        const value = env?.[field];
        if (value !== undefined) {
            args[BUILD_ENVIRONMENT_ARGS[field]] = pulumi.secret(value);
        }
    }
    return args;
}
