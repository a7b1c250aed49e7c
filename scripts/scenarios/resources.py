"""Resources: the namespace's quota and container defaults as the API server enforces them, and a
container that outgrows its memory limit."""

import time

import httpx

from .kube import (
    apply,
    expect,
    get,
    is_ready,
    kubectl,
    live_pods,
    pod,
    pod_url,
    ready_pods,
    restart_count,
    restricted_container,
    wait_until,
)
from .load import BoundedLoad
from .platform import OOM_ROWS, ScenarioPlatform

MI = 1024 * 1024


def quantity(value: str) -> float:
    """CPU in cores or memory in bytes, from a Kubernetes quantity."""
    units = {"m": 1e-3, "Ki": 1024, "Mi": MI, "Gi": 1024 * MI, "k": 1e3, "M": 1e6, "G": 1e9}
    for unit, factor in sorted(units.items(), key=lambda u: -len(u[0])):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def peak_requests(namespace: str) -> dict:
    """CPU and memory requested, and pods, with every workload at its largest: HPA maximum (or its
    replica count) plus the rolling update's surge pod."""
    hpa_max = {h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"] for h in get(namespace, "hpa")["items"]}
    total = {"cpu": 0.0, "memory": 0.0, "pods": 0}
    workloads = get(namespace, "deployments")["items"] + get(namespace, "statefulsets")["items"]
    for workload in workloads:
        name = workload["metadata"]["name"]
        surge = 1 if workload["kind"] == "Deployment" else 0
        replicas = hpa_max.get(name, workload["spec"]["replicas"]) + surge
        for container in workload["spec"]["template"]["spec"]["containers"]:
            requests = container.get("resources", {}).get("requests", {})
            total["cpu"] += replicas * quantity(requests.get("cpu", "0"))
            total["memory"] += replicas * quantity(requests.get("memory", "0"))
        total["pods"] += replicas
    return total


def frontend_image(platform: ScenarioPlatform) -> str:
    return get(platform.namespace, "deployment", platform.live_frontend())["spec"]["template"]["spec"]["containers"][0]["image"]


def second_app(platform: ScenarioPlatform, name: str, replicas: int, cpu: str, memory: str) -> dict:
    """Another FastAPI app (the frontend's image, standalone) with the given requests and limits."""
    labels = {"app.kubernetes.io/name": name}
    container = restricted_container(
        name,
        frontend_image(platform),
        env=[{"name": "SERVICE_NAME", "value": name}],
        resources={"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}},
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": platform.namespace, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container], "automountServiceAccountToken": False}},
        },
    }


def quota(platform: ScenarioPlatform) -> dict:
    """The quota admits the platform at its peak; an app that fits what is left is admitted, one
    that does not is refused with the API server's message; a pod without resources gets the
    LimitRange's defaults."""
    namespace = platform.namespace
    [resource_quota] = get(namespace, "resourcequota")["items"]
    hard = resource_quota["status"]["hard"]
    peak = peak_requests(namespace)
    expect(
        peak["cpu"] <= quantity(hard["requests.cpu"]) and peak["memory"] <= quantity(hard["requests.memory"]) and peak["pods"] <= int(hard["pods"]),
        f"the platform's peak {peak} fits the quota {hard}",
    )
    used = get(namespace, "resourcequota", resource_quota["metadata"]["name"])["status"]["used"]
    left_cpu = quantity(hard["requests.cpu"]) - quantity(used["requests.cpu"])
    figures = {
        "hard": hard,
        "used_before": used,
        "platform_peak": {"cpu_cores": round(peak["cpu"], 3), "memory_mib": round(peak["memory"] / MI), "pods": peak["pods"]},
    }
    try:
        fits_cpu = f"{int(left_cpu * 1000 / 4)}m"  # a quarter of what is left
        apply(second_app(platform, "second-app", 1, fits_cpu, "64Mi"))
        wait_until(lambda: ready_pods(namespace, "second-app"), 120, "the second app that fits the quota to run")
        over_cpu = f"{int(left_cpu * 1000 / 2)}m"  # three of these cannot fit beside the first
        apply(second_app(platform, "oversized-app", 3, over_cpu, "64Mi"))
        message = wait_until_value(lambda: replica_failure(namespace, "oversized-app"), 60, "the oversized app to be refused")
        expect("exceeded quota" in message, f"the refusal names the quota: {message}")
        figures.update(
            second_app_cpu=fits_cpu,
            oversized_app={"replicas": 3, "cpu_each": over_cpu, "admitted": len(live_pods(namespace, "oversized-app")), "api_server_message": message},
        )
        expect(figures["oversized_app"]["admitted"] < 3, "not every replica of the oversized app was admitted")
        figures["limit_range_defaults"] = limit_range_defaults(platform)
    finally:
        for name in ("second-app", "oversized-app"):
            kubectl("-n", namespace, "delete", "deployment", name, "--ignore-not-found", "--wait=true", timeout=120)
    return figures


def wait_until_value(produce, seconds: float, what: str):
    found: list = []
    wait_until(lambda: found.append(produce()) or found[-1], seconds, what)
    return found[-1]


def replica_failure(namespace: str, deployment: str) -> str | None:
    for replica_set in get(namespace, "replicasets", "-l", f"app.kubernetes.io/name={deployment}")["items"]:
        for condition in replica_set["status"].get("conditions") or []:
            if condition["type"] == "ReplicaFailure" and condition["status"] == "True":
                return condition["message"]
    return None


def limit_range_defaults(platform: ScenarioPlatform) -> dict:
    """A pod created without resources carries the LimitRange's default requests and limits."""
    namespace = platform.namespace
    [limit_range] = get(namespace, "limitrange")["items"]
    container_limits = next(limit for limit in limit_range["spec"]["limits"] if limit["type"] == "Container")
    image = frontend_image(platform)
    apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "no-resources", "namespace": namespace},
            "spec": {
                "restartPolicy": "Never",
                "automountServiceAccountToken": False,
                "containers": [restricted_container("main", image, command=["python", "-c", "pass"])],
            },
        }
    )
    try:
        resources = pod(namespace, "no-resources")["spec"]["containers"][0]["resources"]
    finally:
        kubectl("-n", namespace, "delete", "pod", "no-resources", "--wait=false")
    expect(
        resources.get("requests") == container_limits["defaultRequest"] and resources.get("limits") == container_limits["default"],
        f"the pod got the LimitRange defaults: {resources} vs {container_limits}",
    )
    return resources


