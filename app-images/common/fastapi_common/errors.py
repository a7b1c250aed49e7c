"""Validation errors that describe the problem without echoing the input: the input may be huge,
may hold what the client should not have sent (a key in the wrong field), or may not even be
encodable (an unpaired surrogate made the default handler itself fail with a 500)."""

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .text import printable


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    return {
        "loc": [printable(part) if isinstance(part, str) else part for part in error.get("loc", ())],
        "msg": printable(str(error.get("msg", ""))),
        "type": str(error.get("type", "")),
    }


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": [_describe(error) for error in exc.errors()]},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
