"""JSON logs on stdout with the service name and the current trace id on every line."""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

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


def configure_logging(service: str, level: str) -> None:
    """Routes the root logger and uvicorn's loggers through one JSON handler."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(trace_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
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
