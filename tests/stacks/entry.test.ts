import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installMocks, settle, valueOf } from "../../scripts/render/mockRuntime";
import { resolveProgram } from "../harness/languageHost";
import { REPO_ROOT, STACKS, stackFileConfig } from "../../stacks/stackFiles";
import { evaluateStack } from "./evaluateStack";

const PROGRAM = path.join(REPO_ROOT, "stacks", "index.ts");

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
        it(`reaches the program (stacks/index.ts) ${withDist ? "with" : "without"} a built dist/`, () => {
            const { entry } = resolveProgram(scratchProject(withDist));
            assert.equal(fs.realpathSync(entry), PROGRAM);
        });
    }

    it("the resolver reproduces the old bug: `main: stacks/` runs the library once dist/ exists", () => {
        const dir = scratchProject(true, "stacks/");
        assert.equal(resolveProgram(dir).entry, path.join(dir, "dist", "components", "index.js"));
        assert.equal(fs.realpathSync(resolveProgram(scratchProject(false, "stacks/")).entry), PROGRAM);
    });
});

describe("the program loaded the way `pulumi up` loads it (require of the resolved entry under mocks)", () => {
    const { pwd, entry } = resolveProgram(REPO_ROOT);
    const cwd = process.cwd();
    afterEach(() => process.chdir(cwd));

    for (const stack of STACKS) {
        it(`${stack}: registers the same resources as the inline program and exports every documented output`, async () => {
            const inline = await evaluateStack(stack);

            const recorder = await installMocks(stack, stackFileConfig(stack));
            process.chdir(pwd);
            delete require.cache[entry];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as `pulumi up` loads it, afresh per stack
            const exported = require(entry) as Record<string, unknown>;
            await settle(recorder);

            assert.ok(recorder.resources.length > 40, `${recorder.resources.length} resources registered`);
            assert.deepEqual(recorder.registrations, inline.recorder.registrations);
            assert.deepEqual(Object.keys(exported).sort(), [...DOCUMENTED_OUTPUTS].sort());
            for (const name of DOCUMENTED_OUTPUTS) {
                const value = await valueOf(exported[name] as any);
                assert.notEqual(value, undefined, `output ${name} is defined (Pulumi drops undefined outputs with a warning)`);
                assert.deepEqual(value, inline.outputs[name] ?? null, `output ${name}`);
            }
        });
    }
});

describe("the program compiled the way `pulumi up` compiles it (scripts/engine/nodeRuntime.cjs)", () => {
    it("prod: transpiled without a type check (stacks/tsconfig.json), registering what the inline program registers", async function () {
        this.timeout(60000);
        const { pwd, entry } = resolveProgram(REPO_ROOT);
        assert.ok(fs.existsSync(path.join(pwd, "tsconfig.json")), "the program directory has the tsconfig.json the runtime reads");
        const runtime = path.join(REPO_ROOT, "scripts", "engine", "nodeRuntime.cjs");
        const probe = path.join(REPO_ROOT, "tests", "stacks", "programProbe.ts");
        const env = { ...process.env }; // as Pulumi.yaml sets no runtime.options.tsconfig
        delete env.PULUMI_NODEJS_TSCONFIG_PATH;
        delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
        const report = JSON.parse(execFileSync(process.execPath, [runtime, pwd, probe, "prod", entry], { cwd: REPO_ROOT, env, encoding: "utf8" }));

        assert.deepEqual(report.compiler, { transpileOnly: true });
        const inline = await evaluateStack("prod");
        assert.deepEqual(report.resources, inline.recorder.registrations);
        assert.deepEqual(report.outputs, [...DOCUMENTED_OUTPUTS].sort());
    });
});
