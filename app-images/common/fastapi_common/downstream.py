"""Calls to other services: explicit timeouts, bounded retries of requests that were never sent, a
circuit breaker, the caller's API key and the trace context on every request.

Retries are only for requests that never reached the service (it could not be connected to), and so
are safe for every method, a POST included: nothing was sent, nothing can be done twice (httpx's own
transport retries the same way). Retrying a timeout or a 5xx would repeat work the callee may have
done, and with every tier retrying, one request at the edge would become attempts^tiers
computations at the bottom. The breaker counts only what is the callee's fault (5xx, timeouts,
connection errors), never a 4xx: a client's bad input must not open the circuit for everyone."""

import logging
from pathlib import Path
from typing import Any

import httpx
import pybreaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from .auth import API_KEY_HEADER, read_key_file
from .metrics import DOWNSTREAM
from .tracing import outgoing_headers

log = logging.getLogger(__name__)

# The request was never sent: safe to try again, nothing can have been done twice.
NOT_DELIVERED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class DownstreamUnavailable(Exception):
    """The downstream service failed, timed out, or its circuit is open."""


class _ServerError(Exception):
    """A 5xx answer, counted as a failure by the retry policy and the breaker."""

    def __init__(self, response: httpx.Response) -> None:
        # The path only: a query string may carry what must not reach the logs.
        super().__init__(f"{response.status_code} from {response.request.url.path}")
        self.response = response


class DownstreamClient:
    def __init__(
        self,
        name: str,
        base_url: str,
        key_file: Path | None,
        *,
        timeout_seconds: float = 2.0,
        attempts: int = 3,
        breaker_failures: int = 5,
        breaker_reset_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.key_file = key_file
        self.attempts = attempts
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=min(1.0, timeout_seconds)),
            transport=transport,
        )
        self.breaker = pybreaker.CircuitBreaker(fail_max=breaker_failures, reset_timeout=breaker_reset_seconds, name=name)

    @property
    def circuit_state(self) -> str:
        return self.breaker.current_state

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One logical call: retried only if it could not be sent, counted once by the breaker. Raises
        DownstreamUnavailable on failure; 4xx answers are returned to the caller."""
        try:
            with self.breaker.calling():
                response = await self._with_retries(method.upper(), path, **kwargs)
        except pybreaker.CircuitBreakerError as error:
            DOWNSTREAM.labels(self.name, "circuit_open").inc()
            raise DownstreamUnavailable(f"{self.name}: circuit open") from error
        except (httpx.TransportError, _ServerError) as error:
            DOWNSTREAM.labels(self.name, "failed").inc()
            log.warning("downstream call failed", extra={"target": self.name, "path": path.split("?", 1)[0], "error": f"{type(error).__name__}: {error}"})
            raise DownstreamUnavailable(f"{self.name}: {error}") from error
        DOWNSTREAM.labels(self.name, "ok").inc()
        return response

    async def _with_retries(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            retry=retry_if_exception_type(NOT_DELIVERED),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send(method, path, **kwargs)
        raise AssertionError("unreachable: tenacity reraises")

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**outgoing_headers(), **dict(kwargs.pop("headers", None) or {})}
        key = read_key_file(self.key_file)
        if key:
            headers[API_KEY_HEADER] = key
        response = await self.client.request(method, path, headers=headers, **kwargs)
        if response.status_code >= 500:
            raise _ServerError(response)
        return response

    async def aclose(self) -> None:
        await self.client.aclose()
