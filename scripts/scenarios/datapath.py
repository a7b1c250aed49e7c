"""The node's datapath as each of its parts sees it: where a Service leads (EndpointSlices, kube-proxy's
rules, Cilium's load balancer), the kernel's tracked connections, and Cilium's endpoints and drops.
Read by scenarios to explain a failure, and to wait until the datapath has caught up."""

from typing import Any

import httpx

from .kube import get, sh

# The Cilium agent's API, in its state directory on the node (CILIUM_STATE_DIR in scripts/cluster/env.sh).
CILIUM_API_SOCKET = "/var/run/cilium/cilium.sock"
# The identity Cilium gives an endpoint until its agent has read the pod's labels from the API server.
# Its policy admits only the host: the kubelet's probes pass, while traffic from outside is dropped.
CILIUM_INIT_IDENTITY = 5


def cilium_api(path: str) -> Any:
    """GET /v1/<path> from the Cilium agent on this node, decoded."""
    with httpx.Client(transport=httpx.HTTPTransport(uds=CILIUM_API_SOCKET), timeout=5) as client:
        return client.get(f"http://cilium/v1/{path}").raise_for_status().json()


def cilium_endpoints(namespace: str) -> dict[str, tuple[int, str]]:
    """Each pod of `namespace` that Cilium's agent has an endpoint for: the security identity its
    policy is enforced by (CILIUM_INIT_IDENTITY until the agent has read the pod's labels) and the
    endpoint's state ("ready" once its datapath carries that identity's policy)."""
    found = {}
    for endpoint in cilium_api("endpoint"):
        pod_namespace, _, pod = endpoint["status"]["external-identifiers"].get("pod-name", "/").partition("/")
        if pod_namespace == namespace:
            found[pod] = (endpoint["status"]["identity"]["id"], endpoint["status"].get("state", "?"))
    return found


def service_backends(namespace: str, service: str) -> dict[str, object]:
    """Where a Service leads, as each part of the node sees it right now: the endpoints its
    EndpointSlices list ("ip ready" or "ip not-ready"); the pods kube-proxy's iptables rules DNAT its
    node ports and load-balancer address to (this cluster's kube-proxy serves those); and the
    backends Cilium's agent balances its cluster IP over, from the agent's API socket. An address
    one of them still lists while Kubernetes no longer does is a path that leads nowhere."""
    slices = get(namespace, "endpointslices", "-l", f"kubernetes.io/service-name={service}")["items"]
    endpoints = [
        f"{address} {'ready' if endpoint.get('conditions', {}).get('ready') else 'not-ready'}"
        for endpoint_slice in slices
        for endpoint in endpoint_slice.get("endpoints") or []
        for address in endpoint["addresses"]
    ]
    return {"endpoints": sorted(endpoints), "kube-proxy": _kube_proxy_targets(namespace, service), "cilium": _cilium_backends(namespace, service)}


def _kube_proxy_targets(namespace: str, service: str) -> list[str] | str:
    rules = sh("iptables-save", "-t", "nat", check=False)
    if rules.returncode != 0:
        return f"iptables-save failed: {rules.stderr.strip()[:200]}"
    comment = f'--comment "{namespace}/{service}:'
    return sorted({line.rsplit("--to-destination ", 1)[1].strip() for line in rules.stdout.splitlines() if comment in line and "--to-destination " in line})


def _cilium_backends(namespace: str, service: str) -> list[str] | str:
    try:
        services = cilium_api("service")
    except (httpx.HTTPError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"[:200]
    return sorted(
        f"{backend['ip']}:{backend.get('port')} {backend.get('state', '?')}"
        for entry in services
        if entry["spec"].get("flags", {}).get("namespace") == namespace and entry["spec"]["flags"].get("name") == service
        for backend in entry["spec"].get("backend-addresses") or []
    )


def conntrack_paths(address: str, port: int) -> dict[str, int]:
    """The kernel's connection-tracking entries for TCP to `address:port`, counted by state and by the
    address each one is translated to ("ESTABLISHED 198.18.0.5", with "UNREPLIED" when no answer came).
    A new connection whose source port matches a live entry is sent where that entry says, not where
    kube-proxy's rules say now: an entry leading to a pod that is gone is a path that leads nowhere."""
    listed = sh("conntrack", "-L", "-p", "tcp", "--orig-dst", address, "--orig-port-dst", str(port), check=False)
    if listed.returncode != 0:
        raise ValueError(f"conntrack failed: {listed.stderr.strip()}")
    counted: dict[str, int] = {}
    for line in listed.stdout.splitlines():
        fields = line.split()
        replies = [f.split("=", 1)[1] for f in fields if f.startswith("src=")][1:2]
        if len(fields) < 4 or not replies:
            continue
        key = f"{fields[3]} {replies[0]}{' UNREPLIED' if '[UNREPLIED]' in fields else ''}"
        counted[key] = counted.get(key, 0) + 1
    return dict(sorted(counted.items()))


def cilium_drops() -> dict[str, float]:
    """Packets Cilium's datapath dropped since its agent started, by reason and direction."""
    return {
        f"{metric['labels'].get('reason', '?')} {metric['labels'].get('direction', '?')}": metric["value"]
        for metric in cilium_api("metrics/")
        if metric["name"] == "cilium_drop_count_total"
    }
