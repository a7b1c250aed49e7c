"""The same route behind everything a service of this platform runs it with: fastapi_common's app
(trace context, metrics, request logs, body limit, error handlers, probes) and the API-key check."""

from fastapi import APIRouter

from fastapi_common.app import create_service_app
from fastapi_common.auth import key_protected
from fastapi_common.settings import ServiceSettings

api = APIRouter(prefix="/api", route_class=key_protected())


@api.get("/item")
async def item() -> dict[str, str]:
    return {"status": "ok"}


app = create_service_app(ServiceSettings(), title="bench", routes=api.routes)
