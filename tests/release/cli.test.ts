import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../../stacks/stackFiles";

/** Runs the release CLI; every case here stops before the engine is touched. */
function cli(...args: string[]) {
    const result = spawnSync(process.execPath, ["--require", "sucrase/register/ts", path.join(REPO_ROOT, "scripts", "release", "cli.ts"), ...args], {
        encoding: "utf8",
        cwd: REPO_ROOT,
        env: { ...process.env, PULUMI_BACKEND_URL: "file:///nonexistent-never-used" },
    });
    return { status: result.status, stderr: result.stderr };
}

describe("release CLI", function () {
    this.timeout(60_000);
    const usage: Array<[string[], RegExp]> = [
        [["deploy", "qa"], /deploy: expected a stack \(dev, staging, prod\), got "qa"/],
        [["promote", "--to", "dev"], /dev is deployed \(npm run deploy -- dev\), not promoted/],
        [["switch", "staging", "purple"], /switch: expected a colour \(blue or green\), got "purple"/],
        [["deploy", "dev", "--rollout-timeout", "soon"], /--rollout-timeout: expected whole seconds, got "soon"/],
        [["deploy", "dev", "--force"], /Unknown option '--force'/],
        [["release"], /unknown command "release"; expected deploy, promote, switch or status/],
    ];
    for (const [args, message] of usage) {
        it(`exits 2 on \`${args.join(" ")}\`, saying what is allowed`, () => {
            const { status, stderr } = cli(...args);
            assert.equal(status, 2, stderr);
            assert.match(stderr, message);
        });
    }

    it("exits 1 naming the file when image references cannot be read, before opening any stack", () => {
        const { status, stderr } = cli("deploy", "dev", "--images", "/nonexistent/refs.json");
        assert.equal(status, 1, stderr);
        assert.match(stderr, /cannot read image references from \/nonexistent\/refs.json/);
    });

    it("refuses to switch a stack whose frontend is not blue-green", () => {
        const { status, stderr } = cli("switch", "dev", "green");
        assert.equal(status, 1, stderr);
        assert.match(stderr, /dev's frontend is not blue-green/);
    });
});
