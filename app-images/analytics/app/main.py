"""The analytics service: pandas/numpy statistics over a generated data set."""
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from fastapi_common.app import create_service_app
from fastapi_common.auth import require_api_key

from .settings import AnalyticsSettings
from .stats import generate, summarize

settings = AnalyticsSettings()
app = create_service_app(settings, title="analytics")
api = APIRouter(prefix="/api", dependencies=[Depends(require_api_key)])


# A plain function: FastAPI runs it in the thread pool, so the CPU work never blocks the event loop.
@api.get("/stats")
def stats(rows: Annotated[int, Query(ge=1)] = 10_000, seed: Annotated[int, Query(ge=0)] = 0) -> dict:
    if rows > settings.max_rows:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            detail=f"rows={rows} exceeds MAX_ROWS={settings.max_rows}",
        )
    return summarize(generate(rows, seed))


app.include_router(api)
