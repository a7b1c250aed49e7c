/**
 * Applies a release to a stack the careful way: change the stack file, preview with the policy
 * pack and a saved plan, refuse what the gates forbid, confirm, apply exactly that plan, validate
 * on the cluster, and put the previous release back when anything after the change fails.
 *
 * The stack file (Pulumi.<stack>.yaml) is the record of what a stage runs: a promotion writes the
 * image references there, so the change is a reviewable diff (GitOps) and restoring the file
 * restores the previous release.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as auto from "@pulumi/pulumi/automation";
import { parseStackConfig } from "../../stacks/config/load";
import { PROJECT } from "../../stacks/config/project";
import type { StackConfig } from "../../stacks/config/schema";
import { stackRawConfig } from "../../stacks/stackFiles";
import { REPO_ROOT, openStack } from "../engine/workspace";
import { DATABASE } from "../../stacks/serviceContract";
import { DatabaseBackups } from "../db/backups";
import { GUARDED_STACKS, PlannedStep, dataSteps, describeSteps, gateViolations, plannedSteps, shortType, stepName, summarize } from "./planAnalysis";
import { PhaseTimes } from "./phaseTimes";
import { ConfigChange, writeChange } from "./stackFileEdit";
import { kubectlPath, validateRelease } from "./validate";
import { StateResource, volumeShrinkProblems } from "./volumeSizes";

export class ReleaseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseError";
    }
}

/** `up` failed part-way: something may have changed, so the previous release must be restored. */
export class ApplyFailedError extends ReleaseError {
    constructor(message: string) {
        super(message);
        this.name = "ApplyFailedError";
    }
}

export interface ReleaseOptions {
    stack: string;
    /** Directory with Pulumi.yaml and the stack files. Default: the repository root. */
    workDir?: string;
    /** Apply without asking. */
    yes?: boolean;
    /** Allow the plan to delete or replace data-bearing resources in guarded stacks. */
    allowDataLoss?: boolean;
    /** Refresh the state from the cluster first (it may have changed or been rebuilt outside Pulumi). */
    refresh?: boolean;
    /** Seconds each workload may take to roll out during validation. Default 300. */
    rolloutTimeoutSeconds?: number;
    /** Where progress goes. Default: stdout. */
    log?: (line: string) => void;
    /** Asks the operator; default: a terminal prompt (refuses without a terminal). */
    confirm?: (question: string) => Promise<boolean>;
    /**
     * Replaces the cluster validation (also in render mode): returns what failed. For checks of
     * your own, and for tests of the restore path.
     */
    validator?: (settings: StackConfig, services: string[]) => string[];
    /**
     * Takes a backup of the stack's database and returns its name; called before applying a plan
     * that changes the database in a guarded stack. Default: a Job from the backup CronJob on the
     * cluster (npm run db -- backup). For tests of the release path.
     */
    backup?: (settings: StackConfig) => string;
}

/** The stack file of `stack`, its settings parsed and validated. */
export function stackSettings(stack: string, workDir: string = REPO_ROOT): StackConfig {
    return parseStackConfig(stack, stackRawConfig(stack, workDir));
}

const stackFile = (options: ReleaseOptions) => path.join(options.workDir ?? REPO_ROOT, `Pulumi.${options.stack}.yaml`);

async function defaultConfirm(question: string): Promise<boolean> {
    if (!process.stdin.isTTY) {
        throw new ReleaseError(`${question} — no terminal to ask; re-run with --yes to apply without asking`);
    }
    const readline = await import("readline/promises");
    const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
    try {
        return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
        prompt.close();
    }
}

/** Preview with the policy pack and a saved plan; returns the plan file, refusing what the gates forbid. */
async function previewGated(stack: auto.Stack, options: ReleaseOptions, log: (line: string) => void): Promise<{ plan: string; steps: PlannedStep[] }> {
    const plan = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.json");
    const events: auto.EngineEvent[] = [];
    // The policy configuration of the project being released, else the repository's.
    const policyConfig = [options.workDir ?? REPO_ROOT, REPO_ROOT]
        .map((dir) => path.join(dir, "policy", `config.${options.stack}.json`))
        .find((file) => fs.existsSync(file));
    try {
        await stack.preview({
            plan,
            diff: true,
            policyPacks: [path.join(REPO_ROOT, "policy")],
            policyPackConfigs: policyConfig ? [policyConfig] : [],
            onEvent: (event) => events.push(event),
            onOutput: (text) => log(text.trimEnd()),
        });
    } catch (error) {
        throw new ReleaseError(
            `preview of ${options.stack} failed (a program error, a policy violation or a protected resource); nothing was applied:\n${errorText(error)}`,
        );
    }
    const steps = plannedSteps(events);
    log(`plan for ${options.stack}: ${describeSummary(summarize(steps))}`);
    describeSteps(steps).forEach((line) => log(`  ${line}`));
    const violations = gateViolations(steps, { stack: options.stack, allowDataLoss: options.allowDataLoss });
    if (violations.length > 0) {
        throw new ReleaseError(`refused; nothing was applied:\n  - ${violations.join("\n  - ")}\n(--allow-data-loss overrides this)`);
    }
    return { plan, steps };
}

