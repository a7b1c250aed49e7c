"""Real things on loopback, for the services' tests (app-images/conftest.py) and the benchmarks
(scripts/bench): free ports on 127.0.0.1 and a throwaway PostgreSQL server from Debian's packages,
listening on 127.0.0.1 only and authenticating every connection with a password."""

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def pg_bin_dir() -> str:
    """The directory of the server's own client tools (psql, pg_dump, pg_restore) of the same version."""
    return str(Path(_pg_bin("psql")).parent)


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found; scripts/test.sh installs them (apt: postgresql)")
    return str(found[-1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    password: str
    password_file: Path
    user: str = "app"
    database: str = "app"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @classmethod
    def create(cls, password_file: Path) -> "PostgresServer":
        """initdb, start and create the `app` database; the password is written to `password_file`."""
        root = Path(tempfile.mkdtemp(prefix="pg-"))
        server = cls(root, free_port(), secrets.token_urlsafe(24), password_file)
        server.data_dir.mkdir()
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: its files belong to postgres
            shutil.chown(root, "postgres")
            shutil.chown(server.data_dir, "postgres")
        superuser_file = root / "superuser-password"
        superuser_file.write_text(server.password)
        os.chmod(superuser_file, 0o644)
        password_file.write_text(server.password)
        server._run(_pg_bin("initdb"), "-D", str(server.data_dir), "-U", server.user, "--auth=scram-sha-256", f"--pwfile={superuser_file}", "-E", "UTF8")
        server.start()
        server._run(_pg_bin("createdb"), "-h", LOOPBACK, "-p", str(server.port), "-U", server.user, server.database)
        return server

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # createdb and psql authenticate with the password; the server trusts nothing else.
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PGPASSWORD": self.password})

    def sql(self, query: str) -> str:
        """Runs `query` with psql as the owner role; returns its unaligned output."""
        command = [_pg_bin("psql"), "-h", LOOPBACK, "-p", str(self.port), "-U", self.user, "-d", self.database, "-AtX", "-v", "ON_ERROR_STOP=1", "-f", "-"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        env = {**os.environ, "PGPASSWORD": self.password}
        return subprocess.run(command, check=True, capture_output=True, text=True, input=query, env=env).stdout

    def trust_socket(self) -> None:
        """Lets sessions over the server's own socket in without a password, as the official image
        and ours do (the password sync relies on it); TCP still needs the password."""
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text("local all all trust\n" + hba.read_text())
        self._run(_pg_bin("pg_ctl"), "reload", "-D", str(self.data_dir))

    def rotate_password(self, new: str) -> None:
        """Sets a new password in the server (from stdin, never a command line), then in the file."""
        self.sql(f"ALTER ROLE {self.user} PASSWORD '{new}'")
        self.password = new
        self.password_file.write_text(new)

    def start(self) -> None:
        options = f"-c listen_addresses={LOOPBACK} -p {self.port} -k {self.data_dir}"
        self._run(_pg_bin("pg_ctl"), "start", "-w", "-D", str(self.data_dir), "-l", str(self.data_dir / "server.log"), "-o", options)

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data_dir))

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def env(self) -> dict[str, str]:
        """The settings the backend reads to reach this server."""
        return {
            "DATABASE_HOST": LOOPBACK,
            "DATABASE_PORT": str(self.port),
            "DATABASE_NAME": self.database,
            "DATABASE_USER": self.user,
            "DATABASE_PASSWORD_FILE": str(self.password_file),
        }
