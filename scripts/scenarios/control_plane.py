"""Control-plane loss: with the API server, controller manager and scheduler stopped, the node keeps
serving (kube-proxy's rules and the kubelet work on their own) and the kubelet still restarts a
crashed container; once the control plane is back, a deleted pod is replaced again, and serves
traffic from outside once Cilium's agent has caught up with the API server."""

import time

import httpx

from .datapath import CILIUM_INIT_IDENTITY, cilium_endpoints
from .kube import cluster, container_name, expect, kill_server_process, kubectl, node_container, pod_url, ready_pods, replace_pods, wait_until
from .load import BoundedLoad
from .platform import FRONTEND_REPLICAS, ScenarioPlatform

OUTAGE_SECONDS = 60
# After an outage, Cilium's agent lists from the API server again only when its watches' backoff
# allows: client-go waits up to 30 s between attempts, plus as much again in jitter. Until then a new
# pod keeps the reserved:init identity, whose policy admits only the host, so the kubelet's probes
# pass and the pod turns Ready while traffic from outside is dropped. Measured at 55 s once (the
# stalled write statefulset-recreated used to catch); a bound past the backoff's worst case.
POLICY_CATCH_UP_SECONDS = 150
AFTER_RECOVERY_REQUESTS = 60


def control_plane_loss(platform: ScenarioPlatform) -> dict:
    namespace, name = platform.namespace, platform.live_frontend()
    pods = ready_pods(namespace, name)
    expect(len(pods) == FRONTEND_REPLICAS, f"{FRONTEND_REPLICAS} ready {name} pods to start from")
    target = pods[0]
    figures: dict = {}
    stopped = time.monotonic()
    cluster("stop-control-plane")
    try:
        expect(kubectl("get", "--raw", "/readyz", check=False, timeout=20).returncode != 0, "the API server is down")
        with BoundedLoad(platform.url, max_requests=3000, max_seconds=OUTAGE_SECONDS) as serving:
            time.sleep(OUTAGE_SECONDS + 1)
        figures["served_while_down"] = serving.figures.as_dict()
        # A crash while the API server is away: only the kubelet can restart the container.
        pod_name, container = target["metadata"]["name"], container_name(target)
        killed_id = kill_server_process(pod_name, container)
        restarted = wait_until(
            lambda: (
                (node_container(pod_name, container) or (killed_id,))[0] != killed_id and httpx.get(f"{pod_url(target)}/livez", timeout=2).status_code == 200
            ),
            120,
            f"the kubelet to restart {pod_name}'s container without the API server",
        )
        figures["kubelet_restart_without_api_seconds"] = round(restarted, 1)
    finally:
        restarting = time.monotonic()
        cluster("up")
        figures["control_plane_down_seconds"] = round(restarting - stopped, 1)
        figures["control_plane_restart_seconds"] = round(time.monotonic() - restarting, 1)
    expect(
        serving.figures.requests > 50 and serving.figures.failed == 0, f"the page was served while the control plane was down: {figures['served_while_down']}"
    )
    expect(serving.figures.seconds >= OUTAGE_SECONDS - 1, f"the load ran the whole outage ({serving.figures.seconds:.0f}s)")
    recovered = time.monotonic()
    victim = ready_pods(namespace, name)[0]["metadata"]["name"]
    figures["replacement_after_recovery_seconds"] = round(replace_pods(namespace, name, [victim], FRONTEND_REPLICAS), 1)
    # How long the replacement was Ready while Cilium still dropped outside traffic to it.
    without_policy = wait_until(lambda: _policy_caught_up(namespace, name), POLICY_CATCH_UP_SECONDS, f"Cilium to give every {name} pod its identity")
    figures["replacement_ready_without_policy_seconds"] = round(without_policy, 1)
    figures["policy_caught_up_after_recovery_seconds"] = round(time.monotonic() - recovered, 1)
    with BoundedLoad(platform.url, max_requests=AFTER_RECOVERY_REQUESTS, max_seconds=60) as after:
        after.run_out()
    figures["served_after_recovery"] = after.figures.as_dict()
    expect(
        after.figures.requests == AFTER_RECOVERY_REQUESTS and after.figures.failed == 0,
        f"every pod served through the Service once Cilium caught up: {figures['served_after_recovery']}",
    )
    return figures


def _policy_caught_up(namespace: str, name: str) -> bool:
    """Every ready pod of `name` has a Cilium endpoint with its own identity (no longer reserved:init),
    and its datapath has been rebuilt for it (the endpoint is ready again)."""
    endpoints = cilium_endpoints(namespace)
    pods = [pod["metadata"]["name"] for pod in ready_pods(namespace, name)]
    return len(pods) == FRONTEND_REPLICAS and all(_has_own_policy(*endpoints.get(pod, (CILIUM_INIT_IDENTITY, "missing"))) for pod in pods)


def _has_own_policy(identity: int, state: str) -> bool:
    return identity != CILIUM_INIT_IDENTITY and state == "ready"
