/**
 * The shell scripts a PostgresBackup pod runs, mounted from a ConfigMap at BACKUP_SCRIPTS. They need
 * only what the server's image has (sh, coreutils, pg_dump, pg_restore), so the backups run from the
 * same image, and therefore the same client version, as the server. The `npm run db` commands start
 * Jobs from the CronJob's own pod template with another of these scripts, so a backup, a listing and
 * a restore run with the same security context, volumes and network identity.
 */

/** Where the scripts are mounted. */
export const BACKUP_SCRIPTS = "/opt/postgres-backup";
/** Where the backup claim is mounted. */
export const BACKUP_DIR = "/backups";

// The password never reaches a command line or the environment: it is copied from the mounted
// Secret into a private pgpass file (libpq ignores one that is group-readable, as Secret volumes
// are under fsGroup).
const COMMON = `# Sourced by the other scripts: a private pgpass file from the mounted password.
set -eu
umask 077
{ printf '*:*:*:*:'; sed 's/[\\\\:]/\\\\&/g' "$PASSWORD_FILE"; echo; } >/tmp/pgpass
export PGPASSFILE=/tmp/pgpass
`;

const BACKUP = `#!/bin/sh
# pg_dump of the database in custom format into BACKUP_DIR, verified with pg_restore --list before
# it takes its final name; then only the newest KEEP backups are kept.
. "$(dirname "$0")/common.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$BACKUP_DIR/$PGDATABASE-$stamp.dump"
trap 'rm -f "$file.partial"' EXIT
pg_dump --format=custom --file="$file.partial"
pg_restore --list "$file.partial" >/dev/null
mv "$file.partial" "$file"
trap - EXIT
echo "backup $(basename "$file") $(stat -c %s "$file") bytes verified"
printf '%s\\n' "$BACKUP_DIR"/*.dump | sort -r | tail -n "+$((KEEP + 1))" | while read -r old; do
    rm -f -- "$old"
    echo "removed $(basename "$old") (keeping the newest $KEEP)"
done
`;

const LIST = `#!/bin/sh
# One line per backup, newest first: name, size in bytes, and whether pg_restore can read it.
. "$(dirname "$0")/common.sh"
for path in "$BACKUP_DIR"/*.dump; do
    [ -e "$path" ] && echo "$path"
done | sort -r | while read -r path; do
    if pg_restore --list "$path" >/dev/null 2>&1; then state=verified; else state=unreadable; fi
    echo "backup $(basename "$path") $(stat -c %s "$path") $state"
done
`;

const RESTORE = `#!/bin/sh
# Restores one backup (a file name from the listing) over the database, in one transaction: either
# every object is replaced by the backup's or nothing changes. Refuses a file that does not verify.
. "$(dirname "$0")/common.sh"
name="\${1:?usage: restore.sh <backup file name>}"
case "$name" in */* | .*) echo "refused: \\"$name\\" is not a backup file name" >&2; exit 2 ;; esac
file="$BACKUP_DIR/$name"
[ -f "$file" ] || { echo "refused: no backup named $name" >&2; exit 2; }
pg_restore --list "$file" >/dev/null 2>&1 || { echo "refused: $name does not verify (pg_restore --list failed)" >&2; exit 3; }
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname="$PGDATABASE" "$file"
echo "restored $name"
`;

/** File name → content of the ConfigMap the scripts are mounted from. */
export const BACKUP_SCRIPT_FILES: Record<string, string> = {
    "common.sh": COMMON,
    "backup.sh": BACKUP,
    "list.sh": LIST,
    "restore.sh": RESTORE,
};
