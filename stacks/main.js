// The program's entry for `pulumi up` (Pulumi.yaml's `main`): it loads stacks/index.ts through
// Sucrase's require hook instead of Pulumi's default, ts-node. Both only strip the types (the type
// check is `npm run typecheck`'s, in `npm test`), but ts-node loads the TypeScript compiler, runs
// it file by file and maps every stack frame the SDK records per resource back through source
// maps; Sucrase keeps each line where it was, so stack traces need no map. The whole process of a
// prod evaluation took 1.19x prebuilt JavaScript this way, against 2.05x under ts-node
// (docs/performance.md, `program-process`). Editing a .ts file takes effect on the next `up`, as
// before: nothing is built ahead. Pulumi.yaml sets `typescript: false` so the runtime does not
// register ts-node as well.
require("sucrase/register/ts");

module.exports = require("./index.ts");
