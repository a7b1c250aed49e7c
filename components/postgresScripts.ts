/**
 * The shell scripts PostgresDatabase's helpers run: the password sync beside the server, and the
 * backup pod's scripts (mounted from a ConfigMap at BACKUP_SCRIPTS). They need only what the
 * server's image has (sh, coreutils, psql, pg_dump, pg_restore), so they run from the same image,
 * and therefore the same client version, as the server. The `npm run db` commands start
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
/** Writes a private pgpass file ($PGPASSFILE) from $PASSWORD_FILE, escaping what pgpass treats specially. */
const PGPASS = `umask 077
{ printf '*:*:*:*:'; sed 's/[\\\\:]/\\\\&/g' "$PASSWORD_FILE"; echo; } >"$PGPASSFILE"`;

const COMMON = `# Sourced by the other scripts: a private pgpass file from the mounted password, and the check
# every backup must pass before it is listed as verified or restored.
set -eu
PGPASSFILE="\${TMPDIR:-/tmp}/pgpass"
export PGPASSFILE
${PGPASS}

# Prints why FILE cannot be restored and fails, or succeeds silently. The whole archive is read:
# its checksum (written when it was taken) must match, and pg_restore must decompress and read
# every data block (a table of contents alone lists fine for a dump cut short or corrupted).
verify_backup() {
    if [ -f "$1.sha256" ] && [ "$(sha256sum <"$1" | cut -d' ' -f1)" != "$(cat "$1.sha256")" ]; then
        echo "its SHA-256 differs from the one recorded when it was taken"
        return 1
    fi
    if ! err=$(pg_restore --file=/dev/null "$1" 2>&1); then
        echo "pg_restore cannot read it whole: $(printf '%s' "$err" | head -n 1)"
        return 1
    fi
}

# The database an archive was dumped from, as its header records it.
archive_database() {
    pg_restore --list "$1" | sed -n 's/^;[[:space:]]*dbname: //p' | head -n 1
}
`;

const BACKUP = `#!/bin/sh
# pg_dump of the database in custom format into BACKUP_DIR, read whole (verify_backup) before it
# takes its final name, with its SHA-256 beside it; then only the newest KEEP backups are kept.
. "$(dirname "$0")/common.sh"
file="$BACKUP_DIR/$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ).dump"
while [ -e "$file" ]; do # a name is never reused: one backup per second at most
    sleep 1
    file="$BACKUP_DIR/$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ).dump"
done
trap 'rm -f "$file.partial" "$file.sha256"' EXIT
pg_dump --format=custom --file="$file.partial"
if ! problem=$(verify_backup "$file.partial"); then
    echo "the dump just taken does not verify: $problem" >&2
    exit 1
fi
sha256sum <"$file.partial" | cut -d' ' -f1 >"$file.sha256"
mv "$file.partial" "$file"
trap - EXIT
echo "backup $(basename "$file") $(stat -c %s "$file") bytes verified"
printf '%s\\n' "$BACKUP_DIR"/*.dump | sort -r | tail -n "+$((KEEP + 1))" | while read -r old; do
    rm -f -- "$old" "$old.sha256"
    echo "removed $(basename "$old") (keeping the newest $KEEP)"
done
for sum in "$BACKUP_DIR"/*.dump.sha256; do # a checksum whose dump is gone
    [ -e "$sum" ] && [ ! -e "\${sum%.sha256}" ] && rm -f -- "$sum"
done
exit 0
`;

const LIST = `#!/bin/sh
# One line per backup, newest first: name, size in bytes, and "verified" when it is readable whole,
# or "unreadable" and why.
. "$(dirname "$0")/common.sh"
for path in "$BACKUP_DIR"/*.dump; do
    [ -e "$path" ] && echo "$path"
done | sort -r | while read -r path; do
    if problem=$(verify_backup "$path"); then state=verified; else state="unreadable $problem"; fi
    echo "backup $(basename "$path") $(stat -c %s "$path") $state"
done
`;

