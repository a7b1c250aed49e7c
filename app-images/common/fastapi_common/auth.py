"""Service-to-service authentication with API keys read from mounted Secret files."""

import hmac
import logging
import time
from pathlib import Path

from fastapi import HTTPException, Request, status

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
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

    def accepts(self, presented: str | None) -> bool:
        if not presented:
            return False
        candidate = presented.encode()
        # Compare against every key, without stopping early, in constant time per key.
        matched = False
        for key in self.keys():
            matched |= hmac.compare_digest(candidate, key)
        return matched


async def require_api_key(request: Request) -> None:
    """FastAPI dependency: 401 without detail unless the request carries a valid key. Async: a
    plain function would send every authenticated request through the thread pool."""
    store: KeyStore = request.app.state.key_store
    if not store.accepts(request.headers.get(API_KEY_HEADER)):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="unauthorized")


def read_key_file(path: Path | None) -> str | None:
    """The key a caller sends, read from its mounted file (None when not configured)."""
    if path is None or not path.is_file():
        return None
    return path.read_text().strip() or None
