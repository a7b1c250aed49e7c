"""Startup, liveness and readiness, kept apart as Kubernetes uses them.

- /livez: the process answers; never touches a dependency (a database outage must not restart pods).
- /readyz: dependencies answer within a short timeout; 503 from the moment shutdown starts.
- /startupz: 200 once start-up work (schema, warm-up) is done.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, HTTPException, Request, Response, status

from .auth import key_protected
from .responses import refusals

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass
class HealthState:
    started: bool = False
    shutting_down: bool = False
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    timeout_seconds: float = 1.0
    # Failure injection (only reachable when enabled in settings).
    fail_liveness: bool = False
    fail_readiness: bool = False

    async def failed_checks(self) -> list[str]:
        """Names of the readiness checks that fail or exceed the timeout, run concurrently."""

        async def run(name: str, check: ReadinessCheck) -> str | None:
            try:
                await asyncio.wait_for(check(), self.timeout_seconds)
                return None
            except Exception as error:  # any failure means not ready
                log.warning("readiness check failed", extra={"check": name, "error": repr(error)})
                return name

        results = await asyncio.gather(*(run(n, c) for n, c in self.checks.items()))
        return [r for r in results if r is not None]


router = APIRouter(tags=["health"])


def _state(request: Request) -> HealthState:
    state: HealthState = request.app.state.health
    return state


@router.get("/livez")
async def livez(request: Request) -> dict[str, str]:
    if _state(request).fail_liveness:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, detail="liveness failure injected")
    return {"status": "alive"}


@router.get("/startupz", responses={503: {"description": "Start-up work (schema, warm-up) is not done yet."}})
async def startupz(request: Request, response: Response) -> dict[str, str]:
    if not _state(request).started:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "starting"}
    return {"status": "started"}


@router.get("/readyz", responses={503: {"description": "Starting, shutting down, or a dependency check failed (named in `failed`)."}})
async def readyz(request: Request, response: Response) -> dict[str, object]:
    state = _state(request)
    if state.shutting_down:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "shutting down"}
    if not state.started:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "starting"}
    if state.fail_readiness:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "readiness failure injected"}
    failed = await state.failed_checks()
    if failed:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "not ready", "failed": failed}
    return {"status": "ready"}


# Failure injection can take a pod out of service: only an operator holding the key may.
fault_router = APIRouter(prefix="/fault", tags=["failure injection"], route_class=key_protected("fault_key_store"), responses=refusals(401))


@fault_router.post("/liveness")
async def break_liveness(request: Request) -> dict[str, str]:
    _state(request).fail_liveness = True
    return {"liveness": "failing"}


@fault_router.post("/readiness")
async def break_readiness(request: Request) -> dict[str, str]:
    _state(request).fail_readiness = True
    return {"readiness": "failing"}


@fault_router.post("/reset")
async def reset_faults(request: Request) -> dict[str, str]:
    state = _state(request)
    state.fail_liveness = state.fail_readiness = False
    return {"faults": "cleared"}
