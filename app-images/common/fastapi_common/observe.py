"""Per-request trace context, metrics and one structured log line, as pure ASGI middleware: no
extra task or body buffering per request (Starlette's BaseHTTPMiddleware costs both), and the trace
context set here is the one the endpoint sees."""

import time

from . import metrics
from .asgi import ASGIApp, Message, Receive, Scope, Send, header
from .logs import RequestLog
from .tracing import TraceContext, current_trace, start_span

# Probes and scrapes: counted, never logged (they would drown the log).
QUIET_ROUTES = frozenset({"/livez", "/readyz", "/startupz", "/metrics"})


class ObserveRequests:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.request_log = RequestLog(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace = start_span(header(scope, b"traceparent"))
        token = current_trace.set(trace)
        status_code = 500  # what the client gets if the app fails before answering
        started = time.perf_counter()
        recorded = False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                self._record(scope, trace, status_code, time.perf_counter() - started)

        async def send_with_trace(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"traceparent", trace.traceparent().encode())]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                record()  # with the last byte: its line is written when the event loop next turns
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        finally:
            record()
            current_trace.reset(token)

    def _record(self, scope: Scope, trace: TraceContext, status_code: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"]
        metrics.REQUESTS.observe(self.service, method, route, status_code, elapsed)
        if route not in QUIET_ROUTES and self.request_log.enabled():
            # The path only: query strings may carry what must not be logged (a key sent by mistake).
            self.request_log.write(trace.trace_id, method, scope["path"], status_code, round(elapsed * 1000, 1))
