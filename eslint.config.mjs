// ESLint for the TypeScript (components, program, scripts, tests, policy, docs examples): the
// recommended rules of ESLint and typescript-eslint. Formatting is Prettier's (.prettierrc.json).
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "out/", ".cache/", ".state/", ".venv/", "**/*.js", "**/*.mjs", "**/*.cjs"] },
    eslint.configs.recommended,
    tseslint.configs.recommended,
    {
        // The exceptions, each with its reason. These files walk untyped JSON: Kubernetes objects
        // as rendered, as a policy sees them or as kubectl returns them (any kind, any field),
        // checker reports, and the Pulumi SDK's mock monitor internals. Typing them as `unknown` would add a cast per step
        // and check nothing more; the components themselves are fully typed.
        files: ["tests/**/*.ts", "policy/**/*.ts", "scripts/checks/tools.ts", "scripts/render/*.ts", "scripts/db/backups.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    // The arrows run one way: the package (components/) imports nothing of this repository but
    // itself; the program (stacks/) imports the package; the policy pack only itself. None of them
    // imports the lab, the operator's scripts, the benches or the tests.
    {
        files: ["components/**/*.ts"],
        rules: { "no-restricted-imports": ["error", { patterns: [outside("components")] }] },
    },
    {
        files: ["stacks/**/*.ts"],
        rules: { "no-restricted-imports": ["error", { patterns: [outside("components", "stacks")] }] },
    },
    {
        files: ["policy/**/*.ts"],
        rules: { "no-restricted-imports": ["error", { patterns: [outside("policy")] }] },
    },
);

/** An import pattern for any relative import that reaches a top-level folder other than `allowed`. */
function outside(...allowed) {
    const folders = ["components", "stacks", "scripts", "tests", "policy", "app-images", "docs"].filter((folder) => !allowed.includes(folder));
    return {
        regex: `^(\\.\\.?/)+(\\.\\./)*(${folders.join("|")})(/|$)`,
        message: `${allowed.join(" and ")} may import only ${allowed.join(" and ")} (and npm packages): the package and the program never depend on the operator's scripts, the lab, the benches or the tests`,
    };
}
