"""The services' HTTP server, as the images run it: `python -m fastapi_common.server app.main:app`.

uvicorn with its httptools parser, plus the request limits a production HTTP server has and
uvicorn lacks: the total size and the number of a request's header lines (431), and how long a
client may take to send its headers or its body (408, then the connection closes). uvicorn's own
options bound the rest: an idle keep-alive connection closes, and past `limit_concurrency`
connections or requests a request gets 503. Every option is an UVICORN_* environment variable.
"""

import asyncio
import functools
import sys
from typing import Any, Literal

import httptools
import uvicorn
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol


class ServerSettings(BaseSettings):
    """uvicorn's options the platform sets, and the request limits this module adds to it."""

    model_config = SettingsConfigDict(env_prefix="UVICORN_", env_file=None, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = "info"
    # Seconds in-flight requests may take after SIGTERM (WebService sets it from drainSeconds).
    timeout_graceful_shutdown: int = Field(default=20, ge=0, le=3600)
    # Seconds an idle keep-alive connection stays open between requests.
    timeout_keep_alive: int = Field(default=5, ge=1, le=300)
    # Open connections, or requests in flight, past which a request gets 503 at once.
    limit_concurrency: int = Field(default=500, ge=1)
    # The request line and every header line together (Node.js's default bound).
    limit_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    limit_header_count: int = Field(default=100, ge=1, le=10_000)
    # Seconds from a request's first byte (or the connection's opening) to the end of its headers.
    timeout_request_headers: float = Field(default=10, gt=0, le=300)
    # Seconds from the end of the headers to the end of the body.
    timeout_request_body: float = Field(default=30, gt=0, le=3600)


# Seconds a refused connection still reads (and drops) what the client sends before closing.
LINGER_SECONDS = 2.0


class _Refused(Exception):
    """Raised from a parser callback: the request breaks a limit and gets `status` instead."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on the request head and on slow clients."""

    def __init__(self, *args: Any, limits: ServerSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._reading_head = False
        self._head_bytes = 0
        self._buffered_head_bytes = 0
        self._header_count = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._expires_at: float | None = None
        self._timer_at = 0.0
        self._expiry_reason = ""
        self._refused = False
        # The cycle of the request before the one being read: on a pipelined connection a refusal
        # waits for its response, so that answers still arrive in the order of the requests.
        self._previous_cycle: Any = None
        self._deferred: tuple[_Refused, Any] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is bounded like one that sends its headers slowly.
        self._arm(self.limits.timeout_request_headers, "the request headers took too long")

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's, but a limit's refusal (raised in a callback, wrapped by httptools) is answered
        # with its own status instead of 400.
        if self._refused:
            return
        self._unset_keepalive_if_required()
        was_reading_head = self._reading_head
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _Refused):
                self._refuse(error.__context__)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserError:
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if was_reading_head and self._reading_head:
            # httptools holds an unfinished header line whole and reports it only once it ends:
            # what it holds is bounded here, to the limit plus one read.
            self._buffered_head_bytes += len(data)
            if self._buffered_head_bytes > self.limits.limit_header_bytes:
                self._refuse(_Refused(431, "request headers too large"))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._head_bytes = self._buffered_head_bytes = self._header_count = 0
        self._arm(self.limits.timeout_request_headers, "the request headers took too long")

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.limits.limit_header_count:
            raise _Refused(431, "too many request headers")
        self._count_head(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._previous_cycle = self.cycle
        self._arm(self.limits.timeout_request_body, "the request body took too long")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.limits.limit_header_bytes:
            raise _Refused(431, "request headers too large")

    def _arm(self, seconds: float, reason: str) -> None:
        # One timer per connection, rescheduled only when it fires early: setting a deadline costs
        # a clock read, not a timer per request phase.
        self._expires_at = self.loop.time() + seconds
        self._expiry_reason = reason
        if self._deadline is not None and self._timer_at > self._expires_at:
            self._deadline.cancel()
            self._deadline = None
        if self._deadline is None:
            self._schedule(self._expires_at)

    def _schedule(self, when: float) -> None:
        self._timer_at = when
        self._deadline = self.loop.call_at(when, self._expire)

    def _disarm(self) -> None:
        self._expires_at = None

    def _stop_timer(self) -> None:
        self._expires_at = None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self._expires_at is None or self.transport.is_closing():
            return
        if self.loop.time() < self._expires_at:
            self._schedule(self._expires_at)
            return
        self._expires_at = None
        if not self._reading_head and (self.cycle is None or self.cycle.response_complete):
            # No request in progress: close quietly, as uvicorn closes an idle keep-alive connection.
            self.transport.close()
            return
        self._refuse(_Refused(408, self._expiry_reason))

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._deferred is not None and self._deferred[1].response_complete:
            refusal, self._deferred = self._deferred[0], None
            if not self.transport.is_closing():
                self._answer_and_close(refusal)

    def _refuse(self, refusal: _Refused) -> None:
        """Answers `refusal` unless the refused request's response has begun, after the response of
        the request before it if that is still being sent; then closes the connection."""
        self._stop_timer()
        self._refused = True
        # While its head is read a request has no cycle yet: self.cycle is the one before it.
        own = None if self._reading_head else self.cycle
        previous = self.cycle if own is None else self._previous_cycle
        if own is not None and own.response_started:
            self._answer_and_close(None)
        elif previous is not None and not previous.response_complete:
            if own is not None:  # queued behind `previous`: it must never start
                self.pipeline = type(self.pipeline)(entry for entry in self.pipeline if entry[0] is not own)
            self._deferred = (refusal, previous)
        else:
            self._answer_and_close(refusal)
        self.logger.warning("Refused a request: %s.", refusal.reason)

    def _answer_and_close(self, refusal: _Refused | None) -> None:
        if refusal is not None:
            body = refusal.reason.encode("ascii")
            head = [STATUS_LINE[refusal.status]]
            for name, value in self.server_state.default_headers:
                head.extend([name, b": ", value, b"\r\n"])
            head.append(b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body))
            self.transport.write(b"".join(head) + body)
        # A lingering close: closing with the client's bytes unread would reset the connection and
        # lose the answer, so the write side closes first and what still arrives is dropped for a
        # moment. The app, if it runs, then sees a disconnect; uvicorn drops anything it sends.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def config(app: str, settings: ServerSettings) -> uvicorn.Config:
    """The uvicorn configuration the images run `app` (module:attribute) with."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=functools.partial(BoundedHttpToolsProtocol, limits=settings),  # type: ignore[arg-type]
        loop="auto",
        lifespan="on",
        proxy_headers=True,
        access_log=False,
        log_level=settings.log_level,
        timeout_graceful_shutdown=settings.timeout_graceful_shutdown,
        timeout_keep_alive=settings.timeout_keep_alive,
        limit_concurrency=settings.limit_concurrency,
    )


def main(argv: list[str]) -> None:
    if len(argv) != 1 or ":" not in argv[0]:
        sys.exit("usage: python -m fastapi_common.server MODULE:APP (options from UVICORN_* variables)")
    uvicorn.Server(config(argv[0], ServerSettings())).run()


if __name__ == "__main__":
    main(sys.argv[1:])
