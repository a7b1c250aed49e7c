"""Persistence beyond a pod: the Postgres StatefulSet itself is deleted (its claim is not), the release
command recreates it, and the data written before is still there."""

import secrets
import subprocess
import time
from collections.abc import Callable

import httpx

from . import ScenarioFailed
from .kube import expect, get, kubectl, live_pods, pod_url, ready_pods, service_backends, wait_until
from .platform import STACK, ScenarioPlatform

# CI needed 23.8 s once and 19.6 s once after control-plane-loss; at 3012c22 the first attempt got
# no TCP connection within its 30 s (ConnectTimeout) and the next one was answered at once. A short
# connect timeout lets the attempts show how long a dead path lasts, and after each connection
# failure every ready frontend pod is asked directly, which tells a pod that does not take
# connections from a Service path that leads nowhere. The CI run of 8d8ed2d caught it: a 5 s
# ConnectTimeout through the LoadBalancer address while all three ready pods answered 200 directly,
# then 200 at once. So after a connection failure the record also holds where the Service leads:
# its EndpointSlices beside kube-proxy's DNAT targets (which serve the load-balancer address) and
# Cilium's backends.
WRITE_SECONDS = 60
WRITE_TIMEOUT = httpx.Timeout(30, connect=5)


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
            note = {"title": title, "body": "written before the StatefulSet was deleted"}
            created = httpx.post(f"{platform.url}/notes", data=note, timeout=WRITE_TIMEOUT, follow_redirects=True)
        except httpx.HTTPError as error:  # no answer at all: reported too, with how long it took
            answers.append(f"{type(error).__name__} after {time.monotonic() - started:.1f}s: {error}"[:200])
            if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
                answers.append(f"pods asked directly: {_diagnosis(lambda: _frontend_pods_answering(platform))}")
                answers.append(f"where the Service leads: {_diagnosis(lambda: service_backends(platform.namespace, 'frontend'))}")
            raise
        answers.append(f"HTTP {created.status_code} after {time.monotonic() - started:.1f}s" + ("" if created.status_code == 200 else f" {created.text[:200]}"))
        return created.status_code == 200 and title in created.text

    try:
        return wait_until(stored, WRITE_SECONDS, "the note to be stored", interval=1), answers[:12]
    except ScenarioFailed:
        raise ScenarioFailed(f"the note was not stored within {WRITE_SECONDS}s; answers: {'; '.join(answers[-3:]) or 'none'}") from None


def _diagnosis(look: Callable[[], object]) -> object:
    """What a diagnostic found, or why it found nothing: looking must never change the outcome."""
    try:
        return look()
    except (ScenarioFailed, subprocess.SubprocessError, OSError, KeyError, ValueError, httpx.HTTPError) as error:
        return f"{type(error).__name__}: {error}"[:200]


def _frontend_pods_answering(platform: ScenarioPlatform) -> dict[str, str]:
    """Each ready frontend pod (its IP) and what its /livez answered when asked past every Service."""
    found = {}
    for pod in ready_pods(platform.namespace, platform.live_frontend()):
        try:
            answer = str(httpx.get(f"{pod_url(pod)}/livez", timeout=2).status_code)
        except httpx.HTTPError as error:
            answer = type(error).__name__
        found[pod["status"]["podIP"]] = answer
    return found


def _claims(namespace: str) -> list[dict]:
    return get(namespace, "pvc")["items"]
