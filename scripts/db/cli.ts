/**
 * npm run db -- backup  <stack>            take a backup now (a Job from the backup CronJob)
 * npm run db -- list    <stack>            list the backups, newest first, each verified
 * npm run db -- restore <stack> <backup> --yes
 *                                          restore one: the database's writers are scaled to zero
 *                                          first and brought back after, whatever the outcome
 * npm run db -- rotate-password <stack> [--yes]
 *                                          a release that bumps databasePasswordGeneration (preview,
 *                                          gates, a backup first in staging/prod, validation), then
 *                                          waits until the database has taken the new password
 *
 * options: --work-dir <dir> (where the stack files are; default the repository),
 *          --timeout <seconds> (per Job, 1-86400; default 1800).
 *
 * Backup actions run as Jobs built from the CronJob's own pod template (PostgresDatabase's `backup`),
 * so they have the same image, security context, volumes and network identity as the scheduled
 * backups. Nothing prints the password.
 * Exit status: 0 done, 1 refused or failed, 2 bad usage.
 */
import { parseArgs } from "util";
import { STAGES } from "../release/releaseConfig";
import { rotateDatabasePassword } from "../release/commands";
import { stackSettings } from "../release/release";
import { DATABASE } from "../../stacks/serviceContract";
import { BACKUP_NAME, DatabaseBackups, DbError } from "./backups";
import { waitForRotatedPassword } from "./password";

class UsageError extends Error {}

/** A day: no Job of these commands should take longer, and a bound keeps the arithmetic exact. */
const MAX_TIMEOUT_SECONDS = 86400;

const OPTIONS = { yes: { type: "boolean" }, "work-dir": { type: "string" }, timeout: { type: "string" } } as const;

function stackArg(value: string | undefined, command: string): string {
    if (!value || !(STAGES as readonly string[]).includes(value)) {
        throw new UsageError(`${command}: expected a stack (${STAGES.join(", ")}), got ${value === undefined ? "nothing" : `"${value}"`}`);
    }
    return value;
}

async function main(argv: string[]): Promise<void> {
    const [command, ...rest] = argv;
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.timeout !== undefined && !(/^[1-9][0-9]{0,4}$/.test(values.timeout) && Number(values.timeout) <= MAX_TIMEOUT_SECONDS)) {
        throw new UsageError(`--timeout: expected whole seconds 1-${MAX_TIMEOUT_SECONDS}, got ${JSON.stringify(values.timeout)}`);
    }
    const backups = (stack: string) => {
        const settings = stackSettings(stack, values["work-dir"]);
        if (!settings.postgres.backup) {
            throw new DbError(`${stack} has no backups: set postgres.backup in Pulumi.${stack}.yaml and release it`);
        }
        return new DatabaseBackups(settings.namespace, DATABASE, Number(values.timeout ?? 1800));
    };
    switch (command) {
        case "backup":
            console.log(backups(stackArg(positionals[0], "backup")).backupNow().report.trimEnd());
            return;
        case "list":
            for (const backup of backups(stackArg(positionals[0], "list")).list()) {
                console.log(`${backup.name}\t${backup.bytes} bytes\t${backup.verified ? "verified" : `UNREADABLE: ${backup.problem ?? "unknown"}`}`);
            }
            return;
        case "restore": {
            const stack = stackArg(positionals[0], "restore");
            const name = positionals[1];
            if (!name) {
                throw new UsageError("restore: expected a backup name (see npm run db -- list <stack>)");
            }
            if (!BACKUP_NAME.test(name)) {
                throw new UsageError(
                    `restore: ${JSON.stringify(name)} is not a backup file name (expected <database>-<time>.dump, as npm run db -- list shows)`,
                );
            }
            if (!values.yes) {
                throw new DbError(`restore replaces every object of ${stack}'s database with ${name}'s; re-run with --yes to do it`);
            }
            console.log(backups(stack).restore(name));
            return;
        }
        case "rotate-password": {
            const stack = stackArg(positionals[0], "rotate-password");
            const generation = await rotateDatabasePassword({ stack, workDir: values["work-dir"], yes: values.yes });
            const settings = stackSettings(stack, values["work-dir"]);
            if (settings.renderYamlToDirectory) {
                console.log(`${stack}: render mode; the new password takes effect where the manifests are applied`);
                return;
            }
            const seconds = waitForRotatedPassword(settings.namespace, DATABASE, Number(values.timeout ?? 600));
            console.log(
                `${stack}: the database takes the new password (generation ${generation}) ${seconds.toFixed(1)} s after the release; the old one no longer works`,
            );
            return;
        }
        default:
            throw new UsageError(`unknown command "${command ?? ""}"; expected backup, list, restore or rotate-password`);
    }
}

main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
});
