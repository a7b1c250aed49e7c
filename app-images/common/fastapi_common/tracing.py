"""W3C trace context: accept `traceparent`, start a span per request, propagate downstream."""

import random
import re
from contextvars import ContextVar
from typing import NamedTuple

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class TraceContext(NamedTuple):
    """Immutable; a NamedTuple because one or two are made per request and a frozen dataclass
    takes three times as long to construct."""

    trace_id: str
    span_id: str
    flags: str = "01"

    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    def child(self) -> "TraceContext":
        """A new span in the same trace, for a downstream call."""
        return TraceContext(self.trace_id, _random_id(64), self.flags)


def _random_id(bits: int) -> str:
    """A random non-zero id in hex, as W3C trace context asks. Trace ids need to be unique, not
    secret: the module's generator (as OpenTelemetry's SDK uses) spares a system call per request.
    Bytes to hex pads it to full width at a third of the cost of a nested format spec."""
    return (random.getrandbits(bits) or 1).to_bytes(bits // 8, "big").hex()


current_trace: ContextVar[TraceContext | None] = ContextVar("current_trace", default=None)


def parse_traceparent(header: str | None) -> TraceContext | None:
    """The context of a valid header, or None for a missing or malformed one."""
    if not header:
        return None
    match = _TRACEPARENT.match(header.strip().lower())
    if match is None:
        return None
    version, trace_id, parent_id, flags = match.groups()
    if version == "ff" or trace_id == "0" * 32 or parent_id == "0" * 16:
        return None
    return TraceContext(trace_id, parent_id, flags)


def start_span(incoming: str | None) -> TraceContext:
    """This service's span: continues a valid incoming trace, else starts a fresh one."""
    parent = parse_traceparent(incoming)
    if parent is None:
        return TraceContext(_random_id(128), _random_id(64))
    return parent.child()


def outgoing_headers() -> dict[str, str]:
    """Headers that carry the current trace to a downstream call."""
    trace = current_trace.get()
    return {"traceparent": trace.child().traceparent()} if trace else {}
