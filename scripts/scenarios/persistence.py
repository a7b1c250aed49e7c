"""Persistence beyond a pod: the Postgres StatefulSet itself is deleted (its claim is not), the release
command recreates it, and the data written before is still there."""

import secrets
import time

import httpx

from .kube import expect, get, kubectl, live_pods, wait_until
from .platform import STACK, ScenarioPlatform


def statefulset_recreated(platform: ScenarioPlatform) -> dict:
    namespace = platform.namespace
    title = f"kept-{secrets.token_hex(4)}"
    created = httpx.post(
        f"{platform.url}/notes", data={"title": title, "body": "written before the StatefulSet was deleted"}, timeout=30, follow_redirects=True
    )
    expect(created.status_code == 200 and title in created.text, f"the note was stored (HTTP {created.status_code})")
    claims_before = sorted(c["metadata"]["uid"] for c in _claims(namespace))
    kubectl("-n", namespace, "delete", "statefulset", "postgres", "--wait=true", timeout=200)
    wait_until(lambda: not live_pods(namespace, "postgres"), 120, "the database pod to go with its StatefulSet")
    started = time.monotonic()
    platform.release("deploy", STACK, "--refresh", "--yes")
    recreated = time.monotonic() - started
    found = wait_until(lambda: title in httpx.get(platform.url, timeout=30).text, 120, "the note to be listed again")
    claims_after = sorted(c["metadata"]["uid"] for c in _claims(namespace))
    expect(claims_after == claims_before, "the same claim (and so the same volume) came back")
    return {"note": title, "release_recreate_seconds": round(recreated, 1), "seconds_until_note_listed": round(found, 1), "claims_kept": len(claims_after)}


def _claims(namespace: str) -> list[dict]:
    return get(namespace, "pvc")["items"]