function describeSummary(summary: Record<string, Record<string, number>>): string {
    const parts = Object.entries(summary).map(
        ([op, types]) =>
            `${op}: ${Object.entries(types)
                .map(([type, n]) => `${n} ${shortType(type)}`)
                .join(", ")}`,
    );
    return parts.length > 0 ? parts.join("; ") : "no changes";
}

/** The CLI's error lines (what the operator needs), or the tail of the message when there are none. */
function errorText(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const lines = text.split("\n");
    const errors = [...new Set(lines.filter((l) => /\berror:/.test(l)).map((l) => l.trim()))];
    const policy = lines.filter((l) => /mandatory|advisory/.test(l)).map((l) => l.trim());
    return (errors.length > 0 ? [...errors, ...policy] : lines.slice(-20)).join("\n");
}

/** Previews and applies the stack as its file now says (used for rollbacks too). */
async function previewAndApply(
    stack: auto.Stack,
    options: ReleaseOptions,
    log: (line: string) => void,
    ask: boolean,
    times: PhaseTimes = new PhaseTimes(),
): Promise<void> {
    const { plan, steps } = await times.time("preview", () => previewGated(stack, options, log));
    if (steps.length === 0) {
        log(`${options.stack}: nothing to change`);
        return;
    }
    if (ask && !options.yes) {
        const confirm = options.confirm ?? defaultConfirm;
        if (!(await confirm(`Apply this plan to ${options.stack}?`))) {
            throw new ReleaseError(`not applied to ${options.stack}: declined`);
        }
    }
    backUpBeforeChanging(dataSteps(steps), options, log);
    try {
        await times.time("apply", () => stack.up({ plan, onOutput: (text) => log(text.trimEnd()) }));
    } catch (error) {
        throw new ApplyFailedError(`up of ${options.stack} failed:\n${errorText(error)}`);
    }
}

/**
 * In a guarded stack, takes a backup of the database before a plan that changes it is applied, even
 * when the gate allowed the plan, and names it so the release can be undone. A backup that fails
 * stops the release: nothing is applied.
 */
function backUpBeforeChanging(steps: PlannedStep[], options: ReleaseOptions, log: (line: string) => void): void {
    if (steps.length === 0 || !GUARDED_STACKS.includes(options.stack)) {
        return;
    }
    const what = steps.map(stepName).join(", ");
    const settings = stackSettings(options.stack, options.workDir);
    const take = options.backup ?? defaultBackup(settings);
    if (!take) {
        log(`${options.stack}: the plan changes the database (${what}) but no backup can be taken: ${noBackupReason(settings)}`);
        return;
    }
    let name: string;
    try {
        name = take(settings);
    } catch (error) {
        throw new ReleaseError(`a backup before this plan (${what}) failed; nothing was applied:\n${errorText(error)}`);
    }
    log(`${options.stack}: backed up the database before applying (${what}): ${name} — restore with npm run db -- restore ${options.stack} ${name} --yes`);
}

/** The cluster's backup Job, when the stack runs on a cluster whose database has a backup CronJob. */
function defaultBackup(settings: StackConfig): ((settings: StackConfig) => string) | undefined {
    if (settings.renderYamlToDirectory || !settings.postgres.backup) {
        return undefined;
    }
    const backups = new DatabaseBackups(settings.namespace, DATABASE, 1800);
    return backups.exists() ? () => backups.backupNow().name : undefined;
}

function noBackupReason(settings: StackConfig): string {
    if (settings.renderYamlToDirectory) {
        return "render mode (no database runs)";
    }
    return settings.postgres.backup ? `${settings.namespace} has no backup CronJob yet (this release creates it)` : "postgres.backup is not set for this stack";
}

