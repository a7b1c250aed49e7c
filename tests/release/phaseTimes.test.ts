import * as assert from "assert";
import { PhaseTimes } from "../../scripts/release/phaseTimes";

/** A clock that moves only when told to. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
    let ms = 1_000_000;
    return { now: () => ms, advance: (by) => (ms += by) };
}

describe("PhaseTimes (the release's closing line)", () => {
    it("reports each phase's seconds in the order they ran, and the total", async () => {
        const clock = manualClock();
        const times = new PhaseTimes(clock.now);
        await times.time("refresh", async () => clock.advance(2_100));
        clock.advance(300); // between phases: in the total, in no phase
        await times.time("apply", () => clock.advance(9_400));
        assert.strictEqual(times.describe(), "in 11.8 s (refresh 2.1 s, apply 9.4 s)");
    });

    it("keeps the time of a phase that failed, and passes its error on", async () => {
        const clock = manualClock();
        const times = new PhaseTimes(clock.now);
        await assert.rejects(
            times.time("validation", () => {
                clock.advance(3_800);
                throw new Error("rollout timed out");
            }),
            /rollout timed out/,
        );
        assert.strictEqual(times.describe(), "in 3.8 s (validation 3.8 s)");
    });

    it("returns what the phase returned", async () => {
        const times = new PhaseTimes(manualClock().now);
        assert.deepStrictEqual(await times.time("preview", async () => ({ steps: 3 })), { steps: 3 });
        assert.strictEqual(times.describe(), "in 0.0 s (preview 0.0 s)");
    });

    it("names no phases when none ran", () => {
        assert.strictEqual(new PhaseTimes(manualClock().now).describe(), "in 0.0 s");
    });
});
