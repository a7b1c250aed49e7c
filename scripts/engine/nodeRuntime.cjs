/**
 * Runs a TypeScript module compiled the way Pulumi's Node.js runtime compiles a program, by the
 * rules of @pulumi/pulumi v3.248.0 (cmd/run/run.ts, the version this project pins):
 *
 * 1. It changes into the program's directory (Pulumi.yaml `main`'s directory, `--pwd`).
 * 2. The tsconfig is PULUMI_NODEJS_TSCONFIG_PATH (Pulumi.yaml `runtime.options.tsconfig`) or
 *    "tsconfig.json", relative to that directory; when the file is missing ts-node loads none.
 * 3. It registers ts-node only when PULUMI_NODEJS_TYPESCRIPT is "true": the language host sets it
 *    from Pulumi.yaml's `runtime.options.typescript` (default true). Otherwise it requires the
 *    module as it is (this project's Pulumi.yaml: `typescript: false`, `main: stacks/main.js`).
 * 4. `transpileOnly` is PULUMI_NODEJS_TRANSPILE_ONLY when set, else the tsconfig's
 *    `compilerOptions.noCheck`; left undefined, ts-node type-checks. ts-node reads its own options
 *    (e.g. `"ts-node": { "transpileOnly": true }`) from the same file.
 *
 * Plain JavaScript, because it has to run before any TypeScript can. Used by the `program-process`
 * bench and by tests/stacks/entry.test.ts to load the program as `pulumi up` does.
 *
 *   PULUMI_NODEJS_TYPESCRIPT=true|false node scripts/engine/nodeRuntime.cjs <program directory> <module> [arguments...]
 */
const fs = require("fs");
const path = require("path");

function registration(tsConfigPath) {
    const skipProject = !fs.existsSync(tsConfigPath);
    let transpileOnly;
    if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY) {
        transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true";
    } else if (!skipProject) {
        const text = fs.readFileSync(tsConfigPath, "utf8");
        const config = require("typescript").parseConfigFileTextToJson(tsConfigPath, text).config ?? {};
        transpileOnly = (config.compilerOptions ?? {}).noCheck;
    }
    return { compiler: "typescript", transpileOnly, project: tsConfigPath, skipProject, compilerOptions: {} };
}

function main() {
    const [directory, module, ...args] = process.argv.slice(2);
    if (!directory || !module) {
        console.error("usage: PULUMI_NODEJS_TYPESCRIPT=true|false node scripts/engine/nodeRuntime.cjs <program directory> <module> [arguments...]");
        process.exit(2);
    }
    const entry = path.resolve(module);
    process.chdir(directory);
    if (process.env.PULUMI_NODEJS_TYPESCRIPT === "true") {
        require("ts-node").register(registration(process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json"));
    }
    process.argv = [process.argv[0], entry, ...args];
    require(entry);
}

main();