/** Validates the stack on its cluster; an empty list means healthy. Render mode has nothing to run. */
function validate(settings: StackConfig, options: ReleaseOptions, log: (line: string) => void, services: string[]): string[] {
    if (options.validator) {
        return options.validator(settings, services);
    }
    if (settings.renderYamlToDirectory) {
        log(`${options.stack}: render mode (manifests in ${settings.renderYamlToDirectory}); nothing runs, so there is nothing to validate`);
        return [];
    }
    log(`validating ${options.stack}: rollouts in ${settings.namespace}, then /readyz of ${services.join(", ")} through the Service`);
    return validateRelease(kubectlPath(REPO_ROOT), {
        namespace: settings.namespace,
        services,
        rolloutTimeoutSeconds: options.rolloutTimeoutSeconds ?? 300,
    });
}

/** The Services whose health proves the release: the live frontend, and each colour's for blue-green. */
export function healthServices(settings: StackConfig): string[] {
    return settings.frontend.blueGreen ? ["frontend", "frontend-blue", "frontend-green"] : ["frontend"];
}

/**
 * Applies `change` to the stack. On a failed apply or validation the stack file is restored and
 * applied again (when the stack had a release before), and a ReleaseError says what failed.
 */
export async function applyRelease(options: ReleaseOptions, change: ConfigChange, what: string): Promise<auto.OutputMap> {
    const log = options.log ?? ((line: string) => console.log(line));
    const file = stackFile(options);
    const times = new PhaseTimes();
    // "open": finding the engine (built from Go modules on a machine's first release) and the stack.
    const stack = await times.time("open", () => openStack({ stack: options.stack, workDir: options.workDir }));
    if (options.refresh) {
        log(`${options.stack}: refreshing the state from the cluster`);
        await times.time("refresh", () => stack.refresh({ onOutput: (text) => log(text.trimEnd()) }));
    }
    const deployed: StateResource[] = (await stack.exportStack()).deployment?.resources ?? [];
    const hadRelease = deployed.length > 0;
    log(`${options.stack}: ${what}`);
    const before = writeChange(file, change);
    // Puts the stack file back and, when there was a release before, applies and validates it.
    const restorePrevious = async (): Promise<string> => {
        fs.writeFileSync(file, before);
        return hadRelease
            ? rollBack(stack, options, log)
            : "first release of this stack: there is no previous release to restore; what was applied stays for inspection";
    };
    let settings: StackConfig;
    try {
        settings = stackSettings(options.stack, options.workDir);
        const shrinking = volumeShrinkProblems(options.stack, settings, deployed);
        if (shrinking.length > 0) {
            throw new ReleaseError(`refused; nothing was applied:\n  - ${shrinking.join("\n  - ")}`);
        }
        await previewAndApply(stack, options, log, true, times);
    } catch (error) {
        if (error instanceof ApplyFailedError) {
            throw new ReleaseError(`${error.message}\n${await restorePrevious()}`);
        }
        fs.writeFileSync(file, before); // refused or invalid before anything was applied
        throw error;
    }
    const failures = await times.time("validation", () => validate(settings, options, log, healthServices(settings)));
    if (failures.length > 0) {
        throw new ReleaseError(`validation of ${options.stack} failed:\n  - ${failures.join("\n  - ")}\n${await restorePrevious()}`);
    }
    const validated = !settings.renderYamlToDirectory || options.validator !== undefined;
    log(`${options.stack}: released${validated ? " and validated" : " (render mode: not validated)"} ${times.describe()}`);
    return stack.outputs();
}

/** Applies the (already restored) stack file again and validates it. */
async function rollBack(stack: auto.Stack, options: ReleaseOptions, log: (line: string) => void): Promise<string> {
    log(`${options.stack}: restoring the previous release`);
    try {
        // A rollback restores data-bearing resources to what they were; the gates still apply.
        await previewAndApply(stack, { ...options, yes: true }, log, false);
    } catch (error) {
        return `restoring the previous release failed too:\n${errorText(error)}`;
    }
    const settings = stackSettings(options.stack, options.workDir);
    const failures = validate(settings, options, log, healthServices(settings));
    return failures.length === 0
        ? "the previous release was restored and validates"
        : `the previous release was restored but does not validate either:\n  - ${failures.join("\n  - ")}`;
}

/** Full key of a project setting. */
export const key = (name: string) => `${PROJECT}:${name}`;
