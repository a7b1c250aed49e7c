"""The analytics service: pandas/numpy statistics over a generated data set."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from fastapi_common.app import create_service_app
from fastapi_common.auth import key_protected
from fastapi_common.limits import WorkBudget
from fastapi_common.responses import refusals

from .settings import AnalyticsSettings
from .stats import generate, summarize

settings = AnalyticsSettings()
api = APIRouter(prefix="/api", route_class=key_protected(), responses=refusals(401))


SEED_MAX = 2**32 - 1
DEFAULT_ROWS = min(10_000, settings.max_rows)
budget = WorkBudget(settings.rows_in_flight or settings.max_rows, "analytics work")


@api.get("/stats", responses=refusals(429))
async def stats(
    rows: Annotated[int, Query(ge=1, le=settings.max_rows, description="size of the generated data set (≤ MAX_ROWS)")] = DEFAULT_ROWS,
    seed: Annotated[int, Query(ge=0, le=SEED_MAX)] = 0,
) -> dict[str, Any]:
    async with budget.claim(rows):
        # The CPU work runs in a worker thread so that the event loop keeps answering probes.
        return await run_in_threadpool(lambda: summarize(generate(rows, seed)))


app = create_service_app(settings, title="analytics", routes=api.routes)
