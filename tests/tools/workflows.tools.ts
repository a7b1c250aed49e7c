import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkersBin } from "../../scripts/checks/tools";
import { REPO_ROOT } from "../../stacks/stackFiles";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

describe("GitHub workflows", function () {
    this.timeout(600_000); // the first run installs the checkers
    let actionlint: string;

    before(() => {
        actionlint = path.join(checkersBin(REPO_ROOT), "actionlint");
    });

    const lint = (files: string[]) => spawnSync(actionlint, ["-color=false", ...files], { encoding: "utf8" });

    it("pass actionlint", () => {
        const files = fs
            .readdirSync(WORKFLOWS)
            .filter((f) => f.endsWith(".yml"))
            .map((f) => path.join(WORKFLOWS, f));
        assert.ok(files.length > 0);
        const result = lint(files);
        assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    it("would be caught by actionlint if broken (a misspelt key, an unknown context)", () => {
        const original = fs.readFileSync(path.join(WORKFLOWS, "pull-request.yml"), "utf8");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
        const broken = [original.replace("runs-on: ubuntu-24.04", "run-on: ubuntu-24.04"), original.replace("${{ matrix.stack }}", "${{ matrixx.stack }}")];
        broken.forEach((text, i) => {
            assert.notEqual(text, original, `variant ${i} changes the workflow`);
            const file = path.join(dir, `broken-${i}.yml`);
            fs.writeFileSync(file, text);
            assert.notEqual(lint([file]).status, 0, `variant ${i} is reported`);
        });
    });

    it("checks the release workflow against its local action and job graph", () => {
        const original = fs.readFileSync(path.join(WORKFLOWS, "main.yml"), "utf8");
        const variants: Array<[string, RegExp]> = [
            [original.replace("kubeconfig: ${{ secrets.KUBECONFIG }}", "kubeconfg: ${{ secrets.KUBECONFIG }}"), /missing input "kubeconfig"/],
            [original.replace("needs: staging", "needs: stagin"), /job "prod" needs job "stagin" which does not exist/],
        ];
        variants.forEach(([text, finding], i) => {
            assert.notEqual(text, original, `variant ${i} changes the workflow`);
            // Inside the repository, so actionlint resolves ./.github/actions/release-tools.
            const file = path.join(WORKFLOWS, `.broken-${process.pid}-${i}.yml`);
            fs.writeFileSync(file, text);
            try {
                const result = lint([file]);
                assert.notEqual(result.status, 0, `variant ${i} is reported`);
                assert.match(result.stdout, finding);
            } finally {
                fs.rmSync(file);
            }
        });
    });
});
