"""HTML form posts read as what they are, UTF-8, or refused. Starlette decodes a urlencoded body as
Latin-1 and percent-escapes with replacement characters, so a client's bad bytes would be stored as
something it never sent (`é` sent raw becomes `Ã©`, `%FF` becomes `�`). A route class checks the
body first and answers 400 naming the problem, or 415 for a body that is not a urlencoded form."""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from python_multipart.multipart import parse_options_header

URLENCODED = b"application/x-www-form-urlencoded"
_CHARSETS = (b"utf-8", b"utf8")


def urlencoded_problem(content_type: str | None, body: bytes) -> tuple[int, str] | None:
    """Why `body` is not a UTF-8 urlencoded form, as (status, detail); None when it is one.
    A body of another type is not this check's business: the route's validation answers it."""
    media_type, params = parse_options_header(content_type or "")
    if media_type == b"multipart/form-data":
        return status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "this form takes application/x-www-form-urlencoded, not multipart/form-data"
    if media_type != URLENCODED:
        return None
    charset = params.get(b"charset", b"utf-8").lower()
    if charset not in _CHARSETS:
        return status.HTTP_400_BAD_REQUEST, f"form data must be UTF-8, not charset {charset.decode('latin-1')!r}"
    if not body.isascii():
        raw = next(offset for offset, byte in enumerate(body) if byte > 0x7F)
        return status.HTTP_400_BAD_REQUEST, f"form data must percent-encode every non-ASCII byte (byte 0x{body[raw]:02X} at offset {raw} is not)"
    try:
        parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return status.HTTP_400_BAD_REQUEST, "form data must be UTF-8: a percent-encoded value is not valid UTF-8"
    return None


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Utf8FormRoute(APIRoute):
    """For routers whose routes read forms: `APIRouter(route_class=Utf8FormRoute)`. The body is read
    once and kept, so FastAPI parses the same bytes that were checked."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            problem = urlencoded_problem(request.headers.get("content-type"), await request.body())
            if problem is not None:
                raise HTTPException(problem[0], detail=problem[1])
            return await handler(request)

        return checked
