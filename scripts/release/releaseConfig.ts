/**
 * How a release moves from one stage to the next, as pure functions over stack configuration:
 * which stage feeds which, what a stage's `images` setting becomes when it receives a release, and
 * how a blue-green frontend takes the release on its idle colour. The side-effecting command
 * (release.ts) reads and writes the configuration around these.
 */
import type { StackConfig } from "../../stacks/config/schema";
import { STACKS } from "../../stacks/stackFiles";

/** The promotion order (dev → staging → prod): the stacks, defined once in stacks/stackFiles.ts. */
export const STAGES = STACKS;
export type Stage = (typeof STAGES)[number];
export type Color = "blue" | "green";

export type ImageRefs = { frontend: string; backend: string; analytics: string };
type ImagesConfig = StackConfig["images"];
type FrontendConfig = StackConfig["frontend"];

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The stage whose validated release `target` receives; refuses dev and unknown stacks. */
export function sourceStage(target: string): Stage {
    const index = STAGES.indexOf(target as Stage);
    if (index < 1) {
        throw new Error(`cannot promote to "${target}": promotion targets are ${STAGES.slice(1).join(" and ")} (dev is deployed, not promoted)`);
    }
    return STAGES[index - 1];
}

/** The image references a stack's `images` output holds, checked to be complete and pinned by digest. */
export function promotableRefs(source: string, output: unknown): ImageRefs {
    const refs = (output ?? {}) as Partial<Record<keyof ImageRefs, unknown>>;
    const problems: string[] = [];
    for (const service of ["frontend", "backend", "analytics"] as const) {
        const ref = refs[service];
        if (typeof ref !== "string") {
            problems.push(`${service}: no image reference in ${source}'s outputs (has ${source} been deployed?)`);
        } else if (!DIGEST.test(ref)) {
            problems.push(`${service}: "${ref}" is not pinned by digest; promote only images pushed to a registry (<repository>@sha256:<digest>)`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`${source} has no promotable release:\n  - ${problems.join("\n  - ")}`);
    }
    return refs as ImageRefs;
}

/** A stage's `images` setting once it deploys `refs`: prebuilt, keeping its digest rule and pull policy. */
export function prebuiltImages(current: ImagesConfig, refs: ImageRefs): ImagesConfig {
    return {
        mode: "prebuilt",
        refs,
        ...(current.requireDigest !== undefined ? { requireDigest: current.requireDigest } : {}),
        ...(current.pullPolicy !== undefined ? { pullPolicy: current.pullPolicy } : {}),
    };
}

/** The colour that does not serve. */
export const otherColor = (color: Color): Color => (color === "blue" ? "green" : "blue");

/**
 * A blue-green frontend receiving a release: the idle colour gets the new image and version; the
 * live colour is pinned to the image it runs now, so the switch (not the promotion) moves traffic.
 */
export function releaseToIdleColor(
    frontend: FrontendConfig,
    activeColor: Color,
    liveImage: string,
    release: { image: string; version: string },
): FrontendConfig {
    if (!frontend.blueGreen) {
        throw new Error("releaseToIdleColor: the frontend has no blueGreen setting");
    }
    const live = frontend.blueGreen[activeColor];
    return {
        ...frontend,
        blueGreen: {
            ...frontend.blueGreen,
            [activeColor]: { version: live.version, image: live.image ?? liveImage },
            [otherColor(activeColor)]: { version: release.version, image: release.image },
        } as NonNullable<FrontendConfig["blueGreen"]>,
    };
}

/** What a stage hands the next: the image references it validated and the versions they carry. */
export interface Release {
    refs: ImageRefs;
    versions: { frontend: string; backend: string; analytics: string };
}

/** The settings a release touches, as the stack's configuration holds them. */
export type ReleaseSettings = Pick<StackConfig, "images" | "frontend" | "backend" | "analytics" | "activeColor">;

/** The release a stage runs: its image output and its tiers' versions. */
export function releaseOf(settings: ReleaseSettings, imagesOutput: unknown, stage: string): Release {
    return {
        refs: promotableRefs(stage, imagesOutput),
        versions: { frontend: settings.frontend.version, backend: settings.backend.version, analytics: settings.analytics.version },
    };
}

/**
 * The target's settings after it receives `release`. Backend and analytics roll to the new images;
 * a blue-green frontend takes the release on its idle colour (live traffic moves only on a switch).
 */
export function promotedSettings(target: ReleaseSettings, release: Release): Omit<ReleaseSettings, "activeColor"> {
    const liveFrontendImage = target.images.refs?.frontend;
    const frontend = { ...target.frontend, version: release.versions.frontend };
    return {
        images: prebuiltImages(target.images, release.refs),
        frontend: target.frontend.blueGreen
            ? releaseToIdleColor(frontend, target.activeColor ?? "blue", liveFrontendImage ?? release.refs.frontend, {
                  image: release.refs.frontend,
                  version: release.versions.frontend,
              })
            : frontend,
        backend: { ...target.backend, version: release.versions.backend },
        analytics: { ...target.analytics, version: release.versions.analytics },
    };
}
