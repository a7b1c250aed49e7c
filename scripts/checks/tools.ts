import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** What one checker said about one stack's manifests. */
export interface ToolResult {
    tool: string;
    stack: string;
    /** Checks evaluated (passed + failed), excluding skipped ones. */
    run: number;
    failed: number;
    skipped: number;
    findings: string[];
}

/** Installs the pinned checkers if needed (scripts/install-checkers.sh) and returns their bin directory. */
export function checkersBin(repoRoot: string): string {
    const output = execFileSync("bash", [path.join(repoRoot, "scripts", "install-checkers.sh")], { encoding: "utf8" });
    return output.trim().split("\n").pop()!;
}

function exec(binary: string, args: string[]): string {
    const result = spawnSync(binary, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) {
        throw new Error(`${path.basename(binary)} did not run: ${result.error.message}`);
    }
    return result.stdout;
}

const yamlFiles = (dir: string) =>
    fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => path.join(dir, f));

/** kubernetes-validate --strict against a pinned Kubernetes version: one check per object. */
export function kubernetesValidate(bin: string, stack: string, dir: string, version: string): ToolResult {
    const lines = exec(path.join(bin, "kubernetes-validate"), ["-k", version, "--strict", ...yamlFiles(dir)])
        .split("\n")
        .filter(Boolean);
    const findings = lines.filter((l) => !l.startsWith("INFO") || !l.includes(" passed "));
    return { tool: "kubernetes-validate", stack, run: lines.length, failed: findings.length, skipped: 0, findings };
}

/** checkov --framework kubernetes; skips come from checkov.io/skip annotations on the objects. */
export function checkov(bin: string, stack: string, dir: string): ToolResult {
    const output = exec(path.join(bin, "checkov"), ["-d", dir, "--framework", "kubernetes", "-o", "json", "--quiet", "--skip-download"]);
    const report = JSON.parse(output);
    const reports = Array.isArray(report) ? report : [report];
    const failed = reports.flatMap((r: any) => r.results?.failed_checks ?? []);
    const summary = reports.reduce(
        (sum: any, r: any) => ({
            passed: sum.passed + (r.summary?.passed ?? 0),
            failed: sum.failed + (r.summary?.failed ?? 0),
            skipped: sum.skipped + (r.summary?.skipped ?? 0),
        }),
        { passed: 0, failed: 0, skipped: 0 },
    );
    return {
        tool: "checkov",
        stack,
        run: summary.passed + summary.failed,
        failed: summary.failed,
        skipped: summary.skipped,
        findings: failed.map((f: any) => `${f.check_id} ${f.check_name} — ${f.resource}`),
    };
}

/** kube-score score: critical and warning grades are findings; kube-score/ignore skips. */
export function kubeScore(bin: string, stack: string, dir: string): ToolResult {
    const objects = JSON.parse(exec(path.join(bin, "kube-score"), ["score", "--output-format", "json", ...yamlFiles(dir)]));
    const result: ToolResult = { tool: "kube-score", stack, run: 0, failed: 0, skipped: 0, findings: [] };
    for (const object of objects) {
        for (const check of object.checks) {
            if (check.check.optional) {
                continue; // kube-score's optional checks are off by default and not counted
            }
            if (check.skipped) {
                result.skipped++;
                continue;
            }
            result.run++;
            if (check.grade === 1 || check.grade === 5) {
                result.failed++;
                const level = check.grade === 1 ? "CRITICAL" : "WARNING";
                result.findings.push(`${level} ${check.check.id} — ${object.object_name} (${object.type_meta.kind})`);
            }
        }
    }
    return result;
}
