"""frontend → backend → analytics as real processes on loopback, with keys and trace context."""

import threading
import time

import httpx

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def test_page_lists_and_creates_notes_through_the_backend(chain):
    frontend, _, _ = chain
    with frontend.client(follow_redirects=True) as http:
        page = http.post("/notes", data={"title": "from the page", "body": "via the form"})
    assert page.status_code == 200
    for expected in ("Chain test", "Hi there", "#123456", "2.5.0", "from the page", "via the form"):
        assert expected in page.text


def test_traceparent_is_carried_end_to_end_and_logged(chain):
    frontend, backend, analytics = chain
    response = httpx.get(f"{frontend.url}/api/insights", params={"rows": 5000}, headers={"traceparent": TRACEPARENT}, timeout=30)
    assert response.status_code == 200
    assert response.json()["rows"] == 5000
    assert response.headers["traceparent"].split("-")[1] == TRACE_ID
    for service, path in ((frontend, "/api/insights"), (backend, "/api/insights"), (analytics, "/api/stats")):
        requests = [line for line in service.request_lines(path) if line.get("path") == path]
        assert requests, f"{service.name} logged the request"
        assert {line["trace_id"] for line in requests} == {TRACE_ID}, service.name


def test_a_fresh_trace_replaces_a_malformed_one(chain):
    frontend, _, _ = chain
    response = httpx.get(f"{frontend.url}/version", headers={"traceparent": "00-zzzz-bad-01"})
    trace_id = response.headers["traceparent"].split("-")[1]
    assert len(trace_id) == 32 and trace_id != "0" * 32


def test_wrong_keys_between_services_are_refused(chain, keys):
    _, backend, analytics = chain
    assert httpx.get(f"{analytics.url}/api/stats").status_code == 401
    assert httpx.get(f"{backend.url}/api/notes", headers={"X-API-Key": "guess"}).status_code == 401
    # The analytics key is not a backend key.
    analytics_key = open(keys.outbound_file("backend", "analytics")).read()
    assert httpx.get(f"{backend.url}/api/notes", headers={"X-API-Key": analytics_key}).status_code == 401


def test_breaker_opens_after_failures_degrades_the_page_and_closes_again(services, chain):
    frontend, backend, _ = chain
    backend.terminate()
    with frontend.client() as http:
        for _ in range(3):  # BREAKER_FAILURES: each page still renders, degraded
            page = http.get("/")
            assert page.status_code == 200 and "unavailable right now" in page.text
        started = time.monotonic()
        page = http.get("/")
        assert "unavailable right now" in page.text
        assert time.monotonic() - started < 0.5, "an open circuit answers without calling the backend"
        assert 'downstream_calls_total{outcome="circuit_open",target="backend"}' in http.get("/metrics").text

        # A backend on the same address again; after BREAKER_RESET_SECONDS one trial call closes the circuit.
        services.start("backend", backend.env, wait_for="/startupz", port=backend.port)
        time.sleep(2.2)
        for _ in range(2):
            page = http.get("/")
            assert page.status_code == 200 and "unavailable right now" not in page.text


def test_sigterm_lets_in_flight_requests_complete(chain, keys):
    _, _, analytics = chain
    key = open(keys.outbound_file("backend", "analytics")).read()
    finished: list[tuple[int, float]] = []

    def call() -> None:
        response = httpx.get(f"{analytics.url}/api/stats", params={"rows": 2_000_000, "seed": 1}, headers={"X-API-Key": key}, timeout=60)
        finished.append((response.status_code, time.monotonic()))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    sigterm_at = time.monotonic()
    analytics.terminate()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in finished] == [200] * 4
    assert all(at > sigterm_at for _, at in finished), "every request was still in flight at SIGTERM"
