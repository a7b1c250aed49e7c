/**
 * Which registry an image repository lives in, the way Docker reads a reference: the first path
 * component is a registry host when it has a dot or a port or is "localhost"; otherwise the
 * repository is on Docker Hub. A login is presented to the host the reference names, so a login
 * meant for one registry must never go with a repository that names another.
 */

/** The names Docker uses for Docker Hub; all of them reach the same registry. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The registry host of a repository reference ("docker.io" for a short name such as "team/app"). */
export function registryHostOf(repository: string): string {
    return hostAndPath(repository, "repository")[0];
}

/**
 * A repository (or a repository prefix, which a service's name follows) as its registry host and
 * the path within it. Its first component names a host only when more follows it.
 */
function hostAndPath(reference: string, what: "repository" | "prefix"): [string, string] {
    const [first, ...rest] = reference.split("/");
    const followed = what === "prefix" || rest.length > 0;
    if (followed && (first.includes(".") || first.includes(":") || first === "localhost")) {
        return [normalizeHost(first), rest.join("/")];
    }
    return ["docker.io", reference];
}

/** A registry server as users write it ("https://registry.example.com/", "docker.io") → its host. */
export function registryServerHost(server: string): string {
    return normalizeHost(server.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, ""));
}

function normalizeHost(host: string): string {
    const lower = host.toLowerCase();
    return DOCKER_HUB.has(lower) ? "docker.io" : lower;
}

/**
 * Undefined when `reference` (a repository, or with `what` "prefix" a repository prefix) is in the
 * registry `server` names; otherwise what is wrong, with the reference that would be right.
 * Without this, a short name such as "fastapi-k8s/frontend" is pushed to Docker Hub with the
 * private registry's login.
 */
export function registryMismatchProblem(reference: string, server: string, what: "repository" | "prefix" = "repository"): string | undefined {
    const [target, path] = hostAndPath(reference, what);
    const host = registryServerHost(server);
    if (target === host) {
        return undefined;
    }
    return (
        `names the registry ${target}, but the login is for ${host}: the image would be pushed to ${target} with ${host}'s credentials; ` +
        `start the ${what} with the registry server, e.g. "${path ? `${host}/${path}` : host}"`
    );
}
