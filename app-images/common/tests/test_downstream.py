import httpx
import pytest

from fastapi_common.downstream import DownstreamClient, DownstreamUnavailable


def client_with(handler, **kwargs) -> DownstreamClient:
    return DownstreamClient("target", "http://target.test", None, transport=httpx.MockTransport(handler), **kwargs)


async def test_idempotent_calls_are_retried_until_they_succeed():
    calls = []

    def handler(request):
        calls.append(request.method)
        return httpx.Response(503) if len(calls) < 3 else httpx.Response(200, json={"ok": True})

    response = await client_with(handler, attempts=3).request("GET", "/x")
    assert response.json() == {"ok": True}
    assert calls == ["GET", "GET", "GET"]


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