def out_of_memory(platform: ScenarioPlatform) -> dict:
    """An analytics request whose data set outgrows the container's memory limit: the kernel kills the
    container (OOMKilled), the kubelet restarts it, and the other tiers keep serving."""
    namespace = platform.namespace
    [target] = ready_pods(namespace, "analytics")
    pod_name, before = target["metadata"]["name"], restart_count(target)
    limit = target["spec"]["containers"][0]["resources"]["limits"]["memory"]
    key = platform.service_key("backend", "analytics")
    with BoundedLoad(platform.url, "/", max_requests=3000, max_seconds=180, expect_text="FastAPI on Kubernetes") as load:
        time.sleep(2)
        started = time.monotonic()
        try:
            answer = httpx.get(f"{pod_url(target)}/api/stats", params={"rows": OOM_ROWS}, headers={"X-API-Key": key}, timeout=120)
            outcome = f"HTTP {answer.status_code}"
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        wait_until(lambda: restart_count(pod(namespace, pod_name)) > before, 120, "the analytics container to be restarted")
        killed = time.monotonic() - started
        ready = wait_until(lambda: is_ready(pod(namespace, pod_name)), 120, "analytics to be Ready again")
        time.sleep(2)
    status = pod(namespace, pod_name)["status"]["containerStatuses"][0]
    reason = status.get("lastState", {}).get("terminated", {}).get("reason")
    expect(reason == "OOMKilled", f"the container ended {reason!r}, not OOMKilled")
    figures = load.figures.as_dict()
    expect(load.figures.requests > 50 and load.figures.failed == 0, f"the page kept being served while analytics was killed: {figures}")
    return {
        "pod": pod_name,
        "memory_limit": limit,
        "rows_requested": OOM_ROWS,
        "request_outcome": outcome,
        "reason": reason,
        "restart_count": [before, status["restartCount"]],
        "seconds_to_kill_and_restart": round(killed, 1),
        "seconds_restart_to_ready": round(ready, 1),
        "frontend_load": figures,
    }
