import re

import pytest

from fastapi_common import tracing
from fastapi_common.tracing import TraceContext, current_trace, outgoing_headers, parse_traceparent, start_span

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_a_valid_traceparent_is_continued_with_a_new_span():
    span = start_span(VALID)
    assert span.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span.span_id != "00f067aa0ba902b7"
    assert span.traceparent().startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")


def test_malformed_or_forbidden_headers_start_a_fresh_trace():
    for bad in [
        None,
        "",
        "garbage",
        VALID.replace("-01", ""),
        "ff" + VALID[2:],
        "00-" + "0" * 32 + "-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0" * 16 + "-01",
    ]:
        assert parse_traceparent(bad) is None, bad
        span = start_span(bad)
        assert len(span.trace_id) == 32 and span.trace_id != "4bf92f3577b34da6a3ce929d0e0e4736"


def test_downstream_headers_carry_the_trace_as_a_child_span():
    assert outgoing_headers() == {}
    token = current_trace.set(TraceContext("a" * 32, "b" * 16))
    try:
        header = outgoing_headers()["traceparent"]
    finally:
        current_trace.reset(token)
    parsed = parse_traceparent(header)
    assert parsed.trace_id == "a" * 32 and parsed.span_id != "b" * 16


@pytest.mark.parametrize("drawn", [0, 1, 0xABC, 2**64 - 1])
def test_new_ids_are_full_width_lowercase_hex_and_never_zero(monkeypatch, drawn):
    """Ids are padded to 32 and 16 hex digits (a small random number keeps its leading zeros) and a
    zero draw becomes 1: W3C forbids all-zero ids, and the header must parse back to the same span."""
    monkeypatch.setattr(tracing.random, "getrandbits", lambda bits: drawn & ((1 << bits) - 1))
    span = start_span(None)
    assert re.fullmatch(r"[0-9a-f]{32}", span.trace_id) and re.fullmatch(r"[0-9a-f]{16}", span.span_id), span
    assert int(span.trace_id, 16) == int(span.span_id, 16) == (drawn or 1)
    assert parse_traceparent(span.traceparent()) == span
