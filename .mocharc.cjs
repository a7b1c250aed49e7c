// The unit tier (npm run test:unit): Pulumi mocks, one test file at a time per worker process.
// Parallel is safe because each worker has its own Pulumi runtime (the mocks are process-global),
// and it is what keeps the inner loop under half a minute (35 s serial, 24 s on two workers here).
const os = require("os");

module.exports = {
    require: ["ts-node/register/transpile-only"],
    extension: ["ts"],
    spec: ["tests/**/*.test.ts"],
    timeout: 30000,
    "forbid-only": true,
    parallel: true,
    jobs: Math.max(2, os.cpus().length),
};
