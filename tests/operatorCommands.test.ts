import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../stacks/stackFiles";

/** Runs one of the operator's commands as npm would; none of these cases reaches a cluster or an engine. */
function run(command: string[], env: Record<string, string> = {}) {
    const result = spawnSync(command[0], command.slice(1), {
        encoding: "utf8",
        cwd: REPO_ROOT,
        env: { ...process.env, PULUMI_BACKEND_URL: "file:///nonexistent-never-used", ...env },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const ts = (script: string, ...args: string[]) => [process.execPath, "--require", "sucrase/register/ts", path.join(REPO_ROOT, "scripts", script), ...args];
const scratch = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe("operator commands fail safe, before doing anything", function () {
    this.timeout(120_000);

    it("release-status exits 1 naming the failure when the cluster cannot be reached", () => {
        const kubectl = path.join(scratch("kubectl-"), "kubectl");
        fs.writeFileSync(kubectl, "#!/bin/sh\necho 'The connection to the server 127.0.0.1:6443 was refused' >&2\nexit 1\n", { mode: 0o755 });
        const result = run(ts("release/cli.ts", "status", "dev"), { KUBECTL: kubectl });
        assert.equal(result.status, 1, result.stdout + result.stderr);
        assert.match(
            result.stderr,
            /cannot read the version Service frontend in fastapi-dev serves: The connection to the server 127\.0\.0\.1:6443 was refused/,
        );
        assert.equal(result.stdout, "", "no partial report");
    });

    it("render --out never deletes or overwrites a file it did not write, and replaces its own", () => {
        const out = scratch("render-out-");
        const dir = path.join(out, "dev");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
        fs.writeFileSync(path.join(dir, "namespace-fastapi-dev.yaml"), "kind: Mine\n");
        const refused = run(ts("render/index.ts", "--out", out, "dev"));
        assert.equal(refused.status, 1, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /holds files this renderer did not write: namespace-fastapi-dev\.yaml; nothing was written or removed/);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["namespace-fastapi-dev.yaml", "notes.txt"]);
        assert.equal(fs.readFileSync(path.join(dir, "namespace-fastapi-dev.yaml"), "utf8"), "kind: Mine\n");

        fs.rmSync(path.join(dir, "namespace-fastapi-dev.yaml"));
        assert.equal(run(ts("render/index.ts", "--out", out, "dev")).status, 0);
        fs.writeFileSync(path.join(dir, "configmap-gone.yaml"), "stale: true\n");
        fs.appendFileSync(path.join(dir, ".rendered-files"), "configmap-gone.yaml\n"); // as if an earlier run had written it
        const again = run(ts("render/index.ts", "--out", out, "dev"));
        assert.equal(again.status, 0, again.stderr);
        const files = fs.readdirSync(dir);
        assert.ok(files.includes("notes.txt") && files.includes("namespace-fastapi-dev.yaml"), files.join(", "));
        assert.ok(!files.includes("configmap-gone.yaml"), "a file of its own that the program no longer renders is removed");
    });

    it("render --overlay refuses a file that is not an object of configuration keys, naming the file", () => {
        const dir = scratch("overlay-");
        const cases: Array<[string, RegExp]> = [
            ["[1, 2]", /expected a JSON object of configuration keys/],
            ['{"namespace": "x"}', /"namespace" are not configuration keys; expected "<namespace>:<key>"/],
            ["{not json", /--overlay .*bad-2\.json: .*JSON/],
        ];
        cases.forEach(([text, message], i) => {
            const file = path.join(dir, `bad-${i}.json`);
            fs.writeFileSync(file, text);
            const result = run(ts("render/index.ts", "--overlay", file, "--out", path.join(dir, "out"), "dev"));
            assert.equal(result.status, 1, result.stderr);
            assert.match(result.stderr, message);
            assert.ok(result.stderr.includes(file), `names ${file}: ${result.stderr}`);
        });
        assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing rendered");
    });

    it("cluster certificate checks every argument before it looks for the CA, saying what is wrong", () => {
        const long = `${"a".repeat(70)}.example.com`;
        const cases: Array<[string[], RegExp]> = [
            [["Bad_NS", "tls", "a.example.com"], /namespace 'Bad_NS' is not valid: expected a DNS label/],
            [["ns", "Bad..tls", "a.example.com"], /Secret name 'Bad\.\.tls' is not valid: expected a DNS subdomain/],
            [["ns", "tls", long], /host 'a{70}\.example\.com' is not valid: expected a DNS name: labels of 1-63/],
        ];
        for (const [args, message] of cases) {
            const result = run(["bash", path.join(REPO_ROOT, "scripts", "cluster", "cluster.sh"), "certificate", ...args]);
            assert.equal(result.status, 2, result.stderr);
            assert.match(result.stderr, message);
            assert.doesNotMatch(result.stderr, /ingress CA/);
        }
    });

    it("db restore refuses a name that cannot be a backup and an unbounded timeout, before any cluster work", () => {
        const kubectl = path.join(scratch("kubectl-"), "kubectl");
        const called = `${kubectl}.called`;
        fs.writeFileSync(kubectl, `#!/bin/sh\ntouch '${called}'\nexit 1\n`, { mode: 0o755 });
        const cases: Array<[string[], RegExp]> = [
            [["restore", "staging", "../postgres-credentials", "--yes"], /"\.\.\/postgres-credentials" is not a backup file name/],
            [["restore", "staging", "app;reboot.dump", "--yes"], /is not a backup file name/],
            [["restore", "staging", "app-1.dump", "--yes", "--timeout", "1e23"], /--timeout: expected whole seconds 1-86400, got "1e23"/],
            [["list", "staging", "--timeout", "86401"], /--timeout: expected whole seconds 1-86400/],
        ];
        for (const [args, message] of cases) {
            const result = run(ts("db/cli.ts", ...args), { KUBECTL: kubectl });
            assert.equal(result.status, 2, result.stderr);
            assert.match(result.stderr, message);
        }
        assert.ok(!fs.existsSync(called), "kubectl was never run");
    });
});
