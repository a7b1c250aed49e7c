import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from fastapi_common.app import create_service_app
from fastapi_common.metrics import RequestMetrics
from fastapi_common.settings import ServiceSettings

# Durations on, between and beyond the default buckets' bounds (0.005 … 10, +Inf).
DURATIONS = [0.0, 0.004, 0.005, 0.0051, 0.1, 0.3, 2.5, 9.99, 10.0, 11.0, 120.0]


def _samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as exposed on /metrics, but the `_created` timestamps."""
    text = generate_latest(registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


def test_the_request_metrics_expose_what_prometheus_clients_own_counter_and_histogram_would():
    """The same observations through prometheus_client's Counter and Histogram and through
    RequestMetrics (which keeps plain numbers for speed) give the very same samples: names, labels,
    cumulative `le` buckets, count and sum."""
    library = CollectorRegistry()
    counter = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"], registry=library)
    histogram = Histogram("http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"], registry=library)
    ours = CollectorRegistry()
    metrics = RequestMetrics()
    ours.register(metrics)

    for index, seconds in enumerate(DURATIONS):
        status_code = 404 if index % 3 == 0 else 200
        for service, route in (("web", "/api/item"), ("web", "/livez"), ("api", "/api/item")):
            counter.labels(service, "GET", route, str(status_code)).inc()
            histogram.labels(service, "GET", route).observe(seconds)
            metrics.observe(service, "GET", route, status_code, seconds)

    expected = _samples(library)
    assert len(expected) > 40, "the control: the library exposed every bucket of every series"
    assert _samples(ours) == expected


def test_a_duration_on_a_bound_falls_in_that_bucket():
    registry = CollectorRegistry()
    metrics = RequestMetrics(buckets=[0.1, 1.0, float("inf")])
    registry.register(metrics)
    metrics.observe("web", "GET", "/x", 200, 0.1)
    metrics.observe("web", "GET", "/x", 200, 1.5)
    buckets = {dict(labels)["le"]: value for (name, labels), value in _samples(registry).items() if name.endswith("_bucket")}
    assert buckets == {"0.1": 1, "1.0": 1, "+Inf": 2}


@pytest.mark.parametrize("buckets", [[1.0, 0.5, float("inf")], [0.1, 1.0]])
def test_buckets_must_ascend_and_end_with_infinity(buckets):
    with pytest.raises(ValueError, match="ascending and end with \\+Inf"):
        RequestMetrics(buckets=buckets)


def test_requests_are_counted_by_route_and_status_on_the_metrics_endpoint():
    api = APIRouter(prefix="/api")

    @api.get("/counted/{item}")
    async def counted(item: int) -> dict[str, int]:
        return {"item": item}

    def count(text: str, status: str) -> float:
        labels = {"service": "metrics-test", "method": "GET", "route": "/api/counted/{item}", "status": status}
        return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == "http_requests_total" and s.labels == labels)

    app = create_service_app(ServiceSettings(service_name="metrics-test"), title="metrics", routes=api.routes)
    with TestClient(app) as client:
        before = client.get("/metrics").text
        for item in ("1", "2", "3"):
            assert client.get(f"/api/counted/{item}").status_code == 200
        assert client.get("/api/counted/not-a-number").status_code == 422
        after = client.get("/metrics").text
    assert count(after, "200") - count(before, "200") == 3
    assert count(after, "422") - count(before, "422") == 1
