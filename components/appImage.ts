import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BuildEnvironment, buildEnvironmentArgs, buildEnvironmentProblems, isBuildEnvironmentArg } from "./buildEnvironment";
import { ArgumentChecker } from "./errors";
import { registryMismatchProblem } from "./registryHost";

/** A registry to push to. */
export interface RegistryCredentials {
    /** The registry host, e.g. "registry.example.com" or "127.0.0.1:5000". */
    server: pulumi.Input<string>;
    /** The user name. */
    username?: pulumi.Input<string>;
    /** The password or token; pass it as a secret (e.g. from `config.requireSecret`). */
    password?: pulumi.Input<string>;
}

export { BuildEnvironment } from "./buildEnvironment";

/** Arguments of an AppImage. */
export interface AppImageArgs {
    /** The build context directory. */
    context: string;
    /** The Dockerfile, relative to the current directory. Default `<context>/Dockerfile`. */
    dockerfile?: string;
    /** The repository to tag (and push) as, e.g. "registry.example.com/shop/frontend". */
    repository: string;
    /** Passed as the BASE_IMAGE build argument when set (the Dockerfile's default otherwise). */
    baseImage?: string;
    /** Further build arguments. */
    buildArgs?: Record<string, string>;
    /** Paths under `context` whose content makes up the tag. Default: the whole context. */
    contentPaths?: string[];
    /** Push here. Without a registry the image stays in the local Docker engine (for a local cluster). */
    registry?: RegistryCredentials;
    /** The target platform, e.g. "linux/amd64". Default: the engine's own. */
    platform?: string;
    /** The network of RUN steps, e.g. "host" for an engine started without a bridge. Default: the engine's. */
    network?: string;
    /**
     * What the build needs to reach package indexes from a restricted network. Never part of the
     * content tag (the image's content does not depend on it) and passed to Docker as secrets.
     */
    buildEnvironment?: BuildEnvironment;
}

/** Files and folders that never belong to an image's content hash. */
const IGNORED = new Set(["__pycache__", ".pytest_cache", ".mypy_cache", ".venv", "node_modules", ".git"]);

/**
 * Builds an application image with Docker. The tag is a hash of the build inputs, so it changes
 * exactly when the image would; when pushed, the reference to deploy is the registry digest.
 */
export class AppImage extends pulumi.ComponentResource {
    /** The immutable reference to deploy: `repo@sha256:…` when pushed, `repo:<content hash>` when local. */
    public readonly imageRef: pulumi.Output<string>;
    /** The content-derived tag. */
    public readonly tag: string;
    /** The Docker image resource. */
    public readonly image: docker.Image;

    constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const dockerfile = args.dockerfile ?? path.join(args.context, "Dockerfile");
        const checker = new ArgumentChecker(`AppImage "${name}"`);
        checker.require(isDirectory(args.context), `context "${args.context}" is not a directory`);
        checker.require(fs.existsSync(dockerfile), `dockerfile "${dockerfile}" does not exist`);
        checker.require(
            /^[a-z0-9]+([._/:-][a-z0-9]+)*$/.test(args.repository) && !/:[^/]*$/.test(args.repository),
            `repository "${args.repository}" must be a lower-case image repository without a tag`,
        );
        const server = args.registry?.server;
        const mismatch = typeof server === "string" ? registryMismatchProblem(args.repository, server) : undefined;
        checker.report(mismatch && `repository "${args.repository}" ${mismatch}`);
        checker.report(...buildEnvironmentProblems(args.buildEnvironment));
        for (const key of Object.keys(args.buildArgs ?? {}).filter(isBuildEnvironmentArg)) {
            checker.report(`buildArgs.${key} is a build-environment argument: set it through buildEnvironment (kept secret, outside the content tag)`);
        }
        checker.throwIfAny();
        super("fastapi-k8s:index:AppImage", name, args, opts);

        const buildArgs = { ...args.buildArgs, ...(args.baseImage ? { BASE_IMAGE: args.baseImage } : {}) };
        this.tag = buildInputsHash(args.context, args.contentPaths, dockerfile, buildArgs);
        const push = args.registry !== undefined;
        this.image = new docker.Image(
            name,
            {
                imageName: `${args.repository}:${this.tag}`,
                build: {
                    context: args.context,
                    dockerfile,
                    args: { ...buildArgs, ...buildEnvironmentArgs(args.buildEnvironment) },
                    platform: args.platform,
                    network: args.network,
                },
                skipPush: !push,
                registry: args.registry,
            },
            { parent: this },
        );
        // A local image has no registry digest (repoDigest is then the image ID), so the
        // content-hash tag is the immutable reference.
        this.imageRef = push ? this.image.repoDigest : this.image.imageName;
        this.registerOutputs({ imageRef: this.imageRef });
    }
}

function isDirectory(dir: string): boolean {
    return fs.existsSync(dir) && fs.statSync(dir).isDirectory();
}

/** Hashes the files under `paths` of `context`, the Dockerfile and the build arguments. */
export function buildInputsHash(context: string, paths: string[] | undefined, dockerfile: string, buildArgs: Record<string, string>): string {
    const hash = createHash("sha256");
    const files = (paths ?? ["."]).flatMap((p) => listFiles(path.join(context, p))).sort();
    for (const file of [...files, dockerfile]) {
        hash.update(path.relative(context, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    for (const key of Object.keys(buildArgs).sort()) {
        hash.update(`${key}=${buildArgs[key]}\0`);
    }
    return hash.digest("hex").slice(0, 16);
}

function listFiles(entry: string): string[] {
    const stat = fs.statSync(entry);
    if (!stat.isDirectory()) {
        return [entry];
    }
    return fs
        .readdirSync(entry)
        .filter((child) => !IGNORED.has(child))
        .flatMap((child) => listFiles(path.join(entry, child)));
}
