"""The shell scripts PostgresDatabase runs in the server's image (components/postgresScripts.ts: the
backups' backup/list/restore, the password sync and its check), run here with Debian's PostgreSQL
on loopback: the same client tools the image has, a real server, real files."""

import hashlib
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import wait_until
from loopback import LOOPBACK, PostgresServer, pg_bin_dir

REPO = Path(__file__).resolve().parents[3]
# The image runs the client tools of the server's version; so do these tests.
TOOLS_ENV = {**os.environ, "PATH": f"{pg_bin_dir()}:{os.environ['PATH']}"}


@pytest.fixture(scope="module")
def scripts(tmp_path_factory) -> Path:
    """The scripts as the pods get them, written out by scripts/render/postgresScripts.ts."""
    out = tmp_path_factory.mktemp("scripts")
    render = REPO / "scripts" / "render" / "postgresScripts.ts"
    subprocess.run(["node", "--require", "sucrase/register/ts", str(render), str(out)], check=True, cwd=REPO, capture_output=True)
    return out


@pytest.fixture
def server(tmp_path):
    db = PostgresServer.create(tmp_path / "password")
    yield db
    db.remove()


def run(scripts: Path, name: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(scripts / name), *args], env=env, capture_output=True, text=True, timeout=120)


def backup_env(server: PostgresServer, tmp_path: Path, keep: int) -> dict:
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    return {
        **TOOLS_ENV,
        "PGHOST": LOOPBACK,
        "PGPORT": str(server.port),
        "PGUSER": server.user,
        "PGDATABASE": server.database,
        "PASSWORD_FILE": str(server.password_file),
        "BACKUP_DIR": str(backups),
        "KEEP": str(keep),
        "TMPDIR": str(tmp_path),
    }


def listing(scripts: Path, env: dict) -> list[tuple[str, str]]:
    result = run(scripts, "list.sh", env)
    assert result.returncode == 0, result.stderr
    return [(line.split()[1], line.split()[3]) for line in result.stdout.splitlines()]


def test_backups_verify_rotate_and_restore_a_dropped_table_row_for_row(scripts, server, tmp_path):
    env = backup_env(server, tmp_path, keep=2)
    server.sql("CREATE TABLE notes (id serial PRIMARY KEY, title text); INSERT INTO notes (title) SELECT 'note ' || g FROM generate_series(1, 2000) g")
    rows = server.sql("SELECT id, title FROM notes ORDER BY id")
    names = []
    for _ in range(3):
        taken = run(scripts, "backup.sh", env)
        assert taken.returncode == 0, taken.stderr
        names.append(taken.stdout.split()[1])
    assert len(set(names)) == 3, f"every backup gets a name of its own: {names}"
    assert "removed" in taken.stdout
    assert listing(scripts, env) == [(names[2], "verified"), (names[1], "verified")], "newest first, only the newest two kept"
    assert not list((tmp_path / "backups").glob("*.partial"))
    assert server.password not in taken.stdout + taken.stderr

    server.sql("DROP TABLE notes")
    restored = run(scripts, "restore.sh", env, names[2])
    assert restored.returncode == 0, restored.stderr
    assert server.sql("SELECT id, title FROM notes ORDER BY id") == rows


def test_restore_refuses_what_is_not_a_verified_backup(scripts, server, tmp_path):
    env = backup_env(server, tmp_path, keep=3)
    (tmp_path / "backups" / "app-20000101T000000Z.dump").write_bytes(b"not a dump")
    assert listing(scripts, env) == [("app-20000101T000000Z.dump", "unreadable")]
    for name, code, message in [
        ("app-20000101T000000Z.dump", 3, "does not verify"),
        ("app-missing.dump", 2, "no backup named"),
        ("../password", 2, "is not a backup file name"),
        ("app;reboot.dump", 2, "is not a backup file name"),
    ]:
        refused = run(scripts, "restore.sh", env, name)
        assert (refused.returncode, message in refused.stderr) == (code, True), refused.stderr


def damaged_copies(dump: Path) -> dict[str, bytes]:
    """The dump cut to half, cut 100 bytes short, cut to its first 3 KB, and with four bytes flipped
    in the middle: each lists its table of contents as well as the whole dump does."""
    whole = dump.read_bytes()
    middle = len(whole) // 2
    flipped = whole[:middle] + bytes(b ^ 0xFF for b in whole[middle : middle + 4]) + whole[middle + 4 :]
    return {"half": whole[:middle], "short-100": whole[:-100], "first-3k": whole[:3072], "flipped": flipped}


def notes_table(server: PostgresServer, rows: int) -> str:
    """A notes table of `rows` rows with bodies that do not compress away; returns its content."""
    server.sql(
        "CREATE TABLE notes (id serial PRIMARY KEY, title text, body text); "
        f"INSERT INTO notes (title, body) SELECT 'note ' || g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, {rows}) g"
    )
    return server.sql("SELECT id, title, body FROM notes ORDER BY id")


