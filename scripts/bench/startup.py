"""Start → ready: from launching uvicorn to the first 200 from /startupz, for each service as its
image runs it, beside a bare FastAPI app (the interpreter's and the framework's own start-up)."""

import tempfile
import time
from pathlib import Path

from loopback import PostgresServer

from .measure import APP_IMAGES, Figures, interleaved, uvicorn

BARE = Path(__file__).parent / "apps"


def ready_seconds(app: str, env: dict[str, str], cwd: Path, ready_path: str) -> dict[str, float]:
    with uvicorn(app, env, cwd, ready_path=ready_path) as server:
        return {"start_to_ready_seconds": time.monotonic() - server.started}


def run(rounds: int) -> dict[str, dict[str, Figures]]:
    common = str(APP_IMAGES / "common")
    with tempfile.TemporaryDirectory() as secrets_dir:
        database = PostgresServer.create(Path(secrets_dir) / "password")
        try:
            service_env = {
                "frontend": {},
                "backend": database.env(),
                "analytics": {},
            }

            def service_ready(service: str, env: dict[str, str]) -> dict[str, float]:
                return ready_seconds("app.main:app", {"PYTHONPATH": common, **env}, APP_IMAGES / service, "/startupz")

            variants = {
                "bare FastAPI": lambda: ready_seconds("bare:app", {"PYTHONPATH": common}, BARE, "/api/item"),
                **{service: (lambda service=service: service_ready(service, service_env[service])) for service in service_env},
            }
            return interleaved(rounds, variants)
        finally:
            database.remove()
