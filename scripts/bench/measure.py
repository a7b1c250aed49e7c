"""What every pair shares: starting a server on loopback, waiting for it, A/B rounds, and figures."""

import http.client
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from loopback import LOOPBACK, free_port

REPO = Path(__file__).resolve().parents[2]
APP_IMAGES = REPO / "app-images"
# One core serves, the other loads: the two would otherwise fight over both and the ratio would
# measure the scheduler. On a machine with one core both share it.
SERVER_CPU = "0"
CLIENT_CPU = "1" if (os.cpu_count() or 1) > 1 else "0"


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The status of a GET, or None when nothing answers (stdlib only: no client library's start-up in the figure)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    started: float


@contextmanager
def uvicorn(app: str, env: dict[str, str], cwd: Path, ready_path: str = "/livez", timeout: float = 60, limits: bool = True) -> Iterator[Server]:
    """Runs `app` (module:attribute) with uvicorn on the server CPU until the block ends; yields
    once `ready_path` answers 200. As the images run it (fastapi_common.server: one worker, no
    access log, the request limits), or with `limits=False` as plain uvicorn with its defaults."""
    port = free_port()
    plain = ["-m", "uvicorn", app, "--host", LOOPBACK, "--port", str(port), "--no-access-log", "--log-level", "warning"]
    command = [sys.executable, *(["-m", "fastapi_common.server", app] if limits else plain)]
    server_env = {"UVICORN_HOST": LOOPBACK, "UVICORN_PORT": str(port), "UVICORN_LOG_LEVEL": "warning"}
    started = time.monotonic()
    process = subprocess.Popen(["taskset", "-c", SERVER_CPU, *command], cwd=cwd, env={**os.environ, **server_env, **env}, stdout=subprocess.DEVNULL)
    server = Server(f"http://{LOOPBACK}:{port}", process, started)
    try:
        deadline = started + timeout
        while http_status(server.url + ready_path) != 200:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with {process.returncode} before {ready_path} answered")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app}: {ready_path} did not answer 200 within {timeout} s")
            time.sleep(0.01)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Figures:
    """One variant's samples of one figure."""

    samples: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {"min": min(self.samples), "median": statistics.median(self.samples), "max": max(self.samples), "n": len(self.samples)}


def interleaved(rounds: int, variants: dict[str, Callable[[], dict[str, float]]]) -> dict[str, dict[str, Figures]]:
    """Runs every variant once per round, alternating which goes first, and collects each figure
    they return: drifts in the machine's load hit both sides alike."""
    figures: dict[str, dict[str, Figures]] = {name: {} for name in variants}
    names = list(variants)
    for round_index in range(rounds):
        for name in names if round_index % 2 == 0 else reversed(names):
            for figure, value in variants[name]().items():
                figures[name].setdefault(figure, Figures()).samples.append(value)
    return figures
