/** Durations the engine tests measure, written to out/engine.json for the run's log. */
import * as fs from "fs";
import * as path from "path";

const FILE = path.resolve(__dirname, "..", "..", "out", "engine.json");
const timings: Record<string, Record<string, number>> = {};

export function recordTiming(name: string, values: Record<string, number>): void {
    timings[name] = { ...timings[name], ...values };
    fs.mkdirSync(path.dirname(FILE), { recursive: true });
    fs.writeFileSync(FILE, JSON.stringify(timings, null, 2) + "\n");
}
