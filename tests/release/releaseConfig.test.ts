import { strict as assert } from "assert";
import { promotableRefs, promotedSettings, prebuiltImages, releaseOf, sourceStage } from "../../scripts/release/releaseConfig";
import { stackSettings } from "../../scripts/release/release";

const digest = (c: string) => `@sha256:${c.repeat(64)}`;
const refs = {
    frontend: `registry.example.com/fk/frontend${digest("1")}`,
    backend: `registry.example.com/fk/backend${digest("2")}`,
    analytics: `registry.example.com/fk/analytics${digest("3")}`,
};

describe("release configuration", () => {
    it("promotes dev → staging → prod and nothing else", () => {
        assert.equal(sourceStage("staging"), "dev");
        assert.equal(sourceStage("prod"), "staging");
        assert.throws(() => sourceStage("dev"), /dev is deployed, not promoted/);
        assert.throws(() => sourceStage("qa"), /promotion targets are staging and prod/);
    });

    it("promotes only complete releases pinned by digest, naming each problem", () => {
        assert.deepEqual(promotableRefs("dev", refs), refs);
        assert.throws(
            () => promotableRefs("dev", { ...refs, backend: "registry.example.com/fk/backend:1.2", analytics: undefined }),
            (e: Error) =>
                /backend: "registry.example.com\/fk\/backend:1.2" is not pinned by digest/.test(e.message) &&
                /analytics: no image reference in dev's outputs/.test(e.message),
        );
        assert.throws(() => promotableRefs("dev", undefined), /has dev been deployed/);
    });

    it("turns a building stage into one deploying the given refs, keeping its digest rule and pull policy", () => {
        assert.deepEqual(prebuiltImages({ mode: "build", repositoryPrefix: "fk", pullPolicy: "IfNotPresent" }, refs), {
            mode: "prebuilt",
            refs,
            pullPolicy: "IfNotPresent",
        });
        assert.deepEqual(prebuiltImages({ mode: "prebuilt", requireDigest: true, pullPolicy: "Always", refs: refs }, refs), {
            mode: "prebuilt",
            refs,
            requireDigest: true,
            pullPolicy: "Always",
        });
    });

    it("gives a blue-green frontend the release on its idle colour and pins the live one to what it runs", () => {
        const staging = stackSettings("staging");
        const liveBefore = staging.images.refs!.frontend;
        const release = { refs, versions: { frontend: "2.0.0", backend: "2.0.1", analytics: "2.0.2" } };
        const promoted = promotedSettings(staging, release);
        assert.deepEqual(promoted.images.refs, refs);
        assert.deepEqual(promoted.frontend.blueGreen, { blue: { version: "1.0.0", image: liveBefore }, green: { version: "2.0.0", image: refs.frontend } });
        assert.equal(promoted.backend.version, "2.0.1");
        assert.equal(promoted.analytics.version, "2.0.2");

        const onGreen = promotedSettings({ ...staging, activeColor: "green" }, release);
        assert.equal(onGreen.frontend.blueGreen!.blue.image, refs.frontend, "with green live, blue is idle and takes the release");
        assert.equal(onGreen.frontend.blueGreen!.green.image, liveBefore);
    });

    it("rolls a plain frontend to the release like the other tiers", () => {
        const dev = stackSettings("dev");
        const promoted = promotedSettings(dev, releaseOf(dev, refs, "dev"));
        assert.equal(promoted.frontend.blueGreen, undefined);
        assert.equal(promoted.frontend.version, dev.frontend.version);
        assert.deepEqual(promoted.images.refs, refs);
    });
});
