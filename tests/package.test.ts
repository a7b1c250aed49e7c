import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { installMocks, settle } from "../scripts/render/mockRuntime";
import { T } from "./harness/render";
import { REPO_ROOT } from "../stacks/stackFiles";

/** The TypeScript block that follows the consumer-example marker in README.md. */
function readmeExample(): string {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const match = /<!-- consumer-example[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme);
    assert.ok(match, "README.md has a consumer example");
    return match[1];
}

describe("the npm package, as another Pulumi project consumes it", function () {
    this.timeout(120_000);
    let consumer: string;

    before(() => {
        // Build dist/ exactly as `npm run build` (and so `npm publish`) does.
        execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: REPO_ROOT });
        consumer = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
        fs.mkdirSync(path.join(consumer, "node_modules"));
        fs.symlinkSync(REPO_ROOT, path.join(consumer, "node_modules", "fastapi-k8s"), "dir");
        fs.writeFileSync(path.join(consumer, "index.ts"), readmeExample());
    });

    it("declares its entry, types and exports, and ships only the compiled components and its licence", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        for (const file of [pkg.main, pkg.types, ...Object.values(pkg.exports).flatMap((e: any) => [e.default, e.types])]) {
            assert.ok(fs.existsSync(path.join(REPO_ROOT, file)), `${file} is built`);
        }
        assert.deepEqual(Object.keys(pkg.exports), [".", "./image"]);
        const packed = JSON.parse(
            execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
        )[0].files.map((f: { path: string }) => f.path);
        assert.ok(packed.includes("LICENSE"), "LICENSE is packed");
        assert.ok(packed.includes("dist/components/appImage.js") && packed.includes("dist/components/index.d.ts"));
        assert.deepEqual(
            packed.filter((f: string) => !/^(dist\/components\/|LICENSE$|README\.md$|package\.json$)/.test(f)),
            [],
        );
        assert.match(fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
        assert.equal(pkg.license, "Apache-2.0");
    });

    it("takes the Pulumi SDK and providers from the consumer (caret peers), pinned exactly only for this project", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        assert.deepEqual(pkg.dependencies ?? {}, {}, "no runtime dependencies: zod is the program's, not the components'");
        for (const name of ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/docker"]) {
            assert.equal(pkg.peerDependencies[name], `^${pkg.devDependencies[name]}`, name);
            assert.match(pkg.devDependencies[name], /^\d+\.\d+\.\d+$/, `${name} pinned for the program and tests`);
        }
        // A single SDK instance: two copies of @pulumi/pulumi in one program break resource identity.
        const used = new Set<string>();
        for (const file of fs.readdirSync(path.join(REPO_ROOT, "components")).filter((f) => f.endsWith(".ts"))) {
            for (const match of fs
                .readFileSync(path.join(REPO_ROOT, "components", file), "utf8")
                .matchAll(/^(?:import|export)\b[^;]*? from "([^".][^"]*)";/gm)) {
                used.add(match[1].startsWith("@") ? match[1].split("/").slice(0, 2).join("/") : match[1].split("/")[0]);
            }
        }
        const builtins = new Set(["crypto", "fs", "path"]);
        assert.deepEqual(
            [...used].filter((m) => !builtins.has(m) && !(m in pkg.peerDependencies)),
            [],
            "every package the components import is a peer",
        );
    });

    it("is all the program needs: stacks/ imports the components only through the package entry and its image subpath", () => {
        const offenders: string[] = [];
        const visit = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const file = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    visit(file);
                } else if (file.endsWith(".ts")) {
                    for (const match of fs.readFileSync(file, "utf8").matchAll(/from "([^"]*components[^"]*)"/g)) {
                        const target = path.relative(REPO_ROOT, path.resolve(path.dirname(file), match[1]));
                        if (!["components", "components/appImage"].includes(target)) {
                            offenders.push(`${path.relative(REPO_ROOT, file)} imports ${match[1]}`);
                        }
                    }
                }
            }
        };
        visit(path.join(REPO_ROOT, "stacks"));
        assert.deepEqual(offenders, []);
    });

    it("needs the Docker provider only for fastapi-k8s/image: an optional peer, never loaded by the entry", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        assert.equal(pkg.dependencies?.["@pulumi/docker"], undefined);
        assert.ok(pkg.peerDependencies["@pulumi/docker"] && pkg.peerDependenciesMeta["@pulumi/docker"].optional);
        // A consumer without @pulumi/docker installed: resolving it fails as it would there.
        const withoutDocker = (specifier: string) =>
            spawnSync(
                process.execPath,
                [
                    "-e",
                    `
                const Module = require("module");
                const resolve = Module._resolveFilename;
                Module._resolveFilename = function (request, ...rest) {
                    if (request === "@pulumi/docker" || request.startsWith("@pulumi/docker/")) {
                        throw Object.assign(new Error("Cannot find module '@pulumi/docker'"), { code: "MODULE_NOT_FOUND" });
                    }
                    return resolve.call(this, request, ...rest);
                };
                const loaded = require(${JSON.stringify(specifier)});
                console.log(Object.keys(loaded).sort().join(","));
            `,
                ],
                { cwd: consumer, encoding: "utf8" },
            );
        const entry = withoutDocker("fastapi-k8s");
        assert.equal(entry.status, 0, entry.stderr);
        assert.ok(entry.stdout.includes("WebService") && !entry.stdout.includes("AppImage"), entry.stdout);
        const image = withoutDocker("fastapi-k8s/image");
        assert.notEqual(image.status, 0, "the image subpath does load @pulumi/docker");
        assert.match(image.stderr, /Cannot find module '@pulumi\/docker'/);
    });

    it("compiles the README example against the published typings and runs it under mocks", async () => {
        const program = ts.createProgram([path.join(consumer, "index.ts")], {
            strict: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            esModuleInterop: true,
            skipLibCheck: true,
            outDir: path.join(consumer, "out"),
        });
        const diagnostics = ts.getPreEmitDiagnostics(program).concat(program.emit().diagnostics);
        assert.deepEqual(
            diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
            [],
            "the README example type-checks",
        );
        const resolved = require.resolve("fastapi-k8s", { paths: [consumer] });
        assert.equal(fs.realpathSync(resolved), path.join(REPO_ROOT, "dist", "components", "index.js"));

        const recorder = await installMocks("example", {}, "consumer");
        // The consumer's compiled program, loaded as the Node.js runtime of `pulumi up` would.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path.join(consumer, "out", "index.js"));
        await settle(recorder);
        assert.ok(recorder.object(T.namespace, "shop"));
        assert.ok(recorder.object(T.statefulSet, "orders-db"));
        assert.equal(recorder.object(T.deployment, "orders-api").inputs.spec.replicas, undefined);
        assert.equal(recorder.object(T.hpa, "orders-api").inputs.spec.minReplicas, 2);
        assert.equal(recorder.object(T.ingress, "orders-api").inputs.spec.tls[0].secretName, "orders-tls");
        assert.ok(recorder.object(T.networkPolicy, "orders-api-to-orders-db-ingress"));
        assert.ok(recorder.object(T.networkPolicy, "orders-api-public-ingress"));
    });
});
