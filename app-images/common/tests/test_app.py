from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.trace import NoOpTracer, TracerProvider

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
