"""Persistence beyond a pod: the Postgres StatefulSet itself is deleted (its claim is not), the release
command recreates it, and the data written before is still there."""

import secrets
import time

import httpx

from . import ScenarioFailed
from .kube import expect, get, kubectl, live_pods, wait_until
from .platform import STACK, ScenarioPlatform

# CI needed 23.8 s once and 19.6 s once after control-plane-loss, the second time with no HTTP
# refusal before the write went through: the attempts before it got no answer at all (not
# recorded then) or the one attempt took that long. Every attempt is now reported with its time.
WRITE_SECONDS = 60


def statefulset_recreated(platform: ScenarioPlatform) -> dict:
    namespace = platform.namespace
    title = f"kept-{secrets.token_hex(4)}"
    write_accepted, attempts = _store_note(platform, title)
    claims_before = sorted(c["metadata"]["uid"] for c in _claims(namespace))
    kubectl("-n", namespace, "delete", "statefulset", "postgres", "--wait=true", timeout=200)
    wait_until(lambda: not live_pods(namespace, "postgres"), 120, "the database pod to go with its StatefulSet")
    started = time.monotonic()
    platform.release("deploy", STACK, "--refresh", "--yes")
    recreated = time.monotonic() - started
    found = wait_until(lambda: title in httpx.get(platform.url, timeout=30).text, 120, "the note to be listed again")
    claims_after = sorted(c["metadata"]["uid"] for c in _claims(namespace))
    expect(claims_after == claims_before, "the same claim (and so the same volume) came back")
    return {
        "note": title,
        "seconds_until_write_accepted": round(write_accepted, 1),
        "write_attempts": attempts,
        "release_recreate_seconds": round(recreated, 1),
        "seconds_until_note_listed": round(found, 1),
        "claims_kept": len(claims_after),
    }


def _store_note(platform: ScenarioPlatform, title: str) -> tuple[float, list[str]]:
    """Writes the note looked for later. It runs after the scenario that stops the control plane, so
    the write is retried for a bounded while; the seconds it took and the first attempts (the status
    and the page's reason, or the error when there was no answer, each with its time) are reported."""
    answers: list[str] = []

    def stored() -> bool:
        started = time.monotonic()
        try:
            created = httpx.post(
                f"{platform.url}/notes", data={"title": title, "body": "written before the StatefulSet was deleted"}, timeout=30, follow_redirects=True
            )
        except httpx.HTTPError as error:  # no answer at all: reported too, with how long it took
            answers.append(f"{type(error).__name__} after {time.monotonic() - started:.1f}s: {error}"[:200])
            raise
        answers.append(f"HTTP {created.status_code} after {time.monotonic() - started:.1f}s" + ("" if created.status_code == 200 else f" {created.text[:200]}"))
        return created.status_code == 200 and title in created.text

    try:
        return wait_until(stored, WRITE_SECONDS, "the note to be stored", interval=1), answers[:5]
    except ScenarioFailed:
        raise ScenarioFailed(f"the note was not stored within {WRITE_SECONDS}s; answers: {'; '.join(answers[-3:]) or 'none'}") from None


def _claims(namespace: str) -> list[dict]:
    return get(namespace, "pvc")["items"]
