"""Persistence beyond a pod: the Postgres StatefulSet itself is deleted (its claim is not), the release
command recreates it, and the data written before is still there."""

import secrets
import subprocess
import time
from collections.abc import Callable
from datetime import datetime

import httpx

from . import ScenarioFailed
from .datapath import cilium_drops, conntrack_paths, service_backends
from .kube import expect, get, kubectl, live_pods, pod_url, ready_pods, wait_until
from .platform import STACK, ScenarioPlatform

# The first write after control-plane-loss sometimes got no TCP connection in CI (a 5 s
# ConnectTimeout through the load-balancer address, then 200 at once). The diagnostics below found
# why: the frontend pod replaced right after the outage kept Cilium's reserved:init identity until
# the agent listed pods again (55 s), so outside traffic to it was dropped ("Policy denied INGRESS",
# the SYN unreplied) while its probes from the host passed. control-plane-loss now waits for that.
# After a connection failure the record still holds each ready pod asked directly, where the Service
# leads (EndpointSlices, kube-proxy's DNAT targets, Cilium's backends), the kernel's tracked
# connections to the address and the packets Cilium dropped since the write began.
WRITE_SECONDS = 60
WRITE_TIMEOUT = httpx.Timeout(30, connect=5)


def statefulset_recreated(platform: ScenarioPlatform) -> dict:
    namespace = platform.namespace
    title = f"kept-{secrets.token_hex(4)}"
    write_accepted, attempts = _store_note(platform, title)
    claims_before = sorted(c["metadata"]["uid"] for c in _claims(namespace))
    kubectl("-n", namespace, "delete", "statefulset", "postgres", "--wait=true", timeout=200)
    wait_until(lambda: not live_pods(namespace, "postgres"), 120, "the database pod to go with its StatefulSet")
    started, started_at = time.monotonic(), time.time()
    released = platform.release("deploy", STACK, "--refresh", "--yes")
    recreated = time.monotonic() - started
    timeline = _diagnosis(lambda: _recreate_timeline(namespace, started_at))
    found = wait_until(lambda: title in httpx.get(platform.url, timeout=30).text, 120, "the note to be listed again")
    claims_after = sorted(c["metadata"]["uid"] for c in _claims(namespace))
    expect(claims_after == claims_before, "the same claim (and so the same volume) came back")
    return {
        "note": title,
        "seconds_until_write_accepted": round(write_accepted, 1),
        "write_attempts": attempts,
        "release_recreate_seconds": round(recreated, 1),
        "recreate_timeline": timeline,
        # The release's closing line: its time in each phase (open, refresh, preview, apply, validation).
        "release_phases": next((line for line in reversed(released.splitlines()) if ": released" in line), "no closing line"),
        "seconds_until_note_listed": round(found, 1),
        "claims_kept": len(claims_after),
    }


def _store_note(platform: ScenarioPlatform, title: str) -> tuple[float, list[str]]:
    """Writes the note looked for later. It runs after the scenario that stops the control plane, so
    the write is retried for a bounded while; the seconds it took and the first attempts (the status
    and the page's reason, or the error when there was no answer, each with its time) are reported."""
    answers: list[str] = []
    drops_before = _diagnosis(cilium_drops)

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
                answers.append(f"tracked connections: {_diagnosis(lambda: conntrack_paths(platform.address, platform.port))}")
                answers.append(f"Cilium drops since the write began: {_diagnosis(lambda: _drops_since(drops_before))}")
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


def _recreate_timeline(namespace: str, started_at: float) -> dict[str, float]:
    """When (seconds after the release began, to the API's whole second) the StatefulSet came back and
    its pod was created, scheduled, initialized and ready: what a long recreate spent its time on."""
    statefulset = get(namespace, "statefulset", "postgres")
    pods = live_pods(namespace, "postgres")
    if len(pods) != 1:
        raise ValueError(f"expected one database pod, found {len(pods)}")
    moments = {"statefulset_created": statefulset["metadata"]["creationTimestamp"], "pod_created": pods[0]["metadata"]["creationTimestamp"]}
    for condition in pods[0]["status"].get("conditions") or []:
        if condition["type"] in ("PodScheduled", "Initialized", "Ready"):
            moments[f"pod_{condition['type'].lower()}"] = condition["lastTransitionTime"]
    seconds = {step: round(datetime.fromisoformat(moment).timestamp() - started_at, 1) for step, moment in moments.items()}
    return dict(sorted(seconds.items(), key=lambda step: step[1]))


def _drops_since(before: object) -> dict[str, float]:
    """The drop counters that grew since `before` (a cilium_drops() reading, or why there was none)."""
    if not isinstance(before, dict):
        raise ValueError(f"no drop counts from before the write: {before}")
    return {reason: count - before.get(reason, 0) for reason, count in cilium_drops().items() if count != before.get(reason, 0)}


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
