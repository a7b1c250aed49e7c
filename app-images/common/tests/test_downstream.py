import httpx
import pytest

from fastapi_common.downstream import DownstreamClient, DownstreamUnavailable


def client_with(handler, **kwargs) -> DownstreamClient:
    return DownstreamClient("target", "http://target.test", None, transport=httpx.MockTransport(handler), **kwargs)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("undelivered", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
async def test_calls_that_were_never_sent_are_retried_until_they_succeed(method, undelivered):
    """Nothing reached the service, so even a POST is safe to send again (a new pod whose network
    is a moment behind its readiness must not fail a user's write)."""
    calls = []

    def handler(request):
        calls.append(request.method)
        if len(calls) < 3:
            raise undelivered("not sent", request=request)
        return httpx.Response(201, json={"ok": True})

    response = await client_with(handler, attempts=3).request(method, "/x", json={})
    assert response.json() == {"ok": True}
    assert calls == [method] * 3


async def test_retries_are_bounded():
    calls = []

    def handler(request):
        calls.append(1)
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(DownstreamUnavailable):
        await client_with(handler, attempts=3).request("POST", "/x", json={})
    assert calls == [1, 1, 1]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("failure", ["503", "500", "read-timeout"])
async def test_a_call_the_service_received_is_never_repeated(method, failure):
    """Work the callee may have done is not done again: across tiers, retries would multiply it."""
    calls = []

    def handler(request):
        calls.append(1)
        if failure == "read-timeout":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(int(failure))

    client = client_with(handler, attempts=3)
    with pytest.raises(DownstreamUnavailable):
        await client.request(method, "/heavy?rows=500000")
    assert calls == [1]


async def test_failures_are_logged_without_the_query_string(caplog):
    def handler(request):
        return httpx.Response(500)

    with pytest.raises(DownstreamUnavailable) as raised:
        await client_with(handler).request("GET", "/api/x?api_key=leaked-by-mistake")
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "downstream call failed" in logged and "/api/x" in logged
    assert "leaked-by-mistake" not in logged and "leaked-by-mistake" not in str(raised.value)


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


async def test_calls_that_succeed_leave_no_url_in_the_logs_at_info(caplog):
    """httpx logs each request's full URL at INFO; a service's logging keeps that out."""
    from fastapi_common.logs import configure_logging

    configure_logging("service", "INFO")
    response = await client_with(lambda request: httpx.Response(200)).request("GET", "/api/x?api_key=leaked-by-mistake")
    assert response.status_code == 200
    assert "leaked-by-mistake" not in caplog.text
