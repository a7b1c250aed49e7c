"""The ASGI types the pure middlewares and route classes share, and header access that costs no
Headers object per request."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, cast

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def raw_header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's value as the client sent it; `name` lower-case, as servers deliver
    header names."""
    for key, value in scope["headers"]:
        if key == name:
            return cast(bytes, value)
    return None


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value as text (latin-1, as HTTP/1.1 defines header bytes)."""
    value = raw_header(scope, name)
    return None if value is None else value.decode("latin-1")
