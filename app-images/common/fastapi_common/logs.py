"""JSON logs on stdout with the service name and the current trace id on every line."""

import asyncio
import logging
import sys
import time
import weakref

import orjson
from pythonjsonlogger.orjson import OrjsonFormatter

from .tracing import current_trace


class _TraceFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        trace = current_trace.get()
        record.trace_id = trace.trace_id if trace else None
        record.service = self.service
        return True


# The fields every line carries, and what the formatter names them: RequestLog writes the same.
_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(trace_id)s"
_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
REQUEST_LOGGER = "fastapi_common.requests"


class RequestLog:
    """The request log's own writer: one line per request with the fields, order and time format
    of every other line. A request only records its figures; the lines are encoded (orjson) and
    written together when the event loop next turns, microseconds later, in one write. Over the
    wire, a line made and written inside the request cost about 12 µs, and through the logging
    module (a LogRecord, a filter, a formatter) more still: the full stack served 0.58 of a bare
    route at INFO (docs/performance.md). The logging configuration still decides: lines are kept
    when their logger is enabled at INFO."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._logger = logging.getLogger(REQUEST_LOGGER)
        self._pending: list[tuple[float, str, str, str, int, float]] = []
        self._second = -1
        self._stamp = ""
        _REQUEST_LOGS.add(self)

    def enabled(self) -> bool:
        return self._logger.isEnabledFor(logging.INFO)

    def write(self, trace_id: str, method: str, path: str, status: int, duration_ms: float) -> None:
        first = not self._pending
        self._pending.append((time.time(), trace_id, method, path, status, duration_ms))
        if first:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop: nothing would turn it, so write at once
                self.flush()

    def flush(self) -> None:
        """Writes the pending lines, oldest first."""
        records, self._pending = self._pending, []
        if records:
            _write_stdout(b"".join(self._line(*record) for record in records))

    def _line(self, now: float, trace_id: str, method: str, path: str, status: int, duration_ms: float) -> bytes:
        second = int(now)
        if second != self._second:  # the date and time change once a second; milliseconds each line
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        line = {
            "time": f"{self._stamp},{int((now - second) * 1000):03d}",
            "level": "INFO",
            "logger": REQUEST_LOGGER,
            "message": "request",
            "service": self.service,
            "trace_id": trace_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        }
        return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)


# Every request log, so that shutdown can write what is still pending.
_REQUEST_LOGS: "weakref.WeakSet[RequestLog]" = weakref.WeakSet()


def flush_request_logs() -> None:
    for request_log in list(_REQUEST_LOGS):
        request_log.flush()


def _write_stdout(data: bytes) -> None:
    """`data` to stdout beneath its text layer, which the logging handler flushes after every line."""
    stdout = sys.stdout
    binary = getattr(stdout, "buffer", None)
    if binary is None:
        stdout.write(data.decode())
        stdout.flush()
        return
    # Unbuffered (PYTHONUNBUFFERED, as the images run) it is the file itself, which may take a
    # large write in parts.
    view = memoryview(data)
    while view:
        view = view[binary.write(view) :]
    binary.flush()


def configure_logging(service: str, level: str) -> None:
    """Routes the root logger and uvicorn's loggers through one JSON handler."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(OrjsonFormatter(_FORMAT, rename_fields=_RENAMED))
    handler.addFilter(_TraceFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The request log is ObserveRequests' (JSON, path without query string, at INFO). uvicorn's own
    # access log would repeat every request with its full query string, so it stays off whatever
    # the command line says (the images pass --no-access-log too).
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    # httpx logs every outgoing request at INFO with its full URL, query string included; the
    # downstream client logs failures itself, by path only.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
