"""Self-healing at 3 replicas: pods deleted one and two at a time, and a server process killed inside
its container, each under its own load loop through the Service."""

import time

from .kube import container_name, expect, is_ready, kill_server_process, pod, ready_pods, replace_pods, restart_count, wait_until
from .load import BoundedLoad
from .platform import FRONTEND_REPLICAS, ScenarioPlatform

# A killed server process finishes the requests it has (SIGTERM: uvicorn drains), but its pod address
# refuses new connections until the kubelet has restarted it or the endpoint is withdrawn, a second
# or two; a client that re-sends a refused request on a new connection (never delivered, so always
# safe) — as a proxy retrying connect failures does — gets another replica. Deletions need no retry
# at all: the pod leaves the endpoints before it stops. (A SIGKILL would also lose the requests in
# flight at that instant; docs/scenarios.md says so.)
RESTART_RETRIES = 8


def self_healing(platform: ScenarioPlatform) -> dict:
    namespace, name = platform.namespace, platform.live_frontend()
    expect(len(ready_pods(namespace, name)) == FRONTEND_REPLICAS, f"{FRONTEND_REPLICAS} ready {name} pods to start from")
    figures: dict = {}
    for count in (1, 2):
        with BoundedLoad(platform.url, max_requests=3000, max_seconds=200) as load:
            time.sleep(2)
            victims = [p["metadata"]["name"] for p in ready_pods(namespace, name)[:count]]
            seconds = replace_pods(namespace, name, victims, FRONTEND_REPLICAS)
            time.sleep(8)  # past the deleted pods' preStop pause and drain
        figures[f"delete_{count}"] = {"seconds_to_full_strength": round(seconds, 1), "load": load.figures.as_dict()}
        expect(
            load.figures.requests > 50 and load.figures.failed == 0 == load.figures.retried_undelivered,
            f"requests failed while {count} pod(s) were replaced: {figures[f'delete_{count}']}",
        )
    target = ready_pods(namespace, name)[0]
    pod_name, before = target["metadata"]["name"], restart_count(target)
    with BoundedLoad(platform.url, max_requests=3000, max_seconds=200, undelivered_retries=RESTART_RETRIES) as load:
        time.sleep(2)
        kill_server_process(pod_name, container_name(target), "TERM")
        wait_until(lambda: restart_count(pod(namespace, pod_name)) > before, 120, f"{pod_name}'s container to be restarted")
        seconds = wait_until(lambda: is_ready(pod(namespace, pod_name)), 120, f"{pod_name} to be Ready again")
        time.sleep(2)
    figures["killed_process"] = {
        "pod": pod_name,
        "restart_count": [before, restart_count(pod(namespace, pod_name))],
        "seconds_restart_to_ready": round(seconds, 1),
        "load": load.figures.as_dict(),
    }
    expect(load.figures.requests > 50 and load.figures.failed == 0, f"requests failed after the server process was killed: {figures['killed_process']}")
    return figures
