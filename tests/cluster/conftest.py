"""What the cluster tests share: one bring-up of the local cluster for the whole session (the end-to-end
checks in test_cluster.py and the failure scenarios in test_scenarios.py run on it), the image
builder, and the suite's namespaces. Tests marked `teardown` run last, whatever their module."""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from scenarios.kube import cluster_running, kubectl, sh  # noqa: E402  (shared with npm run scenarios)
from scenarios.platform import NAMESPACE as SCENARIO_NAMESPACE  # noqa: E402
from scenarios.platform import recycle_released_volumes


def pytest_collection_modifyitems(items: list) -> None:
    """The checks that the suite left things as it found them, and the teardown, come last."""
    items.sort(key=lambda item: item.get_closest_marker("teardown") is not None)


def pytest_runtest_setup(item) -> None:
    if os.geteuid() != 0:
        pytest.skip("the local cluster needs root")


REPO = Path(__file__).resolve().parents[2]
CLUSTER = ["bash", str(REPO / "scripts" / "cluster" / "cluster.sh")]
KUBECONFIG = REPO / ".cache" / "cluster" / "kubeconfig"
REGISTRY = "127.0.0.1:5000"
STATE_DIRS = ("/var/lib/fastapi-k8s/cluster", "/run/fastapi-k8s/cluster")
NAMESPACE = "fastapi-k8s-e2e"
# The suite's own copies of the dev and staging stacks: never the namespaces or node port the
# repository's stack files (and so a user's deploy:local) use.
DEV_NAMESPACE = "fastapi-e2e-dev"
STAGING_NAMESPACE = "fastapi-e2e-staging"
ORACLE_NAMESPACE = "fastapi-k8s-oracle"
TEST_NAMESPACES = (NAMESPACE, DEV_NAMESPACE, STAGING_NAMESPACE, ORACLE_NAMESPACE, SCENARIO_NAMESPACE)
NODE_PORT = 30180


def apply(manifest: str) -> None:
    subprocess.run(
        [str(REPO / ".cache" / "cluster" / "bin" / "kubectl"), "--kubeconfig", str(KUBECONFIG), "apply", "-f", "-"],
        input=textwrap.dedent(manifest),
        text=True,
        check=True,
        capture_output=True,
    )


def run_pod(
    name: str,
    image: str,
    script: str,
    claim: str | None = None,
    timeout: int = 120,
    namespace: str = NAMESPACE,
    labels: dict[str, str] | None = None,
) -> str:
    """Runs a pod to completion (with `claim` mounted at /data) and returns its log; fails unless it
    Succeeded. With `labels`, it carries them and runs as the "restricted" Pod Security Standard asks
    (the platform's namespaces enforce it)."""
    pod: dict = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": image, "command": ["python3", "-c", script]}],
        },
    }
    if labels:
        pod["spec"]["securityContext"] = {"runAsNonRoot": True, "runAsUser": 65532, "seccompProfile": {"type": "RuntimeDefault"}}
        pod["spec"]["containers"][0]["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    if claim:
        pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        pod["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    apply(json.dumps(pod))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        phase = kubectl("-n", namespace, "get", "pod", name, "-o", "jsonpath={.status.phase}").stdout
        if phase in ("Succeeded", "Failed"):
            break
        time.sleep(1)
    log = kubectl("-n", namespace, "logs", name, check=False).stdout
    assert phase == "Succeeded", f"pod {name} ended {phase!r}:\n{log}"
    kubectl("-n", namespace, "delete", "pod", name, "--wait=true")
    return log


def running_pods() -> dict[str, str]:
    """uid → namespace/name of every pod outside the suite's namespaces."""
    pods = json.loads(kubectl("get", "pods", "--all-namespaces", "-o", "json").stdout)["items"]
    return {p["metadata"]["uid"]: f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in pods if p["metadata"]["namespace"] not in TEST_NAMESPACES}


def remove_test_namespaces() -> None:
    for namespace in TEST_NAMESPACES:
        kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=240s", timeout=260)
    recycle_released_volumes(set(TEST_NAMESPACES))


@pytest.fixture(scope="session")
def cluster():
    reused = cluster_running()
    started = time.monotonic()
    brought_up = sh(*CLUSTER, "up", timeout=3600)
    up_seconds = time.monotonic() - started
    phases = re.search(r"cluster up in \d+s \(([^)]*)\)", brought_up.stderr)
    remove_test_namespaces()  # what an interrupted earlier run may have left
    kubectl("create", "namespace", NAMESPACE)
    report = {
        "up_seconds": round(up_seconds, 1),
        "up_phases": phases.group(1) if phases else None,  # build, images, control plane and node, cilium, other add-ons
        "reused_running_cluster": reused,
        "found_running": running_pods(),
    }
    yield report
    if reused:
        remove_test_namespaces()
    else:
        sh(*CLUSTER, "down", timeout=600)  # idempotent: the last test has normally done it already
    report.pop("found_running")
    (REPO / "out").mkdir(exist_ok=True)
    (REPO / "out" / "cluster.json").write_text(json.dumps(report, indent=2))


class ImageBuilder:
    """Builds images from app-images/ (scripts/build-image.sh) and pushes them to the registry."""

    def __init__(self) -> None:
        docker_host = sh("bash", str(REPO / "scripts" / "docker-engine.sh"), "start").stdout.strip()
        self.env = {**os.environ, "DOCKER_HOST": docker_host}
        self.base = sh("bash", str(REPO / "scripts" / "base-image.sh"), env=self.env).stdout.strip()

    def push(self, service: str, ref: str) -> str:
        sh("bash", str(REPO / "scripts" / "build-image.sh"), service, ref, env=self.env)
        sh("docker", "push", "-q", ref, env=self.env)
        return ref


@pytest.fixture(scope="session")
def builder(cluster) -> ImageBuilder:
    return ImageBuilder()


@pytest.fixture(scope="session")
def images(builder):
    """The python base image and the frontend service, built here and pushed to the local registry."""
    base = f"{REGISTRY}/python-base:bookworm"
    sh("docker", "tag", builder.base, base, env=builder.env)
    sh("docker", "push", "-q", base, env=builder.env)
    return {"base": base, "frontend": builder.push("frontend", f"{REGISTRY}/fastapi-k8s/frontend:e2e")}
