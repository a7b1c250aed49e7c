import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../stacks/stackFiles";

/** The quoted names of a generated timeZoneNames.ts (its header names the Go version, which may differ). */
const names = (text: string) => text.split("\n").filter((line) => line.startsWith('    "'));

describe("the time zone names the components accept", () => {
    it("are exactly those of the Go toolchain's tz database, which Kubernetes embeds (scripts/time-zones.py regenerates them)", () => {
        const generated = spawnSync("python3", [path.join(REPO_ROOT, "scripts", "time-zones.py")], { encoding: "utf8" });
        assert.equal(generated.status, 0, generated.stderr);
        const committed = fs.readFileSync(path.join(REPO_ROOT, "components", "timeZoneNames.ts"), "utf8");
        assert.ok(names(generated.stdout).length > 500, "Go's database holds every IANA zone and link");
        assert.deepEqual(names(committed), names(generated.stdout));
    });
});