def test_a_backup_cut_short_or_corrupted_is_unreadable_and_never_restored(scripts, server, tmp_path):
    """Each damaged copy of a good backup is listed unreadable, with why, and its restore is refused
    before the database is touched: the table dropped beforehand stays dropped, nothing half-restored."""
    env = backup_env(server, tmp_path, keep=10)
    rows = notes_table(server, 20000)
    taken = run(scripts, "backup.sh", env)
    assert taken.returncode == 0, taken.stderr
    good = tmp_path / "backups" / taken.stdout.split()[1]
    assert (good.parent / f"{good.name}.sha256").read_text().strip() == hashlib.sha256(good.read_bytes()).hexdigest()
    for label, content in damaged_copies(good).items():
        damaged = good.parent / f"app-damaged-{label}.dump"
        damaged.write_bytes(content)
        toc = subprocess.run(["pg_restore", "--list", str(damaged)], env=TOOLS_ENV, capture_output=True)
        assert toc.returncode == 0, f"{label}: a table-of-contents check would call it good"
    # A copy whose checksum was kept beside it, but whose bytes changed later.
    (good.parent / "app-damaged-after.dump").write_bytes(damaged_copies(good)["flipped"])
    (good.parent / "app-damaged-after.dump.sha256").write_text((good.parent / f"{good.name}.sha256").read_text())

    states = dict(listing(scripts, env))
    assert states.pop(good.name) == "verified"
    assert set(states.values()) == {"unreadable"}, states
    reasons = {line.split()[1]: " ".join(line.split()[4:]) for line in run(scripts, "list.sh", env).stdout.splitlines()}
    assert "cannot read it whole" in reasons["app-damaged-half.dump"], reasons
    assert "SHA-256 differs" in reasons["app-damaged-after.dump"], reasons

    server.sql("DROP TABLE notes")
    for name in states:
        refused = run(scripts, "restore.sh", env, name)
        assert (refused.returncode, "does not verify" in refused.stderr) == (3, True), (name, refused.stderr)
        assert server.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'notes'").strip() == "0", f"{name} touched the database"
    restored = run(scripts, "restore.sh", env, good.name)
    assert restored.returncode == 0, restored.stderr
    assert server.sql("SELECT id, title, body FROM notes ORDER BY id") == rows


def test_a_dump_of_another_database_is_refused_naming_both(scripts, server, tmp_path):
    env = backup_env(server, tmp_path, keep=3)
    server.sql("CREATE DATABASE shop")
    other = {**env, "PGDATABASE": "shop"}
    taken = run(scripts, "backup.sh", other)
    assert taken.returncode == 0, taken.stderr
    refused = run(scripts, "restore.sh", env, taken.stdout.split()[1])
    assert refused.returncode == 4, refused.stderr
    assert 'is a dump of database "shop", not of this database "app"' in refused.stderr


def test_a_restore_makes_the_database_exactly_the_backup(scripts, server, tmp_path):
    """Objects created after the backup (a table, a schema, a view) do not survive beside the
    backup's: the database is the backup's, and the check mode changes nothing."""
    env = backup_env(server, tmp_path, keep=3)
    rows = notes_table(server, 500)
    name = run(scripts, "backup.sh", env).stdout.split()[1]
    server.sql(
        "CREATE TABLE later (x int); CREATE SCHEMA extra; CREATE TABLE extra.more (y int); "
        "CREATE VIEW recent AS SELECT * FROM notes; DELETE FROM notes WHERE id > 10"
    )
    checked = run(scripts, "restore.sh", env, name, "--check")
    assert (checked.returncode, checked.stdout.strip()) == (0, f"restorable {name}"), checked.stderr
    assert server.sql("SELECT count(*) FROM notes").strip() == "10", "--check restores nothing"
    restored = run(scripts, "restore.sh", env, name)
    assert restored.returncode == 0, restored.stderr
    assert server.sql("SELECT id, title, body FROM notes ORDER BY id") == rows
    user_schemas = "NOT IN ('pg_catalog', 'information_schema')"
    relations = server.sql(
        f"SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname {user_schemas} "
        f"UNION ALL SELECT schemaname || '.' || viewname FROM pg_views WHERE schemaname {user_schemas}"
    )
    assert relations.split() == ["public.notes"]
    assert server.sql("SELECT nspname FROM pg_namespace WHERE nspname = 'extra'").strip() == ""


