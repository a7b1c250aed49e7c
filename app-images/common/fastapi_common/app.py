"""The application factory every service uses: logging, trace context, metrics, health probes,
API keys, request bounds, validation errors that never echo input, failure injection, and a
lifespan that starts and stops cleanly."""

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from types import FrameType

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.routing import BaseRoute

from . import health, metrics
from .auth import KeyStore
from .errors import install_error_handlers
from .health import HealthState, ReadinessCheck
from .limits import BodySizeLimit
from .logs import configure_logging, flush_request_logs
from .observe import ObserveRequests
from .settings import ServiceSettings

log = logging.getLogger(__name__)

Hook = Callable[[FastAPI], Awaitable[None]]

# FastAPI's own OpenTelemetry instrumentation, off: the platform carries W3C trace context and
# Prometheus metrics itself (observe.py), the images ship no OpenTelemetry SDK to export spans to,
# and with it on every request still pays for its checks (about 10 µs; docs/performance.md).
NATIVE_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}

# How long shutdown hooks (closing pools and clients) may take in all.
SHUTDOWN_HOOK_SECONDS = 5.0


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routes: Sequence[BaseRoute] = (),
    startup: Hook | None = None,
    shutdown: Hook | None = None,
    readiness_checks: dict[str, ReadinessCheck] | None = None,
) -> FastAPI:
    """A FastAPI app with the platform's conventions. `routes` are the service's own (an
    `APIRouter`'s `.routes`); `startup` runs in the background after the server is up, so /livez
    answers at once and /startupz turns 200 when it is done.

    The service's routes are matched first, then the platform's (probes, metrics, failure
    injection), then FastAPI's docs: a router tries its routes in order and every route a request
    passes costs about a microsecond. They are served flat, as declared, not through
    `include_router`, which FastAPI keeps as a nested node that costs each request more still
    (docs/performance.md). So `app.dependency_overrides` does not reach them: a router's own
    `dependency_overrides_provider` does."""
    configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _mark_unready_on_sigterm(app.state.health)
        task = asyncio.create_task(_start(app, settings, startup))
        log.info("service started", extra={"version": settings.service_version, "color": settings.release_color or None})
        try:
            yield
        finally:
            app.state.health.shutting_down = True
            task.cancel()
            if shutdown is not None:
                try:
                    await asyncio.wait_for(shutdown(app), SHUTDOWN_HOOK_SECONDS)
                except Exception:
                    log.exception("shutdown hook failed or timed out")
            flush_request_logs()  # the last requests' lines, before the loop stops
            log.info("service stopped")

    platform = [*health.router.routes, *metrics.router.routes, *(health.fault_router.routes if settings.fault_injection_enabled else ())]
    _refuse_platform_paths(routes, platform)
    app = FastAPI(title=title, version=settings.service_version, lifespan=lifespan, telemetry=NATIVE_TELEMETRY_OFF, routes=[*routes, *platform])
    app.state.settings = settings
    app.state.health = HealthState(checks=dict(readiness_checks or {}), timeout_seconds=settings.readiness_timeout_seconds)
    app.state.key_store = KeyStore(settings.api_keys_dir)
    if settings.fault_injection_enabled:
        app.state.fault_key_store = KeyStore(settings.fault_keys_dir)
    install_error_handlers(app)
    # Added last, so outermost: an oversized body is refused before anything reads it.
    app.add_middleware(ObserveRequests, service=settings.service_name)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


def _refuse_platform_paths(routes: Sequence[BaseRoute], platform: Sequence[BaseRoute]) -> None:
    """A service route on a platform path would be matched first and answer in its place (a probe
    that no longer tells the kubelet the truth): refused when the app is made."""
    taken = {path for route in platform if isinstance(path := getattr(route, "path", None), str)}
    clashes = sorted({path for route in routes if (path := getattr(route, "path", None)) in taken})
    if clashes:
        raise ValueError(f"route paths {clashes} belong to the platform (probes, metrics, failure injection); serve the service's routes elsewhere")


async def _start(app: FastAPI, settings: ServiceSettings, startup: Hook | None) -> None:
    try:
        if settings.startup_delay_seconds:
            log.info("startup delay injected", extra={"seconds": settings.startup_delay_seconds})
            await asyncio.sleep(settings.startup_delay_seconds)
        if startup is not None:
            await startup(app)
        app.state.health.started = True
        log.info("startup complete")
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("startup failed; /startupz stays 503 so Kubernetes restarts the pod")


def _mark_unready_on_sigterm(state: HealthState) -> None:
    """Turns /readyz to 503 the moment SIGTERM arrives, before uvicorn starts draining."""
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous):
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        state.shutting_down = True
        previous(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