const RESTORE = `#!/bin/sh
# Restores one backup (a file name from the listing) over the database, in one transaction: either
# the database becomes exactly the backup (every schema dropped, the backup's created) or nothing
# changes. Refuses, before touching the database, a file that does not verify or that was dumped
# from another database. With --check it only runs those checks.
. "$(dirname "$0")/common.sh"
name="\${1:?usage: restore.sh <backup file name> [--check]}"
case "$name" in */* | .* | *[!A-Za-z0-9._-]*) echo "refused: \\"$name\\" is not a backup file name" >&2; exit 2 ;; esac
file="$BACKUP_DIR/$name"
[ -f "$file" ] || { echo "refused: no backup named $name" >&2; exit 2; }
if ! problem=$(verify_backup "$file"); then
    echo "refused: $name does not verify: $problem" >&2
    exit 3
fi
source_db=$(archive_database "$file")
if [ "$source_db" != "$PGDATABASE" ]; then
    echo "refused: $name is a dump of database \\"$source_db\\", not of this database \\"$PGDATABASE\\"" >&2
    exit 4
fi
[ "\${2:-}" = "--check" ] && { echo "restorable $name"; exit 0; }
{
    echo "\\\\set ON_ERROR_STOP on"
    echo "BEGIN;"
    echo "SET client_min_messages = warning;"
    # Objects the backup lacks would survive a --clean restore beside the backup's: drop them all.
    psql -X -At -v ON_ERROR_STOP=1 -c "SELECT format('DROP SCHEMA %I CASCADE;', nspname) FROM pg_namespace WHERE nspname NOT LIKE 'pg\\\\_%' AND nspname <> 'information_schema'"
    echo "CREATE SCHEMA public AUTHORIZATION pg_database_owner;"
    echo "GRANT USAGE ON SCHEMA public TO PUBLIC;"
    pg_restore --no-owner --file=- "$file"
    echo "COMMIT;"
} | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
echo "restored $name"
`;

/** File name → content of the ConfigMap the scripts are mounted from. */
export const BACKUP_SCRIPT_FILES: Record<string, string> = {
    "common.sh": COMMON,
    "backup.sh": BACKUP,
    "list.sh": LIST,
    "restore.sh": RESTORE,
};

/**
 * Beside the server: keeps the owner role's password equal to the mounted Secret's. It sets it once
 * the server accepts sessions and again whenever the file changes (a rotation reaches the file
 * without a restart), over the pod's own socket. The SQL goes to psql on stdin, so the password is
 * never on a command line, and statement logging is off for that session. Every pass touches
 * HEARTBEAT_FILE, so a loop stuck (say, on a hung psql) fails its liveness probe and is restarted.
 */
export const PASSWORD_SYNC_SCRIPT = `#!/bin/sh
set -eu
# PID 1 of its container: without a handler the kernel drops SIGTERM, and every stop of the pod
# would wait out its whole grace period (120 s) for the SIGKILL. It sleeps in the background so
# the handler runs at once, not after the sleep.
trap 'exit 0' TERM INT
socket="\${SOCKET_DIR:-/var/run/postgresql}"
applied=""
while true; do
    current=$(cksum <"$PASSWORD_FILE")
    if [ "$current" != "$applied" ] && pg_isready -q -h "$socket" -U "$POSTGRES_USER" -d "$POSTGRES_DB"; then
        if {
            printf "SET log_statement = 'none';\\nALTER ROLE \\"%s\\" PASSWORD '" "$POSTGRES_USER"
            sed "s/'/''/g" "$PASSWORD_FILE" | tr -d '\\n'
            printf "';\\n"
        } | psql -X -q -v ON_ERROR_STOP=1 -h "$socket" -U "$POSTGRES_USER" -d "$POSTGRES_DB" >/dev/null; then
            applied="$current"
            echo "password of role $POSTGRES_USER set from the mounted Secret"
        fi
    fi
    touch "$HEARTBEAT_FILE"
    sleep 5 &
    wait $!
done
`;

/** The file the password sync touches on every pass; its liveness probe wants it fresh. */
export const PASSWORD_SYNC_HEARTBEAT = "/tmp/password-sync.alive";

/**
 * Run in the password sync's container (kubectl exec) after a rotation: prints the SHA-256 of the
 * mounted password (to compare with the Secret's, never the password itself), then "login-ok" if a
 * session over TCP with that password is accepted, i.e. the database has taken it.
 */
export const PASSWORD_CHECK_SCRIPT = `set -eu
PGPASSFILE="\${TMPDIR:-/tmp}/pgpass-check"
export PGPASSFILE
${PGPASS}
sha256sum <"$PASSWORD_FILE" | cut -d' ' -f1
if psql -X -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Atc 'SELECT 1' >/dev/null 2>&1; then echo login-ok; fi
`;
