import httpx
import pytest

from fastapi_common.downstream import DownstreamClient, DownstreamUnavailable


def client_with(handler, **kwargs) -> DownstreamClient:
    return DownstreamClient("target", "http://target.test", None, transport=httpx.MockTransport(handler), **kwargs)


async def test_idempotent_calls_that_could_not_connect_are_retried_until_they_succeed():
    calls = []

    def handler(request):
        calls.append(request.method)
        if len(calls) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"ok": True})

    response = await client_with(handler, attempts=3).request("GET", "/x")
    assert response.json() == {"ok": True}
    assert calls == ["GET", "GET", "GET"]


@pytest.mark.parametrize("failure", ["503", "500", "read-timeout"])
async def test_a_call_the_service_received_is_never_repeated(failure):
    """Work the callee may have done is not done again: across tiers, retries would multiply it."""
    calls = []

    def handler(request):
        calls.append(1)
        if failure == "read-timeout":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(int(failure))

    client = client_with(handler, attempts=3)
    with pytest.raises(DownstreamUnavailable):
        await client.request("GET", "/heavy?rows=500000")
    assert calls == [1]


async def test_failures_are_logged_without_the_query_string(caplog):
    def handler(request):
        return httpx.Response(500)

    with pytest.raises(DownstreamUnavailable) as raised:
        await client_with(handler).request("GET", "/api/x?api_key=leaked-by-mistake")
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "downstream call failed" in logged and "/api/x" in logged
    assert "leaked-by-mistake" not in logged and "leaked-by-mistake" not in str(raised.value)


async def test_non_idempotent_calls_are_not_retried():
    calls = []

    def handler(request):
        calls.append(request.method)
        return httpx.Response(503)

    with pytest.raises(DownstreamUnavailable):
        await client_with(handler, attempts=3).request("POST", "/x", json={})
    assert calls == ["POST"]


async def test_client_errors_are_returned_not_retried_and_do_not_trip_the_breaker():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(404)

    client = client_with(handler, breaker_failures=1)
    for _ in range(3):
        assert (await client.request("GET", "/missing")).status_code == 404
    assert len(calls) == 3 and client.circuit_state == "closed"


async def test_the_breaker_opens_after_the_configured_failures_and_stops_calling():
    calls = []

    def handler(request):
        calls.append(1)
        raise httpx.ConnectError("refused", request=request)

    client = client_with(handler, attempts=1, breaker_failures=2, breaker_reset_seconds=60)
    for _ in range(2):
        with pytest.raises(DownstreamUnavailable):
            await client.request("GET", "/x")
    assert client.circuit_state == "open"
    with pytest.raises(DownstreamUnavailable, match="circuit open"):
        await client.request("GET", "/x")
    assert len(calls) == 2
