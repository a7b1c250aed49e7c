"""Service-to-service authentication with API keys read from mounted Secret files."""

import hmac
import logging
import time
from pathlib import Path

from fastapi import HTTPException, status
from fastapi.routing import APIRoute

from .asgi import Receive, Scope, Send, raw_header

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
_API_KEY_HEADER_NAME = API_KEY_HEADER.lower().encode()
KEY_FILES = ("current", "previous")


class KeyStore:
    """Every key under `directory/<caller>/{current,previous}`; both slots are valid so a key can
    rotate without downtime. Files are re-read periodically: mounted Secrets change in place."""

    def __init__(self, directory: Path | None, reload_seconds: float = 5.0) -> None:
        self.directory = directory
        self.reload_seconds = reload_seconds
        self._keys: list[bytes] = []
        self._loaded_at = float("-inf")

    def _load(self) -> list[bytes]:
        if self.directory is None or not self.directory.is_dir():
            return []
        keys = []
        for caller in sorted(p for p in self.directory.iterdir() if p.is_dir()):
            for name in KEY_FILES:
                path = caller / name
                if path.is_file():
                    key = path.read_text().strip()
                    if key:
                        keys.append(key.encode())
        return keys

    def keys(self) -> list[bytes]:
        now = time.monotonic()
        if now - self._loaded_at > self.reload_seconds:
            self._keys = self._load()
            self._loaded_at = now
            if not self._keys:
                log.warning("no API keys configured; every authenticated call will be refused")
        return self._keys

    def accepts(self, presented: bytes | None) -> bool:
        """Whether `presented` (a header's bytes, as the client sent them) is one of the keys."""
        if not presented:
            return False
        # Compare against every key, without stopping early, in constant time per key.
        matched = False
        for key in self.keys():
            matched |= hmac.compare_digest(presented, key)
        return matched


def key_protected(store: str = "key_store") -> type[APIRoute]:
    """A route class for routers whose every route needs a key: `APIRouter(route_class=
    key_protected())`. A request without a key that `app.state.<store>` accepts gets 401 without
    detail before FastAPI reads or validates anything. A route class rather than a dependency:
    FastAPI solves dependencies on every request, and this check as one cost about 30 µs per
    request (docs/performance.md)."""

    class KeyProtectedRoute(APIRoute):
        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            # A method the route lacks is answered 405 as on any route: the key does not change it.
            method_allowed = not self.methods or scope["method"] in self.methods
            keys: KeyStore = getattr(scope["app"].state, store)
            if method_allowed and not keys.accepts(raw_header(scope, _API_KEY_HEADER_NAME)):
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="unauthorized")
            await super().handle(scope, receive, send)

    KeyProtectedRoute.__qualname__ = KeyProtectedRoute.__name__ = f"KeyProtectedRoute[{store}]"
    return KeyProtectedRoute


def read_key_file(path: Path | None) -> str | None:
    """The key a caller sends, read from its mounted file (None when not configured)."""
    if path is None or not path.is_file():
        return None
    return path.read_text().strip() or None
