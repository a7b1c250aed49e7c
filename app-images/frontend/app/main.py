"""The frontend: a server-rendered page that lists and creates notes through the backend and
keeps working, degraded, when the backend is down."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from fastapi_common.app import create_service_app
from fastapi_common.downstream import DownstreamClient, DownstreamUnavailable
from fastapi_common.forms import Utf8FormRoute
from fastapi_common.limits import WorkBudget
from fastapi_common.responses import refusals
from fastapi_common.text import PlainText, VisibleText

from .settings import FrontendSettings

settings = FrontendSettings()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


async def shutdown(app: FastAPI) -> None:
    await app.state.backend.aclose()


pages = APIRouter()
# The form posts, checked as UTF-8 before FastAPI reads them; the page's GETs skip that step.
forms = APIRouter(route_class=Utf8FormRoute)

# A stored note sends the browser back to the page, which lists it (post/redirect/get).
STORED: dict[int | str, dict[str, Any]] = {
    status.HTTP_303_SEE_OTHER: {
        "description": "Stored; the browser is sent back to the page.",
        "headers": {"Location": {"schema": {"type": "string", "const": "/"}}},
    }
}

insights_budget = WorkBudget(settings.insights_concurrency, "insights work")


def backend(request: Request) -> DownstreamClient:
    client: DownstreamClient = request.app.state.backend
    return client


@pages.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    try:
        response = await backend(request).request("GET", "/api/notes")
        notes = response.json() if response.status_code == 200 else None
    except DownstreamUnavailable:
        notes = None
    return templates.TemplateResponse(
        request,
        "index.html",
        {
            "title": settings.page_title,
            "greeting": settings.greeting,
            "color": settings.theme_color,
            "version": settings.service_version,
            "notes": notes,
        },
    )


@forms.post("/notes", status_code=status.HTTP_303_SEE_OTHER, response_class=RedirectResponse, responses={**STORED, **refusals(400, 413, 415, 502, 503)})
async def add_note(
    request: Request,
    title: Annotated[VisibleText, Form(min_length=1, max_length=200)],
    body: Annotated[PlainText, Form(max_length=10_000)] = "",
) -> RedirectResponse:
    try:
        response = await backend(request).request("POST", "/api/notes", json={"title": title, "body": body})
    except DownstreamUnavailable:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="notes are unavailable right now") from None
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="the note was refused: check its title and text")
    if response.status_code != status.HTTP_201_CREATED:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail="the backend could not store the note")
    return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)


@pages.get("/api/insights", responses=refusals(429, 502, 503))
async def insights(
    request: Request, rows: Annotated[int, Query(ge=1, le=settings.insights_max_rows)] = min(1_000, settings.insights_max_rows)
) -> dict[str, Any]:
    async with insights_budget.claim():
        try:
            response = await backend(request).request("GET", "/api/insights", params={"rows": rows})
        except DownstreamUnavailable:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="insights are unavailable right now") from None
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail="insights are busy; retry shortly", headers={"Retry-After": "1"})
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"rows={rows} is more than this platform computes")
    if response.status_code != 200:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail="the backend could not compute insights")
    summary: dict[str, Any] = response.json()
    return summary


@pages.get("/version")
async def version() -> dict[str, str]:
    return {"service": settings.service_name, "version": settings.service_version}


# Readiness has no dependency on the backend on purpose: a backend outage degrades the page
# instead of taking the public tier out of rotation.
app = create_service_app(settings, title="frontend", routes=[*pages.routes, *forms.routes], shutdown=shutdown)
app.state.backend = DownstreamClient(
    "backend",
    settings.backend_url,
    settings.backend_api_key_file,
    timeout_seconds=settings.downstream_timeout_seconds,
    breaker_failures=settings.breaker_failures,
    breaker_reset_seconds=settings.breaker_reset_seconds,
)
