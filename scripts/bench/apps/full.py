"""The same route behind everything a service of this platform runs it with: fastapi_common's app
(trace context, metrics, request logs, body limit, error handlers, probes) and the API-key check."""

from fastapi import APIRouter, Depends

from fastapi_common.app import create_service_app
from fastapi_common.auth import require_api_key
from fastapi_common.settings import ServiceSettings

app = create_service_app(ServiceSettings(), title="bench")
api = APIRouter(prefix="/api", dependencies=[Depends(require_api_key)])


@api.get("/item")
async def item() -> dict[str, str]:
    return {"status": "ok"}


app.include_router(api)
