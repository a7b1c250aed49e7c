"""The frontend as a real process: configuration, degradation, probes and failure injection."""
import time

import httpx

from conftest import free_port, wait_until


def test_page_shows_configured_title_greeting_colour_and_version_and_degrades_without_backend(services):
    frontend = services.start(
        "frontend",
        {"BACKEND_URL": f"http://127.0.0.1:{free_port()}", "PAGE_TITLE": "Blue", "GREETING": "Welcome back",
         "THEME_COLOR": "#0000ff", "SERVICE_VERSION": "1.2.3"},
    )
    page = httpx.get(frontend.url)
    assert page.status_code == 200
    for expected in ("<title>Blue</title>", "Welcome back", "#0000ff", '<span class="version">1.2.3</span>', "unavailable right now"):
        assert expected in page.text
    assert httpx.get(f"{frontend.url}/readyz").status_code == 200, "a backend outage does not take the frontend out"
    assert httpx.post(f"{frontend.url}/notes", data={"title": "x"}).status_code == 503


def test_startup_delay_holds_startupz_and_readyz_but_not_livez(services):
    frontend = services.start("frontend", {"FAULT_INJECTION_ENABLED": "true", "STARTUP_DELAY_SECONDS": "2"})
    assert httpx.get(f"{frontend.url}/livez").status_code == 200
    assert httpx.get(f"{frontend.url}/startupz").status_code == 503
    assert httpx.get(f"{frontend.url}/readyz").status_code == 503
    wait_until(lambda: httpx.get(f"{frontend.url}/startupz").status_code == 200, 10, "startup to finish")
    assert httpx.get(f"{frontend.url}/readyz").status_code == 200


def test_failure_injection_breaks_each_probe_on_demand_and_is_off_by_default(services):
    injected = services.start("frontend", {"FAULT_INJECTION_ENABLED": "true"})
    with injected.client() as http:
        http.post("/fault/readiness")
        assert http.get("/readyz").status_code == 503 and http.get("/livez").status_code == 200
        http.post("/fault/liveness")
        assert http.get("/livez").status_code == 500
        http.post("/fault/reset")
        assert http.get("/livez").status_code == 200 and http.get("/readyz").status_code == 200
    plain = services.start("frontend", {})
    assert httpx.post(f"{plain.url}/fault/liveness").status_code == 404


def test_logs_are_json_with_service_and_trace_id(services):
    frontend = services.start("frontend", {})
    httpx.get(f"{frontend.url}/version")
    time.sleep(0.2)
    request_lines = [line for line in frontend.log_lines() if line.get("message") == "request"]
    assert request_lines and all(line["service"] == "frontend" and len(line["trace_id"]) == 32 for line in request_lines)
