/**
 * The import rule of eslint.config.mjs (the one place it lives), on probe files linted as if they
 * sat in each folder: the package and the program never import the operator's scripts, the lab,
 * the benches or the tests, and `npm run lint` (npm test's first step) fails when they do.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../stacks/stackFiles";

async function restrictedImports(file: string, code: string): Promise<string[]> {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
    return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("the import arrows (eslint.config.mjs)", function () {
    this.timeout(60_000);

    for (const [file, target] of [
        ["components/probe.ts", "../scripts/render/manifests"],
        ["components/probe.ts", "../stacks/platform"],
        ["components/probe.ts", "../tests/harness/render"],
        ["stacks/config/probe.ts", "../../scripts/engine/workspace"],
        ["stacks/probe.ts", "../tests/harness/render"],
        ["policy/probe.ts", "../components"],
    ]) {
        it(`${file} may not import ${target}`, async () => {
            const messages = await restrictedImports(file, `import * as m from "${target}";\nexport const x = m;\n`);
            assert.equal(messages.length, 1, `no refusal for ${target} in ${file}`);
            assert.match(
                messages[0],
                /may import only .* the package and the program never depend on the operator's scripts, the lab, the benches or the tests/,
            );
        });
    }

    it("lets each import what it may: the program the package, the package itself, anyone npm packages", async () => {
        assert.deepEqual(await restrictedImports("stacks/probe.ts", `import { WebService } from "../components";\nexport const x = WebService;\n`), []);
        assert.deepEqual(
            await restrictedImports("components/probe.ts", `import { ArgumentChecker } from "./errors";\nexport const x = ArgumentChecker;\n`),
            [],
        );
        assert.deepEqual(await restrictedImports("components/probe.ts", `import * as k8s from "@pulumi/kubernetes";\nexport const x = k8s;\n`), []);
    });
});
