/**
 * How long each phase of a release took (open, refresh, preview, apply, validation), in the order the
 * phases ran, for the release's closing line: an operator sees where a slow release spent its time.
 */
export class PhaseTimes {
    private readonly started: number;
    private readonly phases: Array<{ phase: string; seconds: number }> = [];

    constructor(private readonly now: () => number = Date.now) {
        this.started = now();
    }

    /** Runs `run` as `phase`; its time is kept whether it succeeds or throws. */
    async time<T>(phase: string, run: () => T | Promise<T>): Promise<T> {
        const start = this.now();
        try {
            return await run();
        } finally {
            this.phases.push({ phase, seconds: (this.now() - start) / 1000 });
        }
    }

    /** "in 18.8 s (open 0.6 s, refresh 2.1 s, preview 2.0 s, apply 9.4 s, validation 3.8 s)" */
    describe(): string {
        const total = (this.now() - this.started) / 1000;
        const phases = this.phases.map(({ phase, seconds }) => `${phase} ${seconds.toFixed(1)} s`).join(", ");
        return `in ${total.toFixed(1)} s${phases ? ` (${phases})` : ""}`;
    }
}
