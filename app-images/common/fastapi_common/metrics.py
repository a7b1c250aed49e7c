"""Prometheus metrics: request counts and latencies by route, and the /metrics endpoint."""

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import accumulate

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

DOWNSTREAM = Counter("downstream_calls_total", "Calls to other services", ["target", "outcome"])


class _Latency:
    """One (service, method, route)'s histogram: observations per bucket (not yet cumulative) and their sum."""

    __slots__ = ("buckets", "total")

    def __init__(self, size: int) -> None:
        self.buckets = [0] * size
        self.total = 0.0


class _Series:
    """One (service, method, route, status)'s request count, and the histogram it adds to."""

    __slots__ = ("count", "latency")

    def __init__(self, latency: _Latency) -> None:
        self.count = 0
        self.latency = latency


class RequestMetrics(Collector):
    """Every request's count (`http_requests_total`, by service, method, route and status) and
    latency (`http_request_duration_seconds`, a histogram by service, method and route), kept as
    plain numbers and turned into Prometheus families only when scraped.

    prometheus_client's own Counter and Histogram take a lock for every update and walk the buckets
    one by one: about 6 µs of every request over the wire (docs/performance.md). Here an update is a
    dict lookup, two additions and a bisection. No lock is needed because only the event loop's
    thread writes (the ASGI middleware); a scrape reads a snapshot of each series."""

    def __init__(self, buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS) -> None:
        bounds = tuple(float(bound) for bound in buckets)
        if list(bounds) != sorted(bounds) or bounds[-1] != float("inf"):
            raise ValueError(f"histogram buckets must be ascending and end with +Inf, not {buckets}")
        self._bounds = bounds
        # The `le` labels as prometheus_client's Histogram writes them ("0.005", "10.0", "+Inf").
        self._le = tuple(floatToGoString(bound) for bound in bounds)  # type: ignore[no-untyped-call]  # the library leaves it unannotated
        self._series: dict[tuple[str, str, str, int], _Series] = {}
        self._latencies: dict[tuple[str, str, str], _Latency] = {}

    def observe(self, service: str, method: str, route: str, status_code: int, seconds: float) -> None:
        """Counts one request and adds its duration to the route's histogram."""
        series = self._series.get((service, method, route, status_code))
        if series is None:
            series = self._add(service, method, route, status_code)
        series.count += 1
        latency = series.latency
        latency.total += seconds
        # The first bucket whose upper bound is ≥ the duration: Prometheus' `le`.
        latency.buckets[bisect_left(self._bounds, seconds)] += 1

    def _add(self, service: str, method: str, route: str, status_code: int) -> _Series:
        latency = self._latencies.setdefault((service, method, route), _Latency(len(self._bounds)))
        series = self._series[(service, method, route, status_code)] = _Series(latency)
        return series

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily("http_requests", "HTTP requests", labels=["service", "method", "route", "status"])
        for (service, method, route, status_code), series in list(self._series.items()):
            requests.add_metric([service, method, route, str(status_code)], series.count)
        latency = HistogramMetricFamily("http_request_duration_seconds", "HTTP request latency", labels=["service", "method", "route"])
        for labels, histogram in list(self._latencies.items()):
            cumulative = accumulate(list(histogram.buckets))
            latency.add_metric(list(labels), list(zip(self._le, cumulative, strict=True)), histogram.total)
        yield requests
        yield latency


REQUESTS = RequestMetrics()
REGISTRY.register(REQUESTS)

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
