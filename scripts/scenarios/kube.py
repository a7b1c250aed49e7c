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
