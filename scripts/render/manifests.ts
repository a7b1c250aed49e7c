import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { RecordedResource, installMocks, settle } from "./mockRuntime";
import { REPO_ROOT, stackFileConfig } from "../../stacks/stackFiles";

/** A Kubernetes object as it would be sent to the API server. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

export const REDACTED = "<redacted>";

/** "kubernetes:apps/v1:Deployment" → { apiVersion: "apps/v1", kind: "Deployment" }. */
export function kubernetesKind(type: string): { apiVersion: string; kind: string } | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!match || match[2] === "Provider") {
        return undefined;
    }
    const [group, version] = match[1].split("/");
    return { apiVersion: group === "core" ? version : `${group}/${version}`, kind: match[2] };
}

/** The manifest of a recorded resource, or undefined for anything that is not a Kubernetes object. */
export function toManifest(resource: RecordedResource): Manifest | undefined {
    const kind = kubernetesKind(resource.type);
    if (!kind) {
        return undefined;
    }
    const manifest = { ...resource.inputs, ...kind } as Manifest;
    return manifest.kind === "Secret" ? redactSecret(manifest) : manifest;
}

/** Replaces every value of a Secret by a marker: rendered files never hold a secret. */
export function redactSecret(secret: Manifest): Manifest {
    const redact = (values: unknown) => (values && typeof values === "object" ? Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED])) : values);
    const result: Manifest = { ...secret };
    for (const field of ["data", "stringData"]) {
        if (field in result) {
            result[field] = redact(result[field]);
        }
    }
    return result;
}

/** Merges `overlay` into `base`: objects key by key, anything else replaced. */
export function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
        const current = merged[key];
        const bothObjects = [current, value].every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
        merged[key] = bothObjects ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
    }
    return merged;
}

/**
 * Evaluates the real program (stacks/index.ts) for `stack` under Pulumi mocks with the stack
 * file's configuration (with `overlay`, full keys, merged over it) and returns every Kubernetes
 * object it would create.
 */
export async function renderStack(stack: string, overlay: Record<string, unknown> = {}): Promise<Manifest[]> {
    const recorder = await installMocks(stack, deepMerge(stackFileConfig(stack), overlay));
    const entry = require.resolve(path.join(REPO_ROOT, "stacks", "index.ts"));
    // The program reads its configuration when loaded; load it afresh for every stack.
    for (const cached of Object.keys(require.cache).filter((f) => f.startsWith(path.join(REPO_ROOT, "stacks")))) {
        delete require.cache[cached];
    }
    // A fresh require, as `pulumi up` loads the program: an import would be cached and run once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(entry);
    await settle(recorder);
    return recorder.resources.map(toManifest).filter((m): m is Manifest => m !== undefined);
}

/** The list of files the renderer wrote into a directory: the only files it ever removes there. */
export const RENDERED_LIST = ".rendered-files";

/**
 * Writes one YAML file per object under `dir`; returns the file paths. The files an earlier run
 * wrote there (listed in RENDERED_LIST) are replaced; any other file is left alone, and one that a
 * new manifest would overwrite stops the run before anything is written or removed.
 */
export function writeManifests(dir: string, manifests: Manifest[]): string[] {
    const listFile = path.join(dir, RENDERED_LIST);
    const earlier = fs.existsSync(listFile) ? fs.readFileSync(listFile, "utf8").split("\n").filter(Boolean) : [];
    // Named by kind and name (unique within a namespace), so reruns are comparable file by file.
    const files = manifests.map((manifest) => ({ name: `${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml`, manifest }));
    const foreign = files.filter(({ name }) => fs.existsSync(path.join(dir, name)) && !earlier.includes(name));
    if (foreign.length > 0) {
        throw new Error(
            `${dir} holds files this renderer did not write: ${foreign.map((f) => f.name).join(", ")}; ` +
                "nothing was written or removed: render into an empty directory or move them",
        );
    }
    fs.mkdirSync(dir, { recursive: true });
    for (const name of earlier.filter((file) => path.basename(file) === file && file.endsWith(".yaml"))) {
        fs.rmSync(path.join(dir, name), { force: true });
    }
    const written = files.map(({ name, manifest }) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, stringify(JSON.parse(JSON.stringify(manifest)), { lineWidth: 0 }));
        return file;
    });
    fs.writeFileSync(listFile, files.map((f) => f.name).join("\n") + "\n");
    return written;
}