def test_a_failed_restore_changes_nothing(scripts, server, tmp_path):
    """A backup that verifies but whose SQL fails part-way (a grant to a role dropped since) leaves the
    database as it was: the drops and the tables already created are undone with the rest."""
    env = backup_env(server, tmp_path, keep=3)
    notes_table(server, 100)
    server.sql("CREATE ROLE reader; GRANT SELECT ON notes TO reader")
    name = run(scripts, "backup.sh", env).stdout.split()[1]
    server.sql("DELETE FROM notes WHERE id > 5; CREATE TABLE later (x int); REVOKE SELECT ON notes FROM reader; DROP ROLE reader")
    failed = run(scripts, "restore.sh", env, name)
    assert failed.returncode != 0 and 'role "reader" does not exist' in failed.stderr, failed.stderr
    assert server.sql("SELECT count(*) FROM notes").strip() == "5", "the restored rows were rolled back"
    assert server.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'later'").strip() == "1", "the drops were rolled back"


def test_the_password_sync_sets_a_rotated_password_and_the_check_sees_it(scripts, server, tmp_path):
    server.trust_socket()
    mounted = tmp_path / "mounted-password"
    mounted.write_text(server.password)
    heartbeat = tmp_path / "alive"
    env = {
        **TOOLS_ENV,
        "PGPORT": str(server.port),
        "SOCKET_DIR": str(server.data_dir),
        "POSTGRES_USER": server.user,
        "POSTGRES_DB": server.database,
        "PASSWORD_FILE": str(mounted),
        "HEARTBEAT_FILE": str(heartbeat),
        "TMPDIR": str(tmp_path),
    }
    sync = subprocess.Popen(["sh", str(scripts / "password-sync.sh")], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(heartbeat.exists, 20, "the sync's first pass")
        old, new = server.password, secrets.token_urlsafe(24)
        mounted.write_text(new)  # what the kubelet does when the Secret changes
        started = time.monotonic()
        wait_until(lambda: accepts(server, new), 30, "the database to take the new password")
        window = time.monotonic() - started
        assert not accepts(server, old), "the old password stops working"
        check = subprocess.run(["sh", "-c", read_check_script(scripts)], env={**env, "PGHOST": LOOPBACK}, capture_output=True, text=True)
        digest, login = check.stdout.split()
        assert (digest, login) == (hashlib.sha256(new.encode()).hexdigest(), "login-ok"), check.stderr
        assert window < 10, f"applied within two passes of the loop ({window:.1f} s)"
    finally:
        sync.terminate()
        output = sync.communicate(timeout=10)[0]
    assert "set from the mounted Secret" in output
    assert old not in output and new not in output


def read_check_script(scripts: Path) -> str:
    return (scripts / "password-check.sh").read_text()


def accepts(server: PostgresServer, password: str) -> bool:
    """Whether a TCP session with `password` is accepted."""
    command = ["psql", "-X", "-h", LOOPBACK, "-p", str(server.port), "-U", server.user, "-d", server.database, "-Atc", "SELECT 1"]
    return subprocess.run(command, env={**TOOLS_ENV, "PGPASSWORD": password}, capture_output=True).returncode == 0


def test_the_password_sync_stops_at_once_on_sigterm_as_a_containers_first_process(scripts, tmp_path):
    """In its container the sync is PID 1, which the kernel sends SIGTERM only if it handles it:
    run it as PID 1 of a new PID namespace (as a container would) and stop it the way the kubelet does."""
    mounted = tmp_path / "mounted-password"
    mounted.write_text("unused")
    heartbeat = tmp_path / "alive"
    env = {
        **TOOLS_ENV,
        "SOCKET_DIR": str(tmp_path),  # no server: each pass finds none, touches the heartbeat and sleeps
        "POSTGRES_USER": "app",
        "POSTGRES_DB": "app",
        "PASSWORD_FILE": str(mounted),
        "HEARTBEAT_FILE": str(heartbeat),
    }
    command = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "sh", str(scripts / "password-sync.sh")]
    namespace = subprocess.Popen(command, env=env)
    try:
        wait_until(heartbeat.exists, 20, "the sync's first pass")
        sync = namespace_init(namespace.pid)
        assert sync, "the sync runs as PID 1 of its PID namespace"
        started = time.monotonic()
        os.kill(sync, signal.SIGTERM)
        namespace.wait(timeout=10)
        stopped = time.monotonic() - started
    finally:
        namespace.kill()  # and, by --kill-child, the sync if it is still there
        namespace.wait()
    assert namespace.returncode == 0, f"exit status {namespace.returncode}"
    assert stopped < 2, f"stopped {stopped:.1f} s after SIGTERM (a sleep of 5 s must not delay it)"


def namespace_init(unshare_pid: int) -> int | None:
    """The pid (here) of the process unshare started, if it is PID 1 of its PID namespace."""
    for child in Path(f"/proc/{unshare_pid}/task/{unshare_pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        nspids = next(line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:"))
        if nspids[-1] == "1":
            return int(child)
    return None
