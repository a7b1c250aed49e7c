"""The backend: a REST API for notes on PostgreSQL, and insights from the analytics service."""

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, status

from fastapi_common.app import create_service_app
from fastapi_common.auth import key_protected
from fastapi_common.downstream import DownstreamClient, DownstreamUnavailable
from fastapi_common.responses import refusals

from .database import NotesRepository, create_pool, ensure_schema, ping
from .models import BIGINT_MAX, Note, NoteIn
from .settings import BackendSettings

settings = BackendSettings()


async def startup(app: FastAPI) -> None:
    await app.state.pool.open(wait=False)
    await ensure_schema(app.state.pool)


async def shutdown(app: FastAPI) -> None:
    await app.state.pool.close(timeout=3)
    if app.state.analytics is not None:
        await app.state.analytics.aclose()


api = APIRouter(prefix="/api", route_class=key_protected(), responses=refusals(401))


def notes(request: Request) -> NotesRepository:
    return NotesRepository(request.app.state.pool)


Notes = Annotated[NotesRepository, Depends(notes)]


NoteId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


def not_found(note_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"note {note_id} not found")


@api.post("/notes", status_code=status.HTTP_201_CREATED, responses=refusals(400, 413))
async def create_note(note: NoteIn, repo: Notes) -> Note:
    return Note(**await repo.create(note.title, note.body))


@api.get("/notes")
async def list_notes(repo: Notes, limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0) -> list[Note]:
    return [Note(**row) for row in await repo.list(limit, offset)]


@api.get("/notes/{note_id}", responses=refusals(404))
async def get_note(note_id: NoteId, repo: Notes) -> Note:
    row = await repo.get(note_id)
    if row is None:
        raise not_found(note_id)
    return Note(**row)


@api.put("/notes/{note_id}", responses=refusals(400, 404, 413))
async def update_note(note_id: NoteId, note: NoteIn, repo: Notes) -> Note:
    row = await repo.update(note_id, note.title, note.body)
    if row is None:
        raise not_found(note_id)
    return Note(**row)


@api.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(404))
async def delete_note(note_id: NoteId, repo: Notes) -> None:
    if not await repo.delete(note_id):
        raise not_found(note_id)


InsightRows = Annotated[int, Query(ge=1, le=settings.insights_max_rows, description="size of the data set (≤ INSIGHTS_MAX_ROWS)")]
DEFAULT_INSIGHT_ROWS = min(10_000, settings.insights_max_rows)


@api.get("/insights", responses=refusals(429, 502, 503))
async def insights(request: Request, rows: InsightRows = DEFAULT_INSIGHT_ROWS) -> dict[str, Any]:
    client: DownstreamClient | None = request.app.state.analytics
    if client is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="analytics not configured")
    try:
        response = await client.request("GET", "/api/stats", params={"rows": rows})
    except DownstreamUnavailable:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="analytics unavailable") from None
    if response.status_code != 200:
        # A refusal of the caller's input (too many rows, busy) is passed on as it is; anything
        # else from analytics is the platform's fault, not the caller's.
        relayed = response.status_code in (422, 429)
        raise HTTPException(
            response.status_code if relayed else status.HTTP_502_BAD_GATEWAY,
            detail=refusal_detail(response) if relayed else "analytics answered unexpectedly",
            headers={"Retry-After": response.headers["Retry-After"]} if "Retry-After" in response.headers else None,
        )
    summary: dict[str, Any] = response.json()
    return summary


def refusal_detail(response: httpx.Response) -> object:
    """The `detail` of a downstream refusal, or a generic one if its body is not the usual JSON."""
    try:
        return response.json().get("detail", "analytics refused the request")
    except (ValueError, AttributeError):
        return "analytics refused the request"


app = create_service_app(settings, title="notes backend", routes=api.routes, startup=startup, shutdown=shutdown)
app.state.pool = create_pool(settings)
app.state.analytics = (
    DownstreamClient("analytics", settings.analytics_url, settings.analytics_api_key_file, timeout_seconds=settings.downstream_timeout_seconds)
    if settings.analytics_url
    else None
)
app.state.health.checks["database"] = lambda: ping(app.state.pool, settings.readiness_timeout_seconds)
