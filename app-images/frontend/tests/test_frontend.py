"""The frontend as a real process: configuration, degradation, probes and failure injection."""

import httpx

from conftest import free_port, wait_until


def test_page_shows_configured_title_greeting_colour_and_version_and_degrades_without_backend(services):
    frontend = services.start(
        "frontend",
        {
            "BACKEND_URL": f"http://127.0.0.1:{free_port()}",
            "PAGE_TITLE": "Blue",
            "GREETING": "Welcome back",
            "THEME_COLOR": "#0000ff",
            "SERVICE_VERSION": "1.2.3",
        },
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


def test_failure_injection_breaks_each_probe_on_demand_for_the_operator_key_only_and_is_off_by_default(services, keys):
    operator = keys.issue("operator", "frontend-faults")
    injected = services.start("frontend", {"FAULT_INJECTION_ENABLED": "true", "FAULT_KEYS_DIR": keys.inbound_dir("frontend-faults")})
    with injected.client() as http:
        for path in ("/fault/readiness", "/fault/liveness"):
            assert http.post(path).status_code == 401
            assert http.post(path, headers={"X-API-Key": "not-" + operator}).status_code == 401
        assert http.get("/readyz").status_code == 200 and http.get("/livez").status_code == 200, "refused calls change nothing"
        as_operator = {"X-API-Key": operator}
        assert http.post("/fault/readiness", headers=as_operator).status_code == 200
        assert http.get("/readyz").status_code == 503 and http.get("/livez").status_code == 200
        http.post("/fault/liveness", headers=as_operator)
        assert http.get("/livez").status_code == 500
        http.post("/fault/reset", headers=as_operator)
        assert http.get("/livez").status_code == 200 and http.get("/readyz").status_code == 200
    unkeyed = services.start("frontend", {"FAULT_INJECTION_ENABLED": "true"})
    assert httpx.post(f"{unkeyed.url}/fault/liveness", headers={"X-API-Key": ""}).status_code == 401, "no key configured: refused"
    plain = services.start("frontend", {})
    assert httpx.post(f"{plain.url}/fault/liveness").status_code == 404


def test_logs_are_json_with_service_and_trace_id(services):
    frontend = services.start("frontend", {})
    httpx.get(f"{frontend.url}/version")
    request_lines = frontend.request_lines("/version")
    assert request_lines and all(line["service"] == "frontend" and len(line["trace_id"]) == 32 for line in request_lines)
