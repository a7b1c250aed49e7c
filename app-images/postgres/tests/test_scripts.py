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
    ]:
        refused = run(scripts, "restore.sh", env, name)
        assert (refused.returncode, message in refused.stderr) == (code, True), refused.stderr


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
