/**
 * How `pulumi up` finds a Node.js program, by the rules of Pulumi v3.248.0 (the version this
 * project pins), so tests can check that Pulumi.yaml's `main` reaches the program and never the
 * component library:
 *
 * 1. The engine (pkg/engine/project.go, getPwdMain): no `main` → pwd = project root, entry ".";
 *    `main` a directory → pwd = that directory, entry "."; `main` a file → pwd = its directory,
 *    entry = its base name.
 * 2. The Node.js runtime (sdk/nodejs/cmd/run/run.ts, run): it changes into pwd; with entry "." it
 *    looks up the nearest package.json above pwd and takes its `exports` (a string, or "."'s
 *    default/require/import), else its `main`, whenever that file exists; otherwise the directory.
 * 3. It registers ts-node first only when Pulumi.yaml's `runtime.options.typescript` is true (the
 *    default; the language host passes it on as PULUMI_NODEJS_TYPESCRIPT).
 * 4. It then `require`s the result, which Node resolves like any module path.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface ResolvedProgram {
    /** The directory the program runs in (process.cwd() during `pulumi up`). */
    pwd: string;
    /** The module file the runtime requires. */
    entry: string;
    /** Whether the runtime registers ts-node before it requires the entry. */
    typescript: boolean;
}

interface ProjectFile {
    main?: string;
    runtime: string | { name: string; options?: { typescript?: boolean } };
}

/** Where `pulumi up` runs the program of the project in `projectRoot`. */
export function resolveProgram(projectRoot: string): ResolvedProgram {
    const project = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as ProjectFile;
    const { pwd, main } = pwdAndMain(projectRoot, project.main ?? "");
    let program = path.join(pwd, main);
    if (main === ".") {
        program = packageEntry(pwd) ?? program;
    }
    const typescript = typeof project.runtime === "string" || project.runtime.options?.typescript !== false;
    return { pwd, entry: require.resolve(program), typescript };
}

/** pkg/engine/project.go getPwdMain. */
function pwdAndMain(root: string, main: string): { pwd: string; main: string } {
    if (main === "") {
        return { pwd: root, main: "." };
    }
    const absolute = path.resolve(root, main);
    if (!fs.existsSync(absolute)) {
        throw new Error(`project 'main' could not be read: ${absolute}`);
    }
    return fs.statSync(absolute).isDirectory() ? { pwd: absolute, main: "." } : { pwd: path.dirname(absolute), main: path.basename(absolute) };
}

/** run.ts: the package.json entry point nearest above `dir`, when the file it names exists. */
function packageEntry(dir: string): string | undefined {
    const manifest = searchUp(dir, "package.json");
    if (!manifest) {
        return undefined;
    }
    const root = path.dirname(manifest);
    const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"));
    let declared: string | undefined;
    if (typeof pkg.exports === "string") {
        declared = pkg.exports;
    } else if (pkg.exports && typeof pkg.exports === "object") {
        const main = pkg.exports["."];
        declared = typeof main === "string" ? main : main && (main.default || main.require || main.import);
    } else if (pkg.main) {
        declared = pkg.main;
    }
    return declared && fs.existsSync(path.join(root, declared)) ? path.join(root, declared) : undefined;
}

function searchUp(dir: string, file: string): string | undefined {
    for (let current = dir; ; current = path.dirname(current)) {
        if (fs.existsSync(path.join(current, file))) {
            return path.join(current, file);
        }
        if (path.dirname(current) === current) {
            return undefined;
        }
    }
}
