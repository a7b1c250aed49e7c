/**
 * npm run render -- <stack> [<stack> …]
 * Writes every Kubernetes object the program would create for each stack to out/<stack>/.
 */
import * as path from "path";
import { REPO_ROOT } from "../../tests/harness/stackFiles";
import { renderStack, writeManifests } from "./manifests";

const STACKS = ["dev", "staging", "prod"];

async function main(stacks: string[]): Promise<void> {
    for (const stack of stacks) {
        if (!STACKS.includes(stack)) {
            throw new Error(`unknown stack "${stack}"; expected one of ${STACKS.join(", ")}`);
        }
        const files = writeManifests(path.join(REPO_ROOT, "out", stack), await renderStack(stack));
        console.log(`${stack}: ${files.length} objects → out/${stack}/`);
    }
}

main(process.argv.slice(2).length ? process.argv.slice(2) : STACKS).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
