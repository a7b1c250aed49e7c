"""kubectl, containerd and the cluster's own scripts, as the scenarios use them. Everything here talks
to the local cluster on this machine only."""

import base64
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from . import ScenarioFailed

REPO = Path(__file__).resolve().parents[2]
# How the project's TypeScript commands run (as package.json's scripts and stacks/main.js run them):
# Node with Sucrase's require hook, which only strips the types. An absolute path, so any cwd works.
RUN_TYPESCRIPT = ("node", "--require", str(REPO / "node_modules" / "sucrase" / "register" / "ts.js"))
CLUSTER_SCRIPT = REPO / "scripts" / "cluster" / "cluster.sh"
KUBECTL = REPO / ".cache" / "cluster" / "bin" / "kubectl"
KUBECONFIG = REPO / ".cache" / "cluster" / "kubeconfig"
CONTAINERD_SOCKET = "/run/fastapi-k8s/cluster/containerd/containerd.sock"
# The Cilium agent's API, in its state directory on the node (CILIUM_STATE_DIR in scripts/cluster/env.sh).
CILIUM_API_SOCKET = "/var/run/cilium/cilium.sock"
REGISTRY = "127.0.0.1:5000"


def sh(*args: str, check: bool = True, env: dict | None = None, timeout: float = 600, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout, input=stdin)
    if check and result.returncode != 0:
        raise ScenarioFailed(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result


def release_command(work_dir: Path, env: dict, *args: str, check: bool = True, timeout: float = 1500) -> subprocess.CompletedProcess:
    """Runs the release command (what npm run deploy/promote/switch/status run) on a scratch project."""
    return project_command("release", work_dir, env, *args, check=check, timeout=timeout)


def db_command(work_dir: Path, env: dict, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    """Runs the database command (what npm run db runs: backup, list, restore) on a scratch project."""
    return project_command("db", work_dir, env, *args, check=check, timeout=timeout)


def project_command(folder: str, work_dir: Path, env: dict, *args: str, check: bool, timeout: float) -> subprocess.CompletedProcess:
    cli = str(REPO / "scripts" / folder / "cli.ts")
    return sh(*RUN_TYPESCRIPT, cli, *args, "--work-dir", str(work_dir), check=check, env=env, timeout=timeout)


def kubectl(*args: str, check: bool = True, timeout: float = 180, stdin: str | None = None) -> subprocess.CompletedProcess:
    return sh(str(KUBECTL), "--kubeconfig", str(KUBECONFIG), *args, check=check, timeout=timeout, stdin=stdin)


def get(namespace: str, *what: str) -> dict:
    return json.loads(kubectl("-n", namespace, "get", *what, "-o", "json").stdout)


def apply(manifest: dict) -> None:
    kubectl("apply", "-f", "-", stdin=json.dumps(manifest))


def secret_value(namespace: str, secret: str, key: str) -> str:
    """A Secret's value, decoded in memory; never printed or written anywhere."""
    return base64.b64decode(get(namespace, "secret", secret)["data"][key]).decode()


def wait_until(predicate: Callable[[], object], seconds: float, what: str, interval: float = 0.5) -> float:
    """Polls until `predicate` returns a truthy value; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if predicate():
                return time.monotonic() - started
        except (subprocess.SubprocessError, AssertionError, OSError, KeyError, IndexError, httpx.HTTPError):
            pass
        time.sleep(interval)
    raise ScenarioFailed(f"timed out after {seconds:.0f}s waiting for {what}")


def expect(condition: object, message: str) -> None:
    if not condition:
        raise ScenarioFailed(message)


def cluster_running() -> bool:
    return sh("bash", str(CLUSTER_SCRIPT), "status", check=False, timeout=120).returncode == 0


def cluster(command: str) -> None:
    sh("bash", str(CLUSTER_SCRIPT), command, timeout=3600)


# ---- pods ---------------------------------------------------------------------------------------


def live_pods(namespace: str, name: str) -> list[dict]:
    """Pods labelled app.kubernetes.io/name=<name> that are not being deleted."""
    pods = get(namespace, "pods", "-l", f"app.kubernetes.io/name={name}")["items"]
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def is_ready(pod: dict) -> bool:
    statuses = pod["status"].get("containerStatuses") or []
    return bool(statuses) and all(s["ready"] for s in statuses)


def ready_pods(namespace: str, name: str) -> list[dict]:
    return [p for p in live_pods(namespace, name) if is_ready(p)]


def restart_count(pod: dict) -> int:
    return sum(s["restartCount"] for s in pod["status"].get("containerStatuses") or [])


def pod(namespace: str, name: str) -> dict:
    return get(namespace, "pod", name)


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
        with httpx.Client(transport=httpx.HTTPTransport(uds=CILIUM_API_SOCKET), timeout=5) as client:
            services = client.get("http://cilium/v1/service").raise_for_status().json()
    except (httpx.HTTPError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"[:200]
    return sorted(
        f"{backend['ip']}:{backend.get('port')} {backend.get('state', '?')}"
        for entry in services
        if entry["spec"].get("flags", {}).get("namespace") == namespace and entry["spec"]["flags"].get("name") == service
        for backend in entry["spec"].get("backend-addresses") or []
    )


def pod_url(pod: dict) -> str:
    """The pod's own HTTP address (its IP and its container's declared port), bypassing Services."""
    return f"http://{pod['status']['podIP']}:{pod['spec']['containers'][0]['ports'][0]['containerPort']}"


def replace_pods(namespace: str, name: str, victims: list[str], replicas: int, seconds: float = 180) -> float:
    """Deletes the named pods and waits until `replicas` others are ready; returns the seconds that took."""
    kubectl("-n", namespace, "delete", "pod", *victims, "--wait=false")
    return wait_until(
        lambda: len([p for p in ready_pods(namespace, name) if p["metadata"]["name"] not in victims]) == replicas,
        seconds,
        f"{replicas} ready {name} pods again after deleting {', '.join(victims)}",
    )


def restricted_container(name: str, image: str, **extra: object) -> dict:
    """A container the namespace's restricted Pod Security admits."""
    return {
        "name": name,
        "image": image,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        **extra,
    }


def service_endpoints(namespace: str, service: str) -> list[dict]:
    """The endpoints the Service's EndpointSlices list (addresses and conditions)."""
    slices = get(namespace, "endpointslices", "-l", f"kubernetes.io/service-name={service}")["items"]
    return [e for s in slices for e in s.get("endpoints") or []]


def endpoint_ready(namespace: str, service: str, pod_ip: str) -> bool | None:
    """Whether the Service's EndpointSlices list `pod_ip` as ready (None: not listed at all)."""
    for endpoint in service_endpoints(namespace, service):
        if pod_ip in endpoint["addresses"]:
            return bool(endpoint.get("conditions", {}).get("ready"))
    return None


# ---- containers on the node (containerd), for what the API server cannot be asked -------------


def ctr(*args: str) -> str:
    return sh("ctr", "--address", CONTAINERD_SOCKET, "-n", "k8s.io", *args).stdout


def node_container(pod_name: str, container: str) -> tuple[str, int] | None:
    """(containerd id, pid) of the running container `container` of pod `pod_name` on the node."""
    tasks = {}
    for line in ctr("tasks", "ls").splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 3 and fields[2] == "RUNNING":
            tasks[fields[0]] = int(fields[1])
    for container_id, pid in tasks.items():
        labels = json.loads(ctr("containers", "info", container_id)).get("Labels") or {}
        if labels.get("io.kubernetes.pod.name") == pod_name and labels.get("io.kubernetes.container.name") == container:
            return container_id, pid
    return None


def container_name(pod: dict) -> str:
    return pod["spec"]["containers"][0]["name"]


def kill_server_process(pod_name: str, container: str, signal: str = "KILL") -> str:
    """Signals the container's main process from the node — KILL as a crash would, TERM as
    `kubectl exec <pod> -- kill 1` would; returns the container id."""
    found = node_container(pod_name, container)
    expect(found, f"no running container {container} of pod {pod_name} on the node")
    container_id, pid = found
    sh("kill", f"-{signal}", str(pid))
    return container_id
