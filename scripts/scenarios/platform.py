"""The platform the scenarios run against: the program's staging stack (blue-green frontend) deployed
by the release command into a namespace of its own, from images built here, with what the scenarios
need switched on through stack configuration — failure injection on the frontend, fixed replica
counts (3 per frontend colour), a LoadBalancer Service (the cluster's LB-IPAM gives it an address),
staging's Ingress with TLS under a host of its own, and an analytics memory limit a large request
exceeds."""

import json
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import ScenarioFailed
from .kube import KUBECONFIG, KUBECTL, REGISTRY, REPO, get, kubectl, release_command, secret_value, sh

NAMESPACE = "fastapi-scenarios"
STACK = "staging"
FRONTEND_REPLICAS = 3
ANALYTICS_MEMORY_LIMIT = "320Mi"
INGRESS_HOST = "scenarios.fastapi-k8s.example.com"
TLS_SECRET = "frontend-tls"
PAGE_TITLE = "FastAPI on Kubernetes (scenarios)"  # set through the stack's config, looked for on the page
# Rows whose generated data set (about 128 bytes a row at its peak, stacks/serviceContract.ts) outgrows that limit.
OOM_ROWS = 8_000_000


def scenario_stack_config(config: dict, refs: dict, postgres_image: str) -> None:
    """Edits the repository's staging configuration (in place) into the scenarios' stack."""

    def tier(name: str) -> dict:
        return config[f"fastapi-k8s:{name}"]

    config["fastapi-k8s:namespace"] = NAMESPACE
    config["fastapi-k8s:images"]["refs"] = refs
    config["fastapi-k8s:postgres"]["image"] = postgres_image
    config["fastapi-k8s:postgres"]["resources"]["requests"]["cpu"] = "50m"
    frontend = tier("frontend")
    frontend["ingress"] = {"host": INGRESS_HOST, "tlsSecretName": TLS_SECRET}
    frontend.pop("autoscaling", None)
    frontend.update(replicas=FRONTEND_REPLICAS, faultInjection=True, service={"type": "LoadBalancer"})
    frontend["page"]["title"] = PAGE_TITLE
    for name, replicas in (("backend", 2), ("analytics", 1)):
        tier(name).pop("autoscaling", None)
        tier(name)["replicas"] = replicas
    analytics = tier("analytics")
    analytics["resources"] = {"requests": {"cpu": "20m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": ANALYTICS_MEMORY_LIMIT}}
    analytics["maxRows"] = OOM_ROWS
    analytics["allowRowsBeyondMemory"] = True  # on purpose: the resource scenario's OOMKilled
    for name in ("frontend", "backend"):
        tier(name)["resources"]["requests"]["cpu"] = "20m"
    config["fastapi-k8s:quota"].update(requestsCpu="2", requestsMemory="4Gi", limitsCpu="16", limitsMemory="8Gi", pods=16)


