"""A bounded load loop: GETs one path again and again from a background thread, capped both in
requests and in seconds, and counts what failed. Traffic goes only to the cluster on this machine."""

import ssl
import threading
import time
from dataclasses import dataclass, field

import httpx


def routed_client(url: str, host: str | None = None, *, verify: bool | ssl.SSLContext = True, **options: object) -> httpx.Client:
    """A client of `url`; with `host`, of that route of the ingress controller at `url`'s address,
    as a client whose DNS resolves the host there would: the host as Host and as the TLS server name."""
    if host is None:
        return httpx.Client(base_url=url, verify=verify, **options)  # type: ignore[arg-type]

    def name_the_host(request: httpx.Request) -> None:
        request.extensions["sni_hostname"] = host

    return httpx.Client(base_url=url, headers={"Host": host}, verify=verify, event_hooks={"request": [name_the_host]}, **options)  # type: ignore[arg-type]


@dataclass
class LoadFigures:
    requests: int = 0
    failed: int = 0
    # Attempts whose connection was refused before anything was sent, and which were sent again on a
    # new connection (only where the loop allows it, as a proxy retrying connect failures would):
    # what a crashed pod costs until its process listens again or its endpoint goes.
    retried_undelivered: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "failed": self.failed,
            "retried_undelivered": self.retried_undelivered,
            "seconds": round(self.seconds, 1),
            "requests_per_second": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "first_failures": self.failures[:5],
        }


class BoundedLoad:
    """`with BoundedLoad(url) as load:` runs the loop for the block; `load.figures` after it.
    `undelivered_retries`: how often a request whose connection was refused is sent again (default
    0: a refused connection is a failed request). `host`: the name sent as Host and as the TLS
    server name, to load a route of the ingress controller at its address (`verify` False where
    nobody issued the route's certificate)."""

    def __init__(
        self,
        url: str,
        path: str = "/version",
        *,
        max_requests: int = 6000,
        max_seconds: float = 300,
        interval: float = 0.05,
        expect_text: str | None = None,
        undelivered_retries: int = 0,
        host: str | None = None,
        verify: bool = True,
    ) -> None:
        self.url, self.path = url, path
        self.host, self.verify = host, verify
        self.undelivered_retries = undelivered_retries
        self.max_requests, self.max_seconds, self.interval = max_requests, max_seconds, interval
        self.expect_text = expect_text
        self.figures = LoadFigures()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run, daemon=True)

    def _one(self, http: httpx.Client) -> str | None:
        """None when the request succeeded, else what went wrong."""
        for attempt in range(self.undelivered_retries + 1):
            try:
                response = http.get(self.path)
            except httpx.ConnectError as error:  # refused or unreachable: the request never left
                if attempt < self.undelivered_retries:
                    self.figures.retried_undelivered += 1
                    continue
                return f"{type(error).__name__}: {error}"
            except httpx.HTTPError as error:
                return f"{type(error).__name__}: {error}"
            if response.status_code != 200:
                return f"HTTP {response.status_code}"
            if self.expect_text and self.expect_text not in response.text:
                return f"page without {self.expect_text!r}"
            return None
        return "unreachable"

    def _run(self) -> None:
        started = time.monotonic()
        # A fresh connection per request, as many independent users would make: kube-proxy balances
        # connections, not requests, so a kept-alive one would pin every request to one pod.
        with routed_client(self.url, self.host, verify=self.verify, timeout=5, limits=httpx.Limits(max_keepalive_connections=0)) as http:
            while not self._stop.is_set() and self.figures.requests < self.max_requests and time.monotonic() - started < self.max_seconds:
                problem = self._one(http)
                self.figures.requests += 1
                if problem:
                    self.figures.failed += 1
                    self.figures.failures.append(problem)
                time.sleep(self.interval)
        self.figures.seconds = time.monotonic() - started

    def run_out(self) -> None:
        """Waits until the loop reaches one of its bounds (requests or seconds)."""
        self._worker.join(self.max_seconds + 30)

    def __enter__(self) -> "BoundedLoad":
        self._worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._worker.join(30)
