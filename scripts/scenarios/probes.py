"""Probes, with the services' failure injection driven the way an operator would: POST /fault/* on
one pod with the operator key (Secret <tier>-key-operator)."""

import copy
import time

import httpx

from .kube import (
    apply,
    endpoint_ready,
    expect,
    get,
    is_ready,
    kubectl,
    live_pods,
    pod,
    pod_url,
    ready_pods,
    restart_count,
    wait_until,
)
from .load import BoundedLoad
from .platform import ScenarioPlatform


def inject(platform: ScenarioPlatform, target: dict, fault: str) -> None:
    """POST /fault/<fault> on one pod, straight to its address on the node's pod network."""
    response = httpx.post(f"{pod_url(target)}/fault/{fault}", headers={"X-API-Key": platform.operator_key("frontend")}, timeout=5)
    expect(response.status_code == 200, f"/fault/{fault} on {target['metadata']['name']} answered {response.status_code}")


def liveness_failure(platform: ScenarioPlatform) -> dict:
    """Liveness fails on one pod → the kubelet restarts its container; the pod comes back Ready."""
    name = platform.live_frontend()
    target = ready_pods(platform.namespace, name)[0]
    pod_name, before = target["metadata"]["name"], restart_count(target)
    inject(platform, target, "liveness")
    restarted = wait_until(lambda: restart_count(pod(platform.namespace, pod_name)) > before, 120, f"{pod_name} to be restarted")
    ready_again = wait_until(lambda: is_ready(pod(platform.namespace, pod_name)), 120, f"{pod_name} to be Ready again")
    after = pod(platform.namespace, pod_name)
    expect(after["metadata"]["uid"] == target["metadata"]["uid"], "the same pod was restarted in place, not replaced")
    return {
        "pod": pod_name,
        "restart_count": [before, restart_count(after)],
        "seconds_to_restart": round(restarted, 1),
        "seconds_restart_to_ready": round(ready_again, 1),
    }


def readiness_failure(platform: ScenarioPlatform) -> dict:
    """Readiness fails on one of ≥2 replicas → it leaves the Service's endpoints but keeps running,
    and a load loop through the Service sees no failed request."""
    name = platform.live_frontend()
    pods = ready_pods(platform.namespace, name)
    expect(len(pods) >= 2, f"{len(pods)} ready {name} pods; the scenario needs at least 2")
    target = pods[0]
    pod_name, ip, restarts = target["metadata"]["name"], target["status"]["podIP"], restart_count(target)
    with BoundedLoad(platform.url, max_requests=3000, max_seconds=120) as load:
        time.sleep(2)
        inject(platform, target, "readiness")
        left = wait_until(lambda: endpoint_ready(platform.namespace, "frontend", ip) is False, 60, f"{ip} to leave the ready endpoints")
        time.sleep(10)  # serving on the remaining pods for a while, with the broken one still running
        still = pod(platform.namespace, pod_name)
        expect(
            still["status"]["phase"] == "Running" and restart_count(still) == restarts,
            f"{pod_name} kept running without a restart (phase {still['status']['phase']}, restarts {restart_count(still)})",
        )
        inject(platform, target, "reset")
        back = wait_until(lambda: endpoint_ready(platform.namespace, "frontend", ip) is True, 60, f"{ip} to be ready again")
        time.sleep(2)
    figures = load.figures.as_dict()
    expect(load.figures.requests > 50 and load.figures.failed == 0, f"load through the Service during the readiness failure: {figures}")
    return {"pod": pod_name, "seconds_to_leave_endpoints": round(left, 1), "seconds_to_return": round(back, 1), "load": figures}


def slow_start(platform: ScenarioPlatform) -> dict:
    """A start within the startup probe's allowance is waited for (no restart, liveness held off); a
    start slower than the allowance is restarted. Runs two copies of the platform's own analytics
    pod spec, outside its Service, with a start-up delay and allowance each."""
    cases = {"within": {"delay": 12, "allowance": 30}, "beyond": {"delay": 40, "allowance": 10}}
    names = {case: f"analytics-start-{case}" for case in cases}
    for case, times in cases.items():
        apply(slow_start_copy(platform, names[case], **times))
    try:
        within = names["within"]
        started = time.monotonic()
        wait_until(lambda: ready_pods(platform.namespace, within), 120, f"{within} to become Ready")
        ready_seconds = time.monotonic() - started
        within_pod = live_pods(platform.namespace, within)[0]
        beyond = names["beyond"]
        wait_until(lambda: restart_count(live_pods(platform.namespace, beyond)[0]) >= 1, 120, f"{beyond} to be restarted")
        beyond_pod = live_pods(platform.namespace, beyond)[0]
        within_events = probe_events(platform.namespace, within_pod["metadata"]["name"])
        beyond_events = probe_events(platform.namespace, beyond_pod["metadata"]["name"])
    finally:
        for name in names.values():
            kubectl("-n", platform.namespace, "delete", "deployment", name, "--ignore-not-found", "--wait=false")
    expect(restart_count(within_pod) == 0, f"{within} was restarted although it started within its allowance")
    expect(
        within_events["startup_failures"] > 0 and within_events["liveness_failures"] == 0,
        f"{within}: the startup probe held the other probes off while it started ({within_events})",
    )
    expect(not is_ready(beyond_pod), f"{beyond} never became Ready")
    expect(beyond_events["restarts_for_startup"] > 0, f"{beyond}: restarted for failing its startup probe ({beyond_events})")
    return {
        "within_allowance": {**cases["within"], "seconds_to_ready": round(ready_seconds, 1), "restarts": 0, **within_events},
        "beyond_allowance": {**cases["beyond"], "restarts": restart_count(beyond_pod), "ready": False, **beyond_events},
    }


def slow_start_copy(platform: ScenarioPlatform, name: str, delay: int, allowance: int) -> dict:
    """The live analytics Deployment, renamed (so no Service selects it) and started slowly."""
    deployment = copy.deepcopy(get(platform.namespace, "deployment", "analytics"))
    labels = {**deployment["spec"]["template"]["metadata"]["labels"], "app.kubernetes.io/name": name}
    template = deployment["spec"]["template"]
    template["metadata"] = {"labels": labels, "annotations": template["metadata"].get("annotations", {})}
    container = template["spec"]["containers"][0]
    container.setdefault("env", []).append({"name": "STARTUP_DELAY_SECONDS", "value": str(delay)})
    period = container["startupProbe"]["periodSeconds"]
    container["startupProbe"]["failureThreshold"] = max(1, allowance // period)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": platform.namespace, "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {k: v for k, v in labels.items() if k in deployment["spec"]["selector"]["matchLabels"]}},
            "template": template,
        },
    }


def probe_events(namespace: str, pod_name: str) -> dict:
    """Counts of the kubelet's probe events for one pod."""
    events = get(namespace, "events", "--field-selector", f"involvedObject.name={pod_name}")["items"]

    def count(predicate) -> int:
        return sum(e.get("count", 1) for e in events if predicate(e.get("reason", ""), e.get("message", "")))

    return {
        "startup_failures": count(lambda r, m: r == "Unhealthy" and m.startswith("Startup probe failed")),
        "liveness_failures": count(lambda r, m: r == "Unhealthy" and m.startswith("Liveness probe failed")),
        "restarts_for_startup": count(lambda r, m: r == "Killing" and "failed startup probe" in m),
    }