@dataclass
class ScenarioPlatform:
    """A scratch copy of the project whose staging stack deploys to NAMESPACE on the local cluster."""

    work_dir: Path
    docker_host: str
    env: dict = field(default_factory=dict)
    refs: dict = field(default_factory=dict)
    # The frontend's LoadBalancer address, as the stack output `frontendLoadBalancerAddress` says.
    address: str = ""
    port: int = 0
    namespace: str = NAMESPACE

    @property
    def url(self) -> str:
        """The frontend's page through its load-balancer address ("" until deployed)."""
        return f"http://{self.address}:{self.port}" if self.address else ""

    @property
    def stack_file(self) -> Path:
        return self.work_dir / f"Pulumi.{STACK}.yaml"

    def deploy(self) -> None:
        """Builds and pushes the images, writes the scratch project and releases it."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        refs_file = self.work_dir / "refs.json"
        self.refs, postgres = publish_images(self.docker_host, f"scenarios-{secrets.token_hex(4)}", refs_file)
        scratch_project(self.work_dir, {STACK: lambda config: scenario_stack_config(config, self.refs, postgres)})
        self.env = {
            **os.environ,
            "KUBECONFIG": str(KUBECONFIG),
            "KUBECTL": str(KUBECTL),
            "PULUMI_BACKEND_URL": f"file://{self.work_dir / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
        }
        released = self.release("deploy", STACK, "--images", str(refs_file), "--yes")
        found = re.search(r'frontendLoadBalancerAddress\s*:\s*"([^"]+)"', released)
        if not found:
            raise ScenarioFailed(f"the release printed no frontendLoadBalancerAddress output:\n{released[-3000:]}")
        self.address = found.group(1)
        self.port = get(NAMESPACE, "service", "frontend")["spec"]["ports"][0]["port"]

    def release(self, *args: str, check: bool = True) -> str:
        """Runs the release command (npm run deploy/switch/status) on the scratch project."""
        return release_command(self.work_dir, self.env, *args, check=check).stdout

    def status(self) -> dict:
        return json.loads(self.release("status", STACK))

    def operator_key(self, tier: str) -> str:
        return secret_value(NAMESPACE, f"{tier}-key-operator", "current")

    def service_key(self, caller: str, callee: str) -> str:
        return secret_value(NAMESPACE, f"{callee}-key-{caller}", "current")

    def live_frontend(self) -> str:
        """The name (app.kubernetes.io/name) of the frontend pods the live Service selects."""
        return get(NAMESPACE, "service", "frontend")["spec"]["selector"]["app.kubernetes.io/name"]

    def remove(self) -> None:
        """Deletes the namespace and frees the volume its database claim held (retained on delete)."""
        kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=240s", timeout=260)
        recycle_released_volumes({NAMESPACE})


def scratch_project(directory: Path, stacks: dict[str, Callable[[dict], None]]) -> Path:
    """A copy of the project to deploy from, with a state backend of its own: this repository's
    Pulumi.yaml, a link to its program (`stacks/`), and each named stack file with its `config` edited
    by the function given for it (the repository's own stack files are never touched)."""
    (directory / "state").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", directory / "Pulumi.yaml")
    if not (directory / "stacks").exists():
        (directory / "stacks").symlink_to(REPO / "stacks")
    for stack, edit in stacks.items():
        settings = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())
        edit(settings["config"])
        (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return directory


def publish_images(docker_host: str, tag: str, refs_file: Path) -> tuple[dict, str]:
    """Builds the three services and Postgres (app-images/postgres), pushes them to the local registry
    under `tag` and returns the services' references by digest (also written to `refs_file`, as
    `deploy --images` takes them) and Postgres' reference by digest."""
    docker = {**os.environ, "DOCKER_HOST": docker_host}
    publish = str(REPO / "scripts" / "publish-images.sh")
    refs = json.loads(sh("bash", publish, f"{REGISTRY}/fastapi-k8s", tag, str(refs_file), env=docker, timeout=1800).stdout)
    postgres = sh(
        "bash",
        "-c",
        f'source "{REPO}/scripts/lib.sh" && publish_image postgres "$1" "$2"',
        "publish",
        f"{REGISTRY}/fastapi-k8s/postgres",
        tag,
        env=docker,
        timeout=1800,
    ).stdout.strip()
    return refs, postgres


def recycle_released_volumes(namespaces: set[str]) -> None:
    """Makes the local volumes that claims in `namespaces` left Released (reclaim policy Retain)
    available again, emptied. Volumes other claims held are never touched: their data is someone's."""
    volumes = json.loads(kubectl("get", "pv", "-l", "fastapi-k8s/local-volume=true", "-o", "json").stdout)["items"]
    for volume in volumes:
        claim = volume["spec"].get("claimRef") or {}
        if volume["status"].get("phase") != "Released" or claim.get("namespace") not in namespaces:
            continue
        sh("find", volume["spec"]["local"]["path"], "-mindepth", "1", "-delete")
        kubectl("patch", "pv", volume["metadata"]["name"], "--type", "json", "-p", '[{"op": "remove", "path": "/spec/claimRef"}]')
