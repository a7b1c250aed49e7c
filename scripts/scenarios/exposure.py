"""The frontend's Service of type LoadBalancer, as a cloud would give it: an address from the cluster's
pool (Cilium's LB-IPAM), the page served from it by the live colour's 3 replicas."""

import ipaddress

import httpx

from .kube import endpoint_ready, expect, get, ready_pods
from .platform import FRONTEND_REPLICAS, ScenarioPlatform

CLUSTER_RANGE = ipaddress.ip_network("198.18.0.0/15")  # every address the local cluster uses


def load_balancer(platform: ScenarioPlatform) -> dict:
    service = get(platform.namespace, "service", "frontend")
    status = [i.get("ip") for i in service["status"].get("loadBalancer", {}).get("ingress", [])]
    expect(
        service["spec"]["type"] == "LoadBalancer" and status == [platform.address],
        f"the Service's load-balancer status {status} is the stack output {platform.address!r}",
    )
    expect(ipaddress.ip_address(platform.address) in CLUSTER_RANGE, f"{platform.address} lies inside {CLUSTER_RANGE}")
    name = platform.live_frontend()
    pods = ready_pods(platform.namespace, name)
    expect(
        len(pods) == FRONTEND_REPLICAS and all(endpoint_ready(platform.namespace, "frontend", p["status"]["podIP"]) for p in pods),
        f"{FRONTEND_REPLICAS} ready {name} pods behind the Service",
    )
    page = httpx.get(platform.url, timeout=10)
    expect(
        page.status_code == 200 and "FastAPI on Kubernetes (scenarios)" in page.text and "Hello from staging" in page.text,
        f"the page with its configured title and greeting is served from {platform.url} (HTTP {page.status_code})",
    )
    return {"address": platform.address, "pool_range": str(CLUSTER_RANGE), "url": platform.url, "replicas": len(pods)}
