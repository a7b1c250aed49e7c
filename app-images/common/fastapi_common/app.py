"""The application factory every service uses: logging, trace context, metrics, health probes,
API keys, failure injection, and a lifespan that starts and stops cleanly."""
import asyncio
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from . import health, metrics
from .auth import KeyStore
from .health import HealthState, ReadinessCheck
from .logs import configure_logging
from .settings import ServiceSettings
from .tracing import current_trace, start_span

log = logging.getLogger(__name__)

Hook = Callable[[FastAPI], Awaitable[None]]

# How long shutdown hooks (closing pools and clients) may take in all.
SHUTDOWN_HOOK_SECONDS = 5.0


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    startup: Hook | None = None,
    shutdown: Hook | None = None,
    readiness_checks: dict[str, ReadinessCheck] | None = None,
) -> FastAPI:
    """A FastAPI app with the platform's conventions. `startup` runs in the background after the
    server is up, so /livez answers at once and /startupz turns 200 when it is done."""
    configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _mark_unready_on_sigterm(app.state.health)
        task = asyncio.create_task(_start(app, settings, startup))
        log.info("service started", extra={"version": settings.service_version})
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
            log.info("service stopped")

    app = FastAPI(title=title, version=settings.service_version, lifespan=lifespan)
    app.state.settings = settings
    app.state.health = HealthState(checks=dict(readiness_checks or {}), timeout_seconds=settings.readiness_timeout_seconds)
    app.state.key_store = KeyStore(settings.api_keys_dir)
    app.include_router(health.router)
    app.include_router(metrics.router)
    if settings.fault_injection_enabled:
        app.include_router(health.fault_router)
    app.middleware("http")(_observe(settings.service_name))
    return app


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

    def on_sigterm(signum: int, frame: object) -> None:
        state.shutting_down = True
        previous(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)


def _observe(service: str) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        trace = start_span(request.headers.get("traceparent"))
        token = current_trace.set(trace)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        route_path = getattr(route, "path", "unmatched")
        metrics.REQUESTS.labels(service, request.method, route_path, str(response.status_code)).inc()
        metrics.LATENCY.labels(service, request.method, route_path).observe(elapsed)
        response.headers["traceparent"] = trace.traceparent()
        if route_path not in ("/livez", "/readyz", "/startupz", "/metrics"):
            log.info(
                "request",
                extra={"method": request.method, "path": request.url.path, "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)},
            )
        current_trace.reset(token)
        return response

    return middleware
