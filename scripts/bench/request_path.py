"""The request path: the same route bare and behind the full middleware stack, under the same
bounded load (wrk, one thread, 32 connections, a few seconds), A/B-interleaved. Requests carry a
valid key and a trace context, as calls between the platform's services do. The full stack runs
twice: at LOG_LEVEL=WARNING, where its request log is off and must cost nothing (the goal), and
at INFO, where every request writes one JSON line (reported beside it)."""

import re
import secrets
import subprocess
import tempfile
from pathlib import Path

from .measure import APP_IMAGES, CLIENT_CPU, Figures, interleaved, uvicorn

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
APPS = Path(__file__).parent / "apps"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, seconds: float, key: str) -> dict[str, float]:
    """Requests per second and p99 latency (ms) of one bounded wrk run; fails on any error answer."""
    command = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", "-c32", f"-d{seconds}s", "--latency",
               "-H", f"X-API-Key: {key}", "-H", f"traceparent: {TRACEPARENT}", url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests against {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE).groups()  # type: ignore[union-attr]
    return {"requests_per_second": rate, "p99_ms": float(value) * UNITS[unit]}


def run(rounds: int, seconds: float) -> dict[str, dict[str, Figures]]:
    with tempfile.TemporaryDirectory() as keys_dir:
        key = secrets.token_urlsafe(36)
        caller = Path(keys_dir) / "bench"
        caller.mkdir()
        (caller / "current").write_text(key)
        env = {"PYTHONPATH": f"{APP_IMAGES / 'common'}:{APPS}", "API_KEYS_DIR": keys_dir, "SERVICE_NAME": "bench", "LOG_LEVEL": "WARNING"}
        with (
            uvicorn("bare:app", env, APPS, ready_path="/api/item", limits=False) as bare,
            uvicorn("full:app", env, APPS) as full,
            uvicorn("full:app", {**env, "LOG_LEVEL": "INFO"}, APPS) as logging_full,
        ):
            servers = {"bare route": bare, "full stack": full, "full stack, request logs on": logging_full}
            for server in servers.values():  # warm up: the first requests pay for imports and caches
                wrk(server.url + "/api/item", 1, key)
            return interleaved(rounds, {name: (lambda server=server: wrk(server.url + "/api/item", seconds, key)) for name, server in servers.items()})
