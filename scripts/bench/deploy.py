"""`pulumi up` of the dev stack until everything is Ready, against `kubectl apply --server-side` and
`kubectl rollout status` of the same objects, each from an empty namespace on the local cluster.

The objects kubectl applies are the ones the engine renders from the same stack (the Kubernetes
provider's render mode: the same program, configuration and generated passwords), so both sides
create the same 30-odd objects; images come from the local registry by digest, built once. Between
rounds each side removes what it made (`pulumi destroy`; `kubectl delete namespace`) and the
database's local volume is emptied and made available again. Brings the cluster up when it is not
running and takes it down again afterwards; full mode only (minutes per round)."""

import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from scenarios.kube import KUBECONFIG, RUN_TYPESCRIPT, cluster, cluster_running, get, is_ready, kubectl, sh
from scenarios.platform import publish_images, recycle_released_volumes, scratch_project

from .measure import REPO, Figures, interleaved

NAMESPACE = "fastapi-bench"
NODE_PORT = 30280  # beside the user's dev stack (30080) and the test suite's (30180)
WORKLOADS = ("statefulset/postgres", "deployment/analytics", "deployment/backend", "deployment/frontend")


def run(rounds: int) -> dict[str, dict[str, Figures]]:
    docker_host = sh("bash", str(REPO / "scripts" / "docker-engine.sh"), "start").stdout.strip()
    was_running = cluster_running()
    cluster("up")
    try:
        with tempfile.TemporaryDirectory(prefix="fastapi-k8s-bench-") as scratch:
            refs, postgres = publish_images(docker_host, f"bench-{secrets.token_hex(4)}", Path(scratch) / "refs.json")
            project = bench_project(Path(scratch) / "project", refs, postgres)
            manifests = rendered(Path(scratch) / "render", refs, postgres)
            remove()
            return interleaved(
                rounds,
                {
                    "kubectl apply --server-side + rollout status": timed(lambda: kubectl_apply(manifests), remove),
                    "pulumi up": timed(lambda: pulumi(project, "up"), lambda: (pulumi(project, "destroy"), remove())),
                },
            )
    finally:
        remove()
        if not was_running:
            cluster("down")


def timed(deploy: Callable[[], object], undo: Callable[[], object]) -> Callable[[], dict[str, float]]:
    def once() -> dict[str, float]:
        started = time.monotonic()
        deploy()
        seconds = time.monotonic() - started
        if not pods_ready():
            raise RuntimeError(f"{NAMESPACE}: not every pod is Ready once the deploy returned")
        undo()
        return {"seconds_to_all_ready": seconds}

    return once


def dev_config(config: dict, refs: dict, postgres: str, render_to: Path | None = None) -> None:
    """The repository's dev stack, in the bench's namespace and node port, deploying the images pushed here."""
    config["fastapi-k8s:namespace"] = NAMESPACE
    config["fastapi-k8s:images"] = {"mode": "prebuilt", "requireDigest": True, "pullPolicy": "IfNotPresent", "refs": refs}
    config["fastapi-k8s:postgres"]["image"] = postgres
    config["fastapi-k8s:frontend"]["service"]["nodePort"] = NODE_PORT
    if render_to:
        config["fastapi-k8s:renderYamlToDirectory"] = str(render_to)


def bench_project(project: Path, refs: dict, postgres: str, render_to: Path | None = None) -> Path:
    """A scratch copy of the project whose dev stack is the bench's (dev_config)."""
    return scratch_project(project, {"dev": lambda config: dev_config(config, refs, postgres, render_to)})


def pulumi(project: Path, action: str, cluster: bool = True) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "KUBECONFIG"},  # the provider refuses one in render mode
        **({"KUBECONFIG": str(KUBECONFIG)} if cluster else {}),
        "PULUMI_BACKEND_URL": f"file://{project / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "bench",  # a throwaway stack in a temporary directory
    }
    command = [*RUN_TYPESCRIPT, str(REPO / "scripts" / "bench" / "deploy.ts"), str(project), action]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    if result.returncode != 0:
        raise RuntimeError(f"pulumi {action} of the bench's dev stack failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def rendered(out: Path, refs: dict, postgres: str) -> list[Path]:
    """The dev stack's objects as the engine renders them (real generated secrets, in a temporary directory)."""
    project = bench_project(out / "project", refs, postgres, render_to=out / "manifests")
    pulumi(project, "up", cluster=False)
    files = sorted((out / "manifests").rglob("*.yaml"))
    namespaces = [f for f in files if yaml.safe_load(f.read_text()).get("kind") == "Namespace"]
    if len(namespaces) != 1 or len(files) < 20:
        raise RuntimeError(f"the render wrote {len(files)} files, {len(namespaces)} of them a Namespace")
    return namespaces + [f for f in files if f not in namespaces]  # the namespace before what lives in it


def kubectl_apply(manifests: list[Path]) -> None:
    for batch in (manifests[:1], manifests[1:]):
        kubectl("apply", "--server-side", "--field-manager", "bench", *[arg for f in batch for arg in ("-f", str(f))], timeout=300)
    for workload in WORKLOADS:
        kubectl("-n", NAMESPACE, "rollout", "status", workload, "--timeout=600s", timeout=620)


def remove() -> None:
    kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=300s", timeout=320)
    recycle_released_volumes({NAMESPACE})


def pods_ready() -> bool:
    """Every pod in the namespace is ready, by the scenarios' rule (checked after each side, outside the time)."""
    pods = get(NAMESPACE, "pods")["items"]
    return bool(pods) and all(is_ready(p) for p in pods)
