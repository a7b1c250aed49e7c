"""The analytics service as a real process."""

import httpx
import pytest


@pytest.fixture
def analytics(services, keys):
    key = keys.issue("backend", "analytics")
    return services.start("analytics", {"API_KEYS_DIR": keys.inbound_dir("analytics"), "MAX_ROWS": "50000"}), {"X-API-Key": key}


def test_statistics_over_a_generated_data_set(analytics):
    service, auth = analytics
    body = httpx.get(f"{service.url}/api/stats", params={"rows": 20000, "seed": 7}, headers=auth).json()
    assert body["rows"] == 20000
    latency = body["columns"]["latency_ms"]
    assert latency["count"] == 20000
    assert latency["min"] <= latency["50%"] <= latency["95%"] <= latency["99%"] <= latency["max"]
    assert sum(r["count"] for r in body["latency_by_region"].values()) == 20000
    assert body["memory_bytes"] > 20000 * 24
    again = httpx.get(f"{service.url}/api/stats", params={"rows": 20000, "seed": 7}, headers=auth).json()
    assert again == body, "the same seed gives the same data"


def test_data_sets_beyond_max_rows_are_refused(analytics):
    service, auth = analytics
    response = httpx.get(f"{service.url}/api/stats", params={"rows": 50001}, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["query", "rows"], "msg": "Input should be less than or equal to 50000", "type": "less_than_equal"}]
    schema = httpx.get(f"{service.url}/openapi.json").json()
    rows = next(p for p in schema["paths"]["/api/stats"]["get"]["parameters"] if p["name"] == "rows")
    assert rows["schema"]["maximum"] == 50000, "the bound is published in the OpenAPI schema"


def test_metrics_are_exposed(analytics):
    service, auth = analytics
    httpx.get(f"{service.url}/api/stats", params={"rows": 10}, headers=auth)
    metrics = httpx.get(f"{service.url}/metrics").text
    assert 'http_requests_total{method="GET",route="/api/stats",service="analytics",status="200"}' in metrics
