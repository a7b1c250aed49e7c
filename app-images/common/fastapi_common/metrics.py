"""Prometheus metrics: request counts and latencies by route, and the /metrics endpoint."""

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"])
DOWNSTREAM = Counter("downstream_calls_total", "Calls to other services", ["target", "outcome"])


async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def add_metrics_route(router: APIRouter) -> None:
    """GET /metrics in Prometheus' text format, for the scraper (no key, not in the OpenAPI schema)."""
    router.add_api_route("/metrics", metrics, methods=["GET"], tags=["metrics"], include_in_schema=False)
