import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.trace import NoOpTracer, TracerProvider
from starlette.routing import BaseRoute, Route

from fastapi_common.app import create_service_app
from fastapi_common.settings import ServiceSettings


class RecordingTracerProvider(TracerProvider):
    """A configured provider (not OpenTelemetry's no-op proxy) that notes who asks it for a tracer."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get_tracer(self, instrumenting_module_name: str, *args: object, **kwargs: object) -> NoOpTracer:
        self.asked.append(instrumenting_module_name)
        return NoOpTracer()


def test_fastapis_own_telemetry_is_off_even_when_a_tracer_provider_is_configured():
    """The platform traces and counts requests itself; FastAPI's instrumentation would only cost
    time on every request. A plain FastAPI app, beside it, does use the provider."""
    provider = RecordingTracerProvider()
    trace.set_tracer_provider(provider)

    plain = FastAPI()

    @plain.get("/x")
    async def x() -> dict[str, str]:
        return {}

    with TestClient(plain) as client:
        assert client.get("/x").status_code == 200
    assert provider.asked, "the control: FastAPI instruments a plain app once a provider is configured"

    provider.asked.clear()
    with TestClient(create_service_app(ServiceSettings(), title="quiet")) as client:
        assert client.get("/livez").status_code == 200
    assert provider.asked == []


def _service_routes() -> list[BaseRoute]:
    api = APIRouter(prefix="/api")

    @api.get("/item")
    async def item() -> dict[str, str]:
        return {"status": "ok"}

    return api.routes


def test_service_routes_are_matched_first_and_flat():
    """A router tries its routes in order and each one a request passes costs time; an included
    router is a nested node that costs more (docs/performance.md). So the service's routes come
    first, as plain routes, then the platform's, then FastAPI's docs."""
    app = create_service_app(ServiceSettings(), title="order", routes=_service_routes())
    paths = [getattr(route, "path", None) for route in app.routes]
    assert paths[:5] == ["/api/item", "/livez", "/startupz", "/readyz", "/metrics"], paths
    assert "/openapi.json" in paths[5:]
    assert all(isinstance(route, Route) for route in app.routes), [type(route).__name__ for route in app.routes]
    with TestClient(app) as client:
        assert client.get("/api/item").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200
        assert client.get("/metrics").status_code == 200


def test_a_service_route_on_a_platform_path_is_refused():
    """Matched first, it would answer the kubelet's probe in the platform's place."""
    shadow = APIRouter()

    @shadow.get("/readyz")
    async def always_ready() -> dict[str, str]:
        return {"status": "ready"}

    with pytest.raises(ValueError, match=r"\['/readyz'\] belong to the platform"):
        create_service_app(ServiceSettings(), title="shadow", routes=[*_service_routes(), *shadow.routes])
