/**
 * Starts tests/stacks/programProbe.ts in a process that scripts/engine/nodeRuntime.cjs prepared the
 * way `pulumi up` prepares it. The probe and the mocks it installs are TypeScript, and with
 * Pulumi.yaml's `typescript: false` the runtime registers no compiler, so this launcher (plain
 * JavaScript) first notes which TypeScript loaders the runtime left, then loads the probe through
 * the Sucrase hook that stacks/main.js installs. Node caches that module, so the entry's own
 * require of it later adds no second hook.
 *
 *   PULUMI_NODEJS_TYPESCRIPT=false node scripts/engine/nodeRuntime.cjs <program directory> tests/stacks/programProbe.cjs <stack> <entry>
 */
const path = require("path");

const loadersBefore = {
    tsNode: process[Symbol.for("ts-node.register.instance")] !== undefined,
    typeScriptHook: require.extensions[".ts"] !== undefined,
};
require("sucrase/register/ts");
const probe = path.join(__dirname, "programProbe.ts");
process.argv = [process.argv[0], probe, ...process.argv.slice(2), JSON.stringify(loadersBefore)];
require(probe);
