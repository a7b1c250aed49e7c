/**
 * The release commands: deploy a stack, promote the previous stage's validated release, switch a
 * blue-green frontend, rotate the database password, and report what a stack serves. Each is a configuration change handed to
 * applyRelease (preview → gates → confirm → up with the saved plan → validate → restore on failure).
 */
import * as fs from "fs";
import * as auto from "@pulumi/pulumi/automation";
import { REPO_ROOT, openStack } from "../engine/workspace";
import { ReleaseOptions, applyRelease, key, stackSettings } from "./release";
import { Color, ImageRefs, otherColor, prebuiltImages, promotedSettings, releaseOf, sourceStage } from "./releaseConfig";
import { kubectlPath, servedVersion } from "./validate";

/** Deploys the stack as its file says; with `imagesFile`, deploys those image references instead of building. */
export async function deploy(options: ReleaseOptions & { imagesFile?: string }): Promise<auto.OutputMap> {
    const settings = stackSettings(options.stack, options.workDir);
    if (!options.imagesFile) {
        return applyRelease(options, {}, "deploying as Pulumi.<stack>.yaml says");
    }
    const refs = readImageRefs(options.imagesFile);
    return applyRelease(options, { [key("images")]: prebuiltImages(settings.images, refs) }, `deploying the images in ${options.imagesFile}`);
}

/** Promotes the release the previous stage runs (and validated) to `options.stack`. */
export async function promote(options: ReleaseOptions): Promise<auto.OutputMap> {
    const source = sourceStage(options.stack);
    const sourceStack = await openStack({ stack: source, workDir: options.workDir });
    const [last] = await sourceStack.history(1);
    if (!last || last.result !== "succeeded") {
        throw new Error(`${source} has no successful update to promote (last: ${last ? last.result : "none"})`);
    }
    const release = releaseOf(stackSettings(source, options.workDir), (await sourceStack.outputs()).images?.value, source);
    const promoted = promotedSettings(stackSettings(options.stack, options.workDir), release);
    const change = Object.fromEntries(Object.entries(promoted).map(([name, value]) => [key(name), value]));
    return applyRelease(options, change, `promoting ${source}'s release (${Object.values(release.refs).join(", ")})`);
}

/** Moves a blue-green frontend's live traffic to `color`; switching back is the rollback. */
export async function switchColor(options: ReleaseOptions & { color: Color }): Promise<auto.OutputMap> {
    const settings = stackSettings(options.stack, options.workDir);
    if (!settings.frontend.blueGreen) {
        throw new Error(`${options.stack}'s frontend is not blue-green (no frontend.blueGreen in Pulumi.${options.stack}.yaml)`);
    }
    const from = settings.activeColor ?? "blue";
    if (from === options.color) {
        throw new Error(`${options.stack} already serves ${options.color}; to roll back, switch to ${otherColor(options.color)}`);
    }
    return applyRelease(options, { [key("activeColor")]: options.color }, `switching the frontend from ${from} to ${options.color}`);
}

/**
 * Rotates the database password: bumps databasePasswordGeneration. The Secret is updated in place
 * (Pulumi.yaml makes Secrets mutable), so nothing that mounts it restarts; the server's password sync
 * sets the new one. Returns the generation now in force.
 */
export async function rotateDatabasePassword(options: ReleaseOptions): Promise<number> {
    const from = stackSettings(options.stack, options.workDir).databasePasswordGeneration ?? 1;
    await applyRelease(options, { [key("databasePasswordGeneration")]: from + 1 }, `rotating the database password (generation ${from} → ${from + 1})`);
    return from + 1;
}

/** Which colour serves, and the versions each colour and the live Service report. */
export function status(stack: string, workDir?: string): Record<string, string | undefined> {
    const settings = stackSettings(stack, workDir);
    if (settings.renderYamlToDirectory) {
        return { stack, activeColor: settings.activeColor, serving: `nothing (render mode: manifests in ${settings.renderYamlToDirectory})` };
    }
    const kubectl = kubectlPath(REPO_ROOT);
    const report: Record<string, string | undefined> = { stack, namespace: settings.namespace, live: servedVersion(kubectl, settings.namespace, "frontend") };
    if (settings.frontend.blueGreen) {
        report.activeColor = settings.activeColor ?? "blue";
        for (const color of ["blue", "green"] as const) {
            report[color] = servedVersion(kubectl, settings.namespace, `frontend-${color}`);
        }
    }
    return report;
}

/** Image references from a JSON file {frontend, backend, analytics} (what scripts/publish-images.sh writes). */
export function readImageRefs(file: string): ImageRefs {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`cannot read image references from ${file}: ${(error as Error).message}`, { cause: error });
    }
    const refs = parsed as Partial<ImageRefs>;
    const missing = (["frontend", "backend", "analytics"] as const).filter((s) => typeof refs[s] !== "string");
    if (missing.length > 0) {
        throw new Error(`${file} lacks image references for ${missing.join(", ")}; expected {"frontend": "...", "backend": "...", "analytics": "..."}`);
    }
    return refs as ImageRefs;
}
