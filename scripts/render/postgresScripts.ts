/**
 * Writes the shell scripts PostgresDatabase's backups mount (components/postgresBackupScripts.ts)
 * into a directory, one file each, so that ShellCheck can read them (scripts/lint.sh).
 * Usage: node --require sucrase/register/ts scripts/render/postgresScripts.ts <directory>
 */
import * as fs from "fs";
import * as path from "path";
import { BACKUP_SCRIPT_FILES, PASSWORD_CHECK_SCRIPT, PASSWORD_SYNC_SCRIPT } from "../../components/postgresScripts";

const [directory] = process.argv.slice(2);
if (!directory) {
    console.error("usage: postgresScripts.ts <directory>");
    process.exit(2);
}
for (const [file, text] of Object.entries({ ...BACKUP_SCRIPT_FILES, "password-sync.sh": PASSWORD_SYNC_SCRIPT, "password-check.sh": PASSWORD_CHECK_SCRIPT })) {
    fs.writeFileSync(path.join(directory, file), text);
}
