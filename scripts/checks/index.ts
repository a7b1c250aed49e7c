/**
 * npm run check:manifests
 * Renders dev, staging and prod and runs the field's checkers on the manifests:
 * kubernetes-validate --strict (Kubernetes 1.33), checkov and kube-score. Prints the checks run,
 * skipped and failed per tool and stack, every finding, and exits non-zero on any finding.
 */
import * as path from "path";
import { renderStack, writeManifests } from "../render/manifests";
import { REPO_ROOT, STACKS } from "../../stacks/stackFiles";
import { ToolResult, checkersBin, checkov, kubeScore, kubernetesValidate } from "./tools";

const KUBERNETES_VERSION = "1.33.0";

async function main(): Promise<number> {
    const bin = checkersBin(REPO_ROOT);
    const results: ToolResult[] = [];
    for (const stack of STACKS) {
        const dir = path.join(REPO_ROOT, "out", stack);
        const files = writeManifests(dir, await renderStack(stack));
        console.log(`${stack}: rendered ${files.length} objects to out/${stack}/`);
        results.push(kubernetesValidate(bin, stack, dir, KUBERNETES_VERSION), checkov(bin, stack, dir), kubeScore(bin, stack, dir));
    }
    console.log("\ntool                 stack     run  skipped  failed");
    for (const r of results) {
        console.log(`${r.tool.padEnd(20)} ${r.stack.padEnd(8)} ${String(r.run).padStart(4)} ${String(r.skipped).padStart(8)} ${String(r.failed).padStart(7)}`);
        r.findings.forEach((f) => console.log(`    ${f}`));
    }
    const total = (key: "run" | "skipped" | "failed") => results.reduce((sum, r) => sum + r[key], 0);
    console.log(
        `\nchecks run: ${total("run")}, skipped: ${total("skipped")} (exemption annotations, or not applicable to the object), failed: ${total("failed")}`,
    );
    console.log("kube-linter: not run — its module (golang.stackrox.io/kube-linter) is outside the Go proxy's allowlist here; see docs/manifest-checks.md");
    console.log(`manifests: ${total("run") - total("failed")} passed, ${total("failed")} failed`);
    return total("failed") === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(error instanceof Error ? error.stack : error);
        process.exit(1);
    },
);
