"""Fixtures that run the real things on loopback: a PostgreSQL server from Debian's packages and
the services as server processes, run as the images run them. Nothing listens beyond 127.0.0.1."""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from loopback import LOOPBACK, PostgresServer, free_port

APP_IMAGES = Path(__file__).parent


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    server = PostgresServer.create(tmp_path_factory.mktemp("secret") / "password")
    yield server
    server.remove()


# --- Services --------------------------------------------------------------------------------


@dataclass
class RunningService:
    name: str
    port: int
    process: subprocess.Popen
    log_file: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, **kwargs)

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log_file.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return lines

    def request_lines(self, *paths: str, timeout: float = 5) -> list[dict]:
        """The request log's lines, once there is one for each of `paths`: a line is written when
        the server's event loop next turns after the response has gone, an instant later."""

        def lines() -> list[dict]:
            return [line for line in self.log_lines() if line.get("message") == "request"]

        wait_until(lambda: set(paths) <= {line.get("path") for line in lines()}, timeout, f"{self.name}'s request lines for {paths}")
        return lines()

    def messages(self) -> list[str]:
        return [line.get("message", "") for line in self.log_lines()]

    def terminate(self, timeout: float = 30) -> None:
        """SIGTERM, then asserts a graceful exit: uvicorn drains, runs the lifespan shutdown, and
        re-raises the signal so the exit status still says SIGTERM."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        assert code in (0, -signal.SIGTERM), f"{self.name} exited with {code}"
        assert "service stopped" in self.messages(), f"{self.name} did not shut down cleanly"


class ServiceLauncher:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.running: list[RunningService] = []

    def start(self, name: str, env: dict[str, str], wait_for: str = "/livez", graceful_seconds: int = 10, port: int | None = None) -> RunningService:
        port = port or free_port()
        log_file = self.tmp / f"{name}-{port}.log"
        full_env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(APP_IMAGES / "common"),
            "SERVICE_NAME": name,
            "LOG_LEVEL": "INFO",
            # The server as the images run it (fastapi_common/server.py), on loopback.
            "UVICORN_HOST": LOOPBACK,
            "UVICORN_PORT": str(port),
            "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": str(graceful_seconds),
            **env,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fastapi_common.server",
                "app.main:app",
            ],
            cwd=APP_IMAGES / name,
            env=full_env,
            stdout=log_file.open("w"),
            stderr=subprocess.STDOUT,
        )
        service = RunningService(name, port, process, log_file, full_env)
        self.running.append(service)

        def up() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{log_file.read_text()}")
            try:
                return httpx.get(f"{service.url}{wait_for}", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 30, f"{name} to answer {wait_for}")
        return service

    def stop_all(self) -> None:
        for service in self.running:
            if service.process.poll() is None:
                service.process.kill()
                service.process.wait(10)


@pytest.fixture
def services(tmp_path):
    launcher = ServiceLauncher(tmp_path)
    yield launcher
    launcher.stop_all()


@dataclass
class ServiceKeys:
    """Key Secrets laid out as the platform mounts them: <callee>-inbound/<caller>/{current,previous}."""

    root: Path

    def issue(self, caller: str, callee: str, previous: str | None = None) -> str:
        key = secrets.token_urlsafe(32)
        directory = self.root / f"{callee}-inbound" / caller
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "current").write_text(key)
        (directory / "previous").write_text(previous or secrets.token_urlsafe(32))
        return key

    def inbound_dir(self, callee: str) -> str:
        return str(self.root / f"{callee}-inbound")

    def outbound_file(self, caller: str, callee: str) -> str:
        return str(self.root / f"{callee}-inbound" / caller / "current")


@pytest.fixture
def keys(tmp_path) -> ServiceKeys:
    return ServiceKeys(tmp_path / "keys")


# --- The three services wired together ------------------------------------------------------


def start_chain(
    services: ServiceLauncher,
    postgres: PostgresServer,
    keys: ServiceKeys,
    *,
    analytics: dict | None = None,
    backend: dict | None = None,
    frontend: dict | None = None,
) -> tuple[RunningService, RunningService, RunningService]:
    """frontend → backend → analytics with keys, as the platform wires them; extra settings per service."""
    keys.issue("backend", "analytics")
    keys.issue("frontend", "backend")
    analytics_service = services.start("analytics", {"API_KEYS_DIR": keys.inbound_dir("analytics"), **(analytics or {})})
    backend_service = services.start(
        "backend",
        {
            **postgres.env(),
            "API_KEYS_DIR": keys.inbound_dir("backend"),
            "ANALYTICS_URL": analytics_service.url,
            "ANALYTICS_API_KEY_FILE": keys.outbound_file("backend", "analytics"),
            # As the platform wires it: the backend advertises and keeps analytics' bound.
            "INSIGHTS_MAX_ROWS": (analytics or {}).get("MAX_ROWS", "1000000"),
            **(backend or {}),
        },
        wait_for="/startupz",
    )
    frontend_service = services.start(
        "frontend",
        {"BACKEND_URL": backend_service.url, "BACKEND_API_KEY_FILE": keys.outbound_file("frontend", "backend"), **(frontend or {})},
    )
    return frontend_service, backend_service, analytics_service


@pytest.fixture
def chain(services, postgres, keys):
    return start_chain(
        services,
        postgres,
        keys,
        analytics={"MAX_ROWS": "2000000", "ROWS_IN_FLIGHT": "8000000"},
        frontend={
            "PAGE_TITLE": "Chain test",
            "GREETING": "Hi there",
            "THEME_COLOR": "#123456",
            "SERVICE_VERSION": "2.5.0",
            "BREAKER_FAILURES": "3",
            "BREAKER_RESET_SECONDS": "2",
            "DOWNSTREAM_TIMEOUT_SECONDS": "1",
        },
    )
