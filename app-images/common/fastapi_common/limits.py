"""Bounds on what one client can make a service do: the size of a request body, and how much heavy
work runs at once. Both answer at once (413, 429) instead of queueing work the pod cannot afford."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException, status

from .asgi import ASGIApp, Message, Receive, Scope, Send


class _BodyTooLarge(HTTPException):
    """Raised from `receive`: an HTTPException, so that a framework reading the body answers 413
    itself (FastAPI turns any other error while reading a body into a 400)."""

    def __init__(self) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, detail="request body too large")


class BodySizeLimit:
    """Pure ASGI middleware: a body over `max_bytes` gets 413, whether its Content-Length says so up
    front or a chunked body grows past the limit while it is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refusal(send, 400, "invalid Content-Length")
                return
            if int(declared) > self.max_bytes:
                await _refusal(send, 413, "request body too large")
                return
        if b"transfer-encoding" not in headers:
            # No body, or one the server reads only up to its declared length: nothing to count.
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _BodyTooLarge:
            if started:
                raise
            await _refusal(send, 413, "request body too large")


async def _refusal(send: Send, status_code: int, detail: str) -> None:
    """The answer a route's HTTPException gets, `{"detail": ...}`: one shape for every refusal."""
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class WorkBudget:
    """At most `capacity` units of heavy work in flight in this process (a unit may be a request or,
    say, a row of a data set); what does not fit is refused with 429 and Retry-After at once."""

    def __init__(self, capacity: int, what: str, retry_after_seconds: int = 1) -> None:
        self.capacity = capacity
        self.what = what
        self.retry_after_seconds = retry_after_seconds
        self.in_flight = 0

    @asynccontextmanager
    async def claim(self, units: int = 1) -> AsyncIterator[None]:
        if self.in_flight + units > self.capacity:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=f"too much {self.what} in progress; retry shortly",
                headers={"Retry-After": str(self.retry_after_seconds)},
            )
        self.in_flight += units
        try:
            yield
        finally:
            self.in_flight -= units
