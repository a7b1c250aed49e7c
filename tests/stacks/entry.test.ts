import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveProgram } from "../harness/languageHost";
import { REPO_ROOT, STACKS } from "../../stacks/stackFiles";
import { evaluateStack } from "./evaluateStack";

const PROGRAM = path.join(REPO_ROOT, "stacks", "main.js");

/** The stack outputs README.md documents; every stack must export each of them. */
const DOCUMENTED_OUTPUTS = ["namespace", "frontendEndpoint", "frontendNodePort", "frontendLoadBalancerAddress", "images", "databaseHost", "activeColor"];

/**
 * A project directory holding this repository's Pulumi.yaml (optionally with another `main`) and
 * package.json, its program folder, and — when `withDist` — a built component library, as after
 * `npm run build`, `npm pack` or `npm test`.
 */
function scratchProject(withDist: boolean, main?: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entry-"));
    let project = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
    if (main !== undefined) {
        project = project.replace(/^main: .*$/m, `main: ${main}`);
    }
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project);
    fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(dir, "package.json"));
    fs.symlinkSync(path.join(REPO_ROOT, "stacks"), path.join(dir, "stacks"), "dir");
    if (withDist) {
        fs.mkdirSync(path.join(dir, "dist", "components"), { recursive: true });
        fs.writeFileSync(path.join(dir, "dist", "components", "index.js"), "module.exports = {};\n");
    }
    return dir;
}

describe("Pulumi.yaml's main, resolved the way `pulumi up` resolves it", () => {
    for (const withDist of [false, true]) {
        it(`reaches the program (stacks/main.js) ${withDist ? "with" : "without"} a built dist/`, () => {
            const { entry } = resolveProgram(scratchProject(withDist));
            assert.equal(fs.realpathSync(entry), PROGRAM);
        });
    }

    it("the resolver reproduces the old bug: `main: stacks/` runs the library once dist/ exists", () => {
        const dir = scratchProject(true, "stacks/");
        assert.equal(resolveProgram(dir).entry, path.join(dir, "dist", "components", "index.js"));
        assert.equal(fs.realpathSync(resolveProgram(scratchProject(false, "stacks/")).entry), path.join(REPO_ROOT, "stacks", "index.ts"));
    });
});

/** Runs tests/stacks/programProbe.ts for `stack` in a process prepared the way `pulumi up` prepares one. */
function probeProgram(stack: string): { resources: string[]; outputs: Record<string, unknown>; loadersBefore: { tsNode: boolean; typeScriptHook: boolean } } {
    const { pwd, entry, typescript } = resolveProgram(REPO_ROOT);
    const runtime = path.join(REPO_ROOT, "scripts", "engine", "nodeRuntime.cjs");
    const launcher = path.join(REPO_ROOT, "tests", "stacks", "programProbe.cjs");
    const env = { ...process.env, PULUMI_NODEJS_TYPESCRIPT: String(typescript) }; // as the language host passes Pulumi.yaml's option
    const output = execFileSync(process.execPath, [runtime, pwd, launcher, stack, entry], { cwd: REPO_ROOT, env, encoding: "utf8" });
    return JSON.parse(output);
}

describe("the program loaded the way `pulumi up` loads it (the resolved entry, required under mocks by the runtime's rules)", () => {
    it("Pulumi.yaml turns the runtime's own TypeScript compiler (ts-node) off: stacks/main.js brings Sucrase's", () => {
        assert.equal(resolveProgram(REPO_ROOT).typescript, false, "Pulumi.yaml sets runtime.options.typescript: false");
    });

    it("stacks/main.js compiles and runs the TypeScript program by itself (here it stops at the missing configuration)", () => {
        const { entry } = resolveProgram(REPO_ROOT);
        const env = { ...process.env };
        delete env.PULUMI_CONFIG;
        const run = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(entry)})`], { cwd: os.tmpdir(), env, encoding: "utf8" });
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /Invalid configuration for stack .*\n\s+- fastapi-k8s:namespace = \(missing\)/);
        assert.match(run.stderr, /at platformProgram \(.*stacks\/program\.ts:\d+:\d+\)/, "stack frames name the TypeScript files");
    });

    for (const stack of STACKS) {
        it(`${stack}: registers the same resources as the inline program and exports every documented output`, async function () {
            this.timeout(60000);
            const report = probeProgram(stack);
            const inline = await evaluateStack(stack);

            assert.deepEqual(report.loadersBefore, { tsNode: false, typeScriptHook: false }, "no ts-node and no .ts hook before the entry");
            assert.ok(report.resources.length > 40, `${report.resources.length} resources registered`);
            assert.deepEqual(report.resources, inline.recorder.registrations);
            // An output whose value is undefined is missing from the report (Pulumi drops those with a warning).
            assert.deepEqual(Object.keys(report.outputs).sort(), [...DOCUMENTED_OUTPUTS].sort());
            for (const name of DOCUMENTED_OUTPUTS) {
                assert.deepEqual(report.outputs[name], inline.outputs[name] ?? null, `output ${name}`);
            }
        });
    }
});
