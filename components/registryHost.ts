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
    const first = repository.split("/")[0];
    const isHost = repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    return normalizeHost(isHost ? first : "docker.io");
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
 * Undefined when `repository` is in the registry `server` names; otherwise what is wrong, with the
 * repository that would be right. Without this, a short name such as "fastapi-k8s/frontend" is
 * pushed to Docker Hub with the private registry's login.
 */
export function registryMismatchProblem(repository: string, server: string): string | undefined {
    const target = registryHostOf(repository);
    const host = registryServerHost(server);
    if (target === host) {
        return undefined;
    }
    const path = target === "docker.io" && !repository.startsWith("docker.io/") ? repository : repository.split("/").slice(1).join("/");
    return (
        `names the registry ${target}, but the login is for ${host}: the image would be pushed to ${target} with ${host}'s credentials; ` +
        `start the repository with the registry server, e.g. "${host}/${path}"`
    );
}
