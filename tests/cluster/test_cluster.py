"""The local cluster end to end: up from this repository's scripts, a Ready node, DNS from a pod, an
image built here served through the local registry, pod-to-Service traffic, a claim whose data
outlives its pod, and a teardown that leaves nothing behind. Needs root (run by `npm test`).

The suite shares the cluster with whoever started it before (`npm run deploy:local` deploys dev
into fastapi-dev on node port 30080): it works only in namespaces of its own and on its own node
port, checks at the end that everything it found running is still running, and when it found the
cluster up it leaves it up (removing its namespaces and recycling their volumes) instead of tearing
it down."""

import base64
import json
import os
import secrets
import subprocess
import textwrap
import time
from pathlib import Path

import httpx
import pytest
import yaml

from conftest import (
    CLUSTER,
    DEV_NAMESPACE,
    KUBECONFIG,
    NAMESPACE,
    NODE_PORT,
    ORACLE_NAMESPACE,
    REGISTRY,
    REPO,
    STAGING_NAMESPACE,
    STATE_DIRS,
    ImageBuilder,
    apply,
    kubectl,
    run_pod,
    running_pods,
    sh,
)
from scenarios.kube import RUN_TYPESCRIPT, db_command, get, live_pods, release_command, secret_value, service_endpoints, wait_until
from scenarios.load import BoundedLoad, routed_client
from scenarios.platform import recycle_released_volumes, scratch_project


def test_node_is_ready(cluster):
    node = json.loads(kubectl("get", "node", "fk8s-node", "-o", "json").stdout)
    ready = {c["type"]: c["status"] for c in node["status"]["conditions"]}["Ready"]
    assert ready == "True"
    assert node["status"]["nodeInfo"]["kubeletVersion"].startswith("v1.33.")


def test_a_certificate_for_a_bad_host_is_refused_before_anything_is_issued(cluster):
    """`npm run cluster -- certificate` names the bad host and what a host may be, and creates no Secret."""
    refused = sh(*CLUSTER, "certificate", NAMESPACE, "refused-tls", "ok.example.com", "Bad_Host.example.com", check=False)
    assert refused.returncode == 2, refused
    assert "host 'Bad_Host.example.com' is not valid: expected a DNS name: labels of 1-63 lower-case letters" in refused.stderr, refused.stderr
    usage = sh(*CLUSTER, "certificate", NAMESPACE, check=False)
    assert usage.returncode == 2 and "usage: npm run cluster -- certificate <namespace> <secret> <host>..." in usage.stderr, usage
    assert kubectl("-n", NAMESPACE, "get", "secret", "refused-tls", check=False).returncode != 0


def test_a_deployment_of_an_image_built_here_becomes_ready_and_is_reached_by_name(cluster, images):
    apply(f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{ name: web, namespace: {NAMESPACE} }}
        spec:
          replicas: 1
          selector: {{ matchLabels: {{ app: web }} }}
          template:
            metadata: {{ labels: {{ app: web }} }}
            spec:
              containers:
                - name: web
                  image: {images["frontend"]}
                  env: [{{ name: GREETING, value: from-the-cluster }}]
                  ports: [{{ name: http, containerPort: 8000 }}]
                  readinessProbe: {{ httpGet: {{ path: /readyz, port: http }}, periodSeconds: 2 }}
                  securityContext: {{ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }}
        ---
        apiVersion: v1
        kind: Service
        metadata: {{ name: web, namespace: {NAMESPACE} }}
        spec:
          selector: {{ app: web }}
          ports: [{{ name: http, port: 80, targetPort: http }}]
    """)
    kubectl("-n", NAMESPACE, "rollout", "status", "deployment/web", "--timeout=180s", timeout=200)
    cluster_ip = kubectl("-n", NAMESPACE, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}").stdout
    wait_until(
        lambda: any(e.get("conditions", {}).get("ready") for e in service_endpoints(NAMESPACE, "web")),
        60,
        "the Service web to list a ready endpoint",
    )
    # A Ready pod listed in the EndpointSlice is not yet a rule on the node: kube-proxy writes its rules
    # on its own sync (≥ minSyncPeriod after the change), and until then the Service's address
    # refuses connections. Clients of a Service that just appeared must allow for that, so this one
    # retries a refusal for a bounded time (and says how often it had to).
    log = run_pod(
        "client",
        images["base"],
        textwrap.dedent(f"""
        import socket, time, urllib.error, urllib.request
        print("resolved", socket.gethostbyname("web.{NAMESPACE}.svc.cluster.local"))
        deadline, refusals = time.monotonic() + 30, 0
        while True:
            try:
                page = urllib.request.urlopen("http://web.{NAMESPACE}.svc.cluster.local/", timeout=10).read().decode()
                break
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                    raise
                refusals += 1
                time.sleep(0.5)
        print("refused-before-reaching", refusals)
        print("greeting-found", "from-the-cluster" in page)
    """),
    )
    assert f"resolved {cluster_ip}" in log, log
    assert "greeting-found True" in log, log


def test_a_claim_binds_and_its_data_outlives_the_pod(cluster, images):
    apply(f"""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {{ name: data, namespace: {NAMESPACE} }}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {{ requests: {{ storage: 1Gi }} }}
    """)
    run_pod("writer", images["base"], "open('/data/proof', 'w').write('survived')", claim="data")
    assert kubectl("-n", NAMESPACE, "get", "pvc", "data", "-o", "jsonpath={.status.phase}").stdout == "Bound"
    log = run_pod("reader", images["base"], "print(open('/data/proof').read())", claim="data")
    assert "survived" in log


def cluster_processes() -> list[str]:
    """Command lines of live processes that belong to the cluster (they name its state or socket)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(d in cmdline for d in STATE_DIRS) or "fastapi-k8s/cluster" in cmdline:
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def test_idle_cluster_memory(cluster):
    """Resident memory of the cluster's processes (components, shims, pods) while idle."""
    members = {line.split(":")[0] for line in cluster_processes()}
    # Containers run as children of the shims, which name the cluster's socket; count them too.
    for shim in list(members):
        members.update(sh("bash", "-c", f"pgrep -P {shim} || true").stdout.split())
    rss_kib = 0
    for member in members:
        status = Path(f"/proc/{member}/status")
        if status.exists():
            rss_kib += int(next((line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmRSS")), "0"))
    cluster["idle_rss_mib"] = round(rss_kib / 1024)
    assert 100 < cluster["idle_rss_mib"] < 8192, cluster


ORACLE_RUNS = 60  # per property; fixed seed: the same cases every run


def test_every_configuration_the_program_accepts_the_api_server_accepts(cluster):
    """fast-check generates stack configurations and WebService arguments (tests/oracle); what the
    program accepts must pass the API server's server-side dry-run, what it refuses must be refused
    naming the key and what is allowed, before anything is registered. And for each class of value
    the program checks (label keys and values, hosts, paths, names, setting names, quantities, time
    zones) the program refuses exactly what the API server refuses, but for what it refuses on
    purpose."""
    kubectl("create", "namespace", ORACLE_NAMESPACE)
    env = {**os.environ, "KUBECONFIG": str(KUBECONFIG), "KUBECTL": str(REPO / ".cache" / "cluster" / "bin" / "kubectl")}
    started = time.monotonic()
    result = sh(
        *RUN_TYPESCRIPT,
        str(REPO / "tests" / "oracle" / "kubernetesOracle.ts"),
        "--namespace",
        ORACLE_NAMESPACE,
        "--runs",
        str(ORACLE_RUNS),
        "--seed",
        "7",
        env=env,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    summary = json.loads(result.stdout)
    cluster["oracle"] = {
        "seconds": round(time.monotonic() - started, 1),
        **{k: {n: summary[k][n] for n in ("runs", "accepted", "refused")} for k in ("stacks", "webService")},
    }
    for prop in ("stacks", "webService"):
        assert summary[prop]["runs"] == ORACLE_RUNS
        assert summary[prop]["accepted"] >= 5 and summary[prop]["refused"] >= 5, summary[prop]  # both sides exercised
    cluster["oracle"]["valueClasses"] = summary["valueClasses"]
    for name, tally in summary["valueClasses"].items():
        assert tally["accepted"] >= 3 and tally["refused"] >= 3, (name, tally)  # both sides of each class exercised


def render_dev_platform(out: Path, greeting: str | None = None) -> list[dict]:
    """The dev stack as the program renders it, with images from the local registry."""
    config = {
        "fastapi-k8s:namespace": DEV_NAMESPACE,
        "fastapi-k8s:images": {"repositoryPrefix": f"{REGISTRY}/fastapi-k8s"},
        "fastapi-k8s:postgres": {"image": f"{REGISTRY}/fastapi-k8s/postgres:e2e"},
    }
    config["fastapi-k8s:frontend"] = {"service": {"nodePort": NODE_PORT}, **({"page": {"greeting": greeting}} if greeting else {})}
    overlay = out / "overlay.json"
    overlay.write_text(json.dumps(config))
    sh(*RUN_TYPESCRIPT, str(REPO / "scripts" / "render" / "index.ts"), "--overlay", str(overlay), "--out", str(out), "dev")
    manifests = [yaml.safe_load(f.read_text()) for f in sorted((out / "dev").glob("*.yaml"))]
    assert {m["metadata"].get("namespace", m["metadata"]["name"]) for m in manifests} == {DEV_NAMESPACE}
    return manifests


def with_generated_secrets(manifests: list[dict]) -> list[dict]:
    """Rendered Secrets are redacted; fill them with fresh values, kept in memory only."""
    password = secrets.token_urlsafe(24)
    database = {
        "username": "app",
        "password": password,
        "database": "app",
        "host": f"postgres.{DEV_NAMESPACE}.svc.cluster.local",
        "port": "5432",
        "DATABASE_URL": f"postgresql://app:{password}@postgres.{DEV_NAMESPACE}.svc.cluster.local:5432/app",
    }
    filled = []
    for manifest in manifests:
        if manifest["kind"] == "Secret":
            manifest = {
                **manifest,
                "data": {
                    key: base64.b64encode(
                        (database[key] if manifest["metadata"]["name"] == "postgres-credentials" else secrets.token_urlsafe(32)).encode()
                    ).decode()
                    for key in manifest["data"]
                },
            }
        filled.append(manifest)
    return filled


def apply_list(manifests: list[dict]) -> None:
    ordered = sorted(manifests, key=lambda m: m["kind"] != "Namespace")
    apply(json.dumps({"apiVersion": "v1", "kind": "List", "items": ordered}))


def wait_for_platform() -> None:
    for workload in ("statefulset/postgres", "deployment/analytics", "deployment/backend", "deployment/frontend"):
        kubectl("-n", DEV_NAMESPACE, "rollout", "status", workload, "--timeout=300s", timeout=320)


PLATFORM_URL = f"http://198.19.255.1:{NODE_PORT}"  # the suite's frontend NodePort on the node address


@pytest.fixture(scope="module")
def platform(cluster, builder, tmp_path_factory):
    """The dev platform rendered by the real program, running on the cluster."""
    manifests = render_dev_platform(tmp_path_factory.mktemp("render"))
    for manifest in manifests:
        if manifest["kind"] == "Deployment":
            builder.push(manifest["metadata"]["name"], manifest["spec"]["template"]["spec"]["containers"][0]["image"])
    builder.push("postgres", f"{REGISTRY}/fastapi-k8s/postgres:e2e")
    apply_list(with_generated_secrets(manifests))
    wait_for_platform()
    return manifests


def pods_of(name: str) -> list[dict]:
    return live_pods(DEV_NAMESPACE, name)


def test_the_dev_platform_serves_end_to_end(platform):
    with httpx.Client(base_url=PLATFORM_URL, timeout=30, follow_redirects=True) as http:
        page = http.get("/")
        assert page.status_code == 200 and "FastAPI on Kubernetes (dev)" in page.text, page.text[:500]
        assert "unavailable right now" not in page.text, "the frontend reached the backend"
        created = http.post("/notes", data={"title": "from-the-cluster-test", "body": "stored in postgres"})
        assert created.status_code == 200 and "from-the-cluster-test" in created.text
        insights = http.get("/api/insights", params={"rows": 2000})
        assert insights.status_code == 200 and insights.json()["rows"] == 2000, insights.text[:300]
    pods = json.loads(kubectl("-n", DEV_NAMESPACE, "get", "pods", "-o", "json").stdout)["items"]
    assert {p["metadata"]["labels"]["app.kubernetes.io/name"] for p in pods} == {"frontend", "backend", "analytics", "postgres"}
    assert all(c["ready"] for p in pods for c in p["status"]["containerStatuses"])


ETCD = "http://127.0.0.1:2379"  # the cluster's etcd listens on loopback only


def etcd_value(key: str) -> bytes:
    """A key's raw value, read straight from etcd (its JSON gateway), bypassing the API server."""
    answer = httpx.post(f"{ETCD}/v3/kv/range", json={"key": base64.b64encode(key.encode()).decode()}, timeout=10)
    answer.raise_for_status()
    [kv] = answer.json()["kvs"]
    return base64.b64decode(kv["value"])


def test_secrets_are_encrypted_at_rest(platform):
    """The database Secret as etcd stores it carries the aescbc prefix and not the password, while
    the API server still decodes it."""
    stored = etcd_value(f"/registry/secrets/{DEV_NAMESPACE}/postgres-credentials")
    password = base64.b64decode(json.loads(kubectl("-n", DEV_NAMESPACE, "get", "secret", "postgres-credentials", "-o", "json").stdout)["data"]["password"])
    assert len(password) >= 16
    assert stored.startswith(b"k8s:enc:aescbc:v1:key1:"), stored[:40]
    assert password not in stored and base64.b64encode(password) not in stored
    configmap = etcd_value(f"/registry/configmaps/{DEV_NAMESPACE}/kube-root-ca.crt")
    assert b"BEGIN CERTIFICATE" in configmap, "only Secrets are encrypted: the check can tell plain from encrypted"


# Connects to each target from inside a pod and reports, per target, "open" or why not and how long
# it took; a name that does not resolve is reported as such (DNS is allowed by the default-deny).
CONNECT_PROBE = """
import json, socket, sys, time
results = {}
for target in json.loads(sys.argv[1]):
    host, port = target.rsplit(":", 1)
    started = time.monotonic()
    try:
        address = socket.gethostbyname(host)
    except OSError:
        results[target] = {"outcome": "unresolved", "seconds": round(time.monotonic() - started, 2)}
        continue
    try:
        socket.create_connection((address, int(port)), timeout=3).close()
        outcome = "open"
    except OSError as error:
        outcome = type(error).__name__
    results[target] = {"outcome": outcome, "seconds": round(time.monotonic() - started, 2)}
print(json.dumps(results))
"""


def connections_from(name: str, namespace: str, labels: dict[str, str], image: str, targets: list[str]) -> dict[str, dict]:
    """What a pod carrying `labels` in `namespace` can connect to, per target."""
    script = f"import sys; sys.argv[1:] = [{json.dumps(json.dumps(targets))}]\n{CONNECT_PROBE}"
    return json.loads(run_pod(name, image, script, namespace=namespace, labels=labels, timeout=180).strip().splitlines()[-1])


def pod_labels(deployment: str) -> dict[str, str]:
    return get(DEV_NAMESPACE, "deployment", deployment)["spec"]["template"]["metadata"]["labels"]


def service_target(name: str) -> str:
    port = get(DEV_NAMESPACE, "service", name)["spec"]["ports"][0]["port"]
    return f"{name}.{DEV_NAMESPACE}.svc.cluster.local:{port}"


def test_network_policies_are_enforced(cluster, platform, images):
    """From pods carrying each tier's labels, only the declared connections open: frontend → backend;
    frontend → postgres, frontend → analytics, analytics → backend and a pod in another namespace →
    backend are dropped (time out), while DNS still resolves. Without the namespace's policies the same
    paths open: the engine (Cilium's agent), not a misconfiguration, refused them."""
    backend, analytics, postgres = service_target("backend"), service_target("analytics"), service_target("postgres")
    frontend_labels, analytics_labels = pod_labels("frontend"), pod_labels("analytics")
    probes = {
        "frontend": (DEV_NAMESPACE, frontend_labels, [backend, postgres, analytics]),
        "analytics": (DEV_NAMESPACE, analytics_labels, [backend]),
        "elsewhere": (NAMESPACE, frontend_labels, [backend]),
    }

    def probe_all(round_name: str) -> dict[str, dict]:
        return {
            f"{source} -> {target.split('.')[0]}": result
            for source, (namespace, labels, targets) in probes.items()
            for target, result in connections_from(f"probe-{source}-{round_name}", namespace, labels, images["base"], targets).items()
        }

    enforced = probe_all("enforced")
    cluster["network_policy_enforced"] = enforced
    assert enforced["frontend -> backend"]["outcome"] == "open", enforced
    refused = ["frontend -> postgres", "frontend -> analytics", "analytics -> backend", "elsewhere -> backend"]
    for path in refused:
        assert enforced[path]["outcome"] == "TimeoutError", (path, enforced)  # resolved, then dropped

    policies = [m for m in platform if m["kind"] == "NetworkPolicy"]
    assert any(not m["spec"].get("podSelector") for m in policies), "the platform has a default-deny policy"
    kubectl("-n", DEV_NAMESPACE, "delete", "networkpolicy", "--all", "--wait=true")
    try:
        opened = probe_all("open")
    finally:
        apply_list(policies)
    cluster["network_policy_removed"] = opened
    for path in ["frontend -> backend", *refused]:
        assert opened[path]["outcome"] == "open", (path, opened)


def test_a_settings_change_rolls_the_frontend_without_dropping_requests(cluster, platform, tmp_path):
    before = {p["metadata"]["name"] for p in pods_of("frontend")}
    manifests = render_dev_platform(tmp_path, greeting="Hello from the rolled pods")
    with BoundedLoad(PLATFORM_URL, max_requests=2000, max_seconds=240) as load:
        apply_list([m for m in manifests if m["kind"] != "Secret"])  # the Secrets keep their real values
        kubectl("-n", DEV_NAMESPACE, "rollout", "status", "deployment/frontend", "--timeout=180s", timeout=200)
        time.sleep(8)  # past the old pod's preStop pause and shutdown
    assert {p["metadata"]["name"] for p in pods_of("frontend")}.isdisjoint(before), "the settings change rolled the pods"
    assert "Hello from the rolled pods" in httpx.get(PLATFORM_URL, timeout=30).text
    cluster["rollout_load"] = load.figures.as_dict()
    assert load.figures.requests > 50 and load.figures.failed == 0 == load.figures.retried_undelivered, cluster["rollout_load"]


# ---- Releases through the real Pulumi engine (scripts/engine, scripts/release) -------------------


def release(engine: dict, *args: str, check: bool = True, timeout: float = 1200) -> subprocess.CompletedProcess:
    """Runs a release command (npm run deploy/promote/switch/status) against the scratch project."""
    return release_command(engine["project"], engine["env"], *args, check=check, timeout=timeout)


def registry_digest(builder: "ImageBuilder", ref: str) -> str:
    repository = ref.rsplit(":", 1)[0]
    digests = sh("docker", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", ref, env=builder.env).stdout.split()
    return next(d for d in digests if d.startswith(repository + "@"))


def edit_stack_file(path: Path, edit) -> None:
    settings = yaml.safe_load(path.read_text())
    edit(settings["config"])
    path.write_text(yaml.safe_dump(settings, sort_keys=False))


@pytest.fixture(scope="module")
def engine(cluster, builder, platform, tmp_path_factory):
    """A scratch copy of the project whose dev and staging stacks deploy to the local cluster.

    Differences from the repository's stack files, and why: the suite's own namespaces and node port
    (the cluster may hold the user's deployment of the real stacks); Postgres comes from the local registry
    by digest (nothing can be pulled from outside); dev's frontend is version 1.1.0 so the colours
    are told apart after a promotion; staging's Ingress has a host of its own (the scenarios' platform
    routes another; with TLS from a Secret nobody issues here, so the controller presents its default
    certificate, while the provider still waits for the Ingress's address), its requests are smaller (one
    2-core node), its frontend HPAs scale down after 30 s instead of 300 (the HPA test waits for
    it), and its current release is this build (as if promoted before).
    """
    # The kubectl-applied platform makes way: the engine deploys the dev stack itself.
    kubectl("delete", "namespace", DEV_NAMESPACE, "--wait=true", "--timeout=240s", timeout=260)
    project = tmp_path_factory.mktemp("project")
    refs = json.loads(
        sh(
            "bash",
            str(REPO / "scripts" / "publish-images.sh"),
            f"{REGISTRY}/fastapi-k8s",
            f"e2e-{secrets.token_hex(4)}",
            str(project / "refs.json"),
            env=builder.env,
        ).stdout
    )
    postgres = registry_digest(builder, f"{REGISTRY}/fastapi-k8s/postgres:e2e")

    def dev(config: dict) -> None:
        config["fastapi-k8s:namespace"] = DEV_NAMESPACE
        config["fastapi-k8s:frontend"]["service"]["nodePort"] = NODE_PORT
        config["fastapi-k8s:postgres"]["image"] = postgres
        config["fastapi-k8s:frontend"]["version"] = "1.1.0"
        config["fastapi-k8s:backend"]["rolloutTimeoutSeconds"] = 60

    def staging(config: dict) -> None:
        config["fastapi-k8s:namespace"] = STAGING_NAMESPACE
        config["fastapi-k8s:postgres"]["image"] = postgres
        config["fastapi-k8s:images"]["refs"] = refs
        config["fastapi-k8s:frontend"]["ingress"]["host"] = "e2e-staging.fastapi-k8s.example.com"
        config["fastapi-k8s:frontend"]["autoscaling"]["scaleDownStabilizationSeconds"] = 30
        for tier in ("frontend", "backend", "analytics"):
            config[f"fastapi-k8s:{tier}"]["resources"]["requests"]["cpu"] = "20m"
        config["fastapi-k8s:postgres"]["resources"]["requests"]["cpu"] = "50m"

    scratch_project(project, {"dev": dev, "staging": staging})
    env = {
        **os.environ,
        "KUBECONFIG": str(KUBECONFIG),
        "KUBECTL": str(REPO / ".cache" / "cluster" / "bin" / "kubectl"),
        "PULUMI_BACKEND_URL": f"file://{project / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
    }
    return {"project": project, "refs": refs, "env": env}


def stack_file_refs(engine: dict, stack: str) -> dict:
    return yaml.safe_load((engine["project"] / f"Pulumi.{stack}.yaml").read_text())["config"]["fastapi-k8s:images"]["refs"]


def test_the_engine_deploys_dev_from_published_images_and_validates_it(cluster, engine):
    started = time.monotonic()
    result = release(engine, "deploy", "dev", "--images", str(engine["project"] / "refs.json"), "--yes")
    cluster["engine_deploy_dev_seconds"] = round(time.monotonic() - started, 1)
    assert "dev: released and validated" in result.stdout, result.stdout[-3000:]
    assert stack_file_refs(engine, "dev") == engine["refs"]
    page = httpx.get(PLATFORM_URL, timeout=30)
    assert page.status_code == 200 and "FastAPI on Kubernetes (dev)" in page.text
    images = {
        p["metadata"]["labels"]["app.kubernetes.io/name"]: p["spec"]["containers"][0]["image"]
        for p in json.loads(kubectl("-n", DEV_NAMESPACE, "get", "pods", "-o", "json").stdout)["items"]
    }
    assert images["backend"] == engine["refs"]["backend"], images


def test_a_release_that_cannot_roll_out_is_rolled_back_while_the_old_pods_serve(cluster, engine):
    bad = {**engine["refs"], "backend": engine["refs"]["backend"].split("@")[0] + "@sha256:" + "0" * 64}
    bad_file = engine["project"] / "bad-refs.json"
    bad_file.write_text(json.dumps(bad))
    started = time.monotonic()
    with BoundedLoad(PLATFORM_URL, max_requests=4000, max_seconds=600) as load:
        result = release(engine, "deploy", "dev", "--images", str(bad_file), "--yes", "--rollout-timeout", "90", check=False)
        wait_until(lambda: len(pods_of("backend")) == 1, 120, "the failed backend pod to go")
    cluster["failed_release_and_rollback_seconds"] = round(time.monotonic() - started, 1)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "up of dev failed" in result.stderr and "the previous release was restored and validates" in result.stderr, result.stderr[-3000:]
    assert stack_file_refs(engine, "dev") == engine["refs"], "the stack file holds the previous release again"
    assert pods_of("backend")[0]["spec"]["containers"][0]["image"] == engine["refs"]["backend"]
    cluster["failed_release_load"] = load.figures.as_dict()
    assert load.figures.requests > 50 and load.figures.failed == 0 == load.figures.retried_undelivered, cluster["failed_release_load"]


def test_a_deploy_with_refresh_recreates_what_was_deleted_outside_pulumi(cluster, engine):
    kubectl("delete", "namespace", DEV_NAMESPACE, "--wait=true", "--timeout=240s", timeout=260)
    stale = release(engine, "deploy", "dev", "--yes", check=False)
    assert stale.returncode == 1 and f"no workloads in namespace {DEV_NAMESPACE}" in stale.stderr, stale.stderr[-2000:]
    started = time.monotonic()
    result = release(engine, "deploy", "dev", "--yes", "--refresh")
    cluster["engine_refresh_deploy_seconds"] = round(time.monotonic() - started, 1)
    assert "dev: released and validated" in result.stdout, result.stdout[-3000:]
    assert "FastAPI on Kubernetes (dev)" in httpx.get(PLATFORM_URL, timeout=30).text


def staging_status(engine: dict) -> dict:
    return json.loads(release(engine, "status", "staging").stdout)


def test_promotion_to_staging_carries_the_dev_release_and_validates_both_colours(cluster, engine):
    """(The blue-green switch itself, under load, is the `blue-green` scenario's: tests/cluster/test_scenarios.py.)"""
    started = time.monotonic()
    result = release(engine, "promote", "--to", "staging", "--yes")
    cluster["engine_promote_staging_seconds"] = round(time.monotonic() - started, 1)
    assert "staging: released and validated" in result.stdout, result.stdout[-3000:]
    assert stack_file_refs(engine, "staging") == engine["refs"]
    status = staging_status(engine)
    assert (status["activeColor"], status["live"], status["blue"], status["green"]) == ("blue", "1.0.0", "1.0.0", "1.1.0"), status


def staging_entry() -> tuple[str, str]:
    """Where staging's frontend is reached, as its users reach it: the ingress controller's address
    and the Ingress's host. It is the only way in (the frontend admits the controller's pods and
    nothing else), and nobody issues staging's certificate here, so clients take the controller's
    default one (verify=False) and name the host as Host and as the TLS server name."""
    controller = get("kube-system", "service", "traefik")["status"]["loadBalancer"]["ingress"][0]["ip"]
    return f"https://{controller}", get(STAGING_NAMESPACE, "ingress", "frontend")["spec"]["rules"][0]["host"]


def test_staging_frontend_is_reached_only_through_the_ingress_controller(cluster, engine, images):
    """Staging's frontend has an Ingress and ClusterIP Services, so its policy admits the ingress
    controller's pods (Traefik, in kube-system) and nothing else: the page is served through the
    controller, while a pod in another namespace times out on the live Service and on both colours'
    (with `allowFromAnywhere` all three opened, as they still do for dev's node port)."""
    policy = get(STAGING_NAMESPACE, "networkpolicy", "frontend-public-ingress")
    traefik = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}},
    }
    assert [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]] == [traefik], policy["spec"]
    targets = [f"{service}.{STAGING_NAMESPACE}.svc.cluster.local:8000" for service in ("frontend", "frontend-blue", "frontend-green")]
    elsewhere = connections_from("probe-staging-elsewhere", NAMESPACE, {"app": "probe"}, images["base"], targets)
    cluster["staging_frontend_from_elsewhere"] = elsewhere
    assert {target: result["outcome"] for target, result in elsewhere.items()} == dict.fromkeys(targets, "TimeoutError"), elsewhere
    entry, host = staging_entry()
    with routed_client(entry, host, verify=False, timeout=10) as client:
        page = client.get("/")
    assert page.status_code == 200 and "staging" in page.text, (page.status_code, page.text[:300])


def hpa_status(name: str) -> dict:
    return json.loads(kubectl("-n", STAGING_NAMESPACE, "get", "hpa", name, "-o", "json").stdout)["status"]


def test_an_hpa_scales_on_real_cpu_figures_and_a_release_leaves_its_replicas_alone(cluster, engine):
    """Under a bounded load loop through the Ingress (the only way into staging's frontend) the live
    colour's HPA (metrics-server's figures) grows past its minimum; while it is scaled, a release of
    the unchanged stack with --refresh finds nothing to change (no fight over `replicas`); without
    load it shrinks back after the stabilization window."""
    live = json.loads(kubectl("-n", STAGING_NAMESPACE, "get", "service", "frontend", "-o", "json").stdout)
    color = live["spec"]["selector"]["app.kubernetes.io/name"]
    entry, host = staging_entry()
    minimum = json.loads(kubectl("-n", STAGING_NAMESPACE, "get", "hpa", color, "-o", "json").stdout)["spec"]["minReplicas"]
    wait_until(lambda: hpa_status(color).get("currentMetrics"), 120, "the HPA to read CPU from metrics-server")
    figures = {"minimum": minimum}
    started = time.monotonic()
    with BoundedLoad(entry, "/", max_requests=20000, max_seconds=400, interval=0.01, host=host, verify=False) as load:
        wait_until(lambda: hpa_status(color)["currentReplicas"] > minimum, 240, f"{color} to scale above {minimum}")
        figures["scale_up_seconds"] = round(time.monotonic() - started, 1)
        figures["cpu_percent_under_load"] = hpa_status(color)["currentMetrics"][0]["resource"]["current"]["averageUtilization"]
        figures["replicas_under_load"] = hpa_status(color)["currentReplicas"]
        rerelease = release(engine, "deploy", "staging", "--refresh", check=False)  # no --yes: a change would ask, and fail
    figures["load"] = load.figures.as_dict()
    assert rerelease.returncode == 0 and "staging: nothing to change" in rerelease.stdout, rerelease.stdout[-3000:] + rerelease.stderr[-2000:]
    assert figures["cpu_percent_under_load"] > 70, figures
    stopped = time.monotonic()
    wait_until(lambda: hpa_status(color)["currentReplicas"] == minimum, 300, f"{color} to scale back to {minimum}")
    figures["scale_down_seconds"] = round(time.monotonic() - stopped, 1)
    figures["cpu_percent_idle"] = hpa_status(color)["currentMetrics"][0]["resource"]["current"]["averageUtilization"]
    cluster["hpa"] = figures
    assert load.figures.failed == 0, figures


def staging_sql(query: str) -> list[str]:
    """Rows of `query` on staging's database, over the server's own socket (trust auth: no password)."""
    psql = ["psql", "-U", "app", "-d", "app", "-AtX", "-v", "ON_ERROR_STOP=1", "-c", query]
    return kubectl("-n", STAGING_NAMESPACE, "exec", "postgres-0", "-c", "postgres", "--", *psql).stdout.splitlines()


def db(engine: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return db_command(engine["project"], engine["env"], *args, check=check)


def backup_files(engine: dict) -> list[str]:
    """The backups `npm run db -- list` reports, newest first; each must verify."""
    lines = [line.split("\t") for line in db(engine, "list", "staging").stdout.splitlines() if line.strip()]
    assert all(state == "verified" for _, _, state in lines), lines
    return [name for name, _, _ in lines]


def test_a_dropped_table_comes_back_from_a_backup_row_for_row(cluster, engine):
    """Notes written through the frontend (and 100k generated), a backup (npm run db -- backup), the
    notes table dropped, restore refused without --yes and for an unknown file, then restored: every
    row is back, the writers were stopped during the restore and serve again after."""
    entry, host = staging_entry()
    marker = secrets.token_hex(4)
    with routed_client(entry, host, verify=False, timeout=30) as client:
        for i in range(40):
            assert client.post("/notes", data={"title": f"{marker}-{i}", "body": f"body {i} " * 20}).status_code == 303
    # And a data set worth timing: 100k generated notes (≈200 characters of body each).
    staging_sql("INSERT INTO notes (title, body) SELECT 'generated ' || g, repeat(md5(g::text), 6) FROM generate_series(1, 100000) g")
    before = staging_sql("SELECT id, title, body, created_at FROM notes ORDER BY id")
    assert sum(marker in row for row in before) == 40 and len(before) >= 100040

    figures: dict = {"rows": len(before)}
    started = time.monotonic()
    taken = db(engine, "backup", "staging").stdout
    figures["backup_seconds"] = round(time.monotonic() - started, 1)
    name = next(line.split()[1] for line in taken.splitlines() if line.startswith("backup "))
    figures["backup_bytes"] = int(next(line.split()[2] for line in taken.splitlines() if line.startswith("backup ")))
    assert name in backup_files(engine)

    staging_sql("DROP TABLE notes")
    unconfirmed = db(engine, "restore", "staging", name, check=False)
    assert unconfirmed.returncode == 1 and "--yes" in unconfirmed.stderr, unconfirmed.stderr
    unknown = db(engine, "restore", "staging", "no-such.dump", "--yes", check=False)
    assert unknown.returncode == 1 and 'no backup named "no-such.dump"' in unknown.stderr, unknown.stderr

    started = time.monotonic()
    restored = db(engine, "restore", "staging", name, "--yes").stdout
    figures["restore_seconds"] = round(time.monotonic() - started, 1)
    cluster["backup_restore"] = figures
    assert "stopping the writers: backend" in restored and f"restored {name}" in restored, restored
    assert staging_sql("SELECT id, title, body, created_at FROM notes ORDER BY id") == before
    with routed_client(entry, host, verify=False, timeout=30) as client:
        page = client.get("/")
    assert page.status_code == 200 and f"{marker}-39" in page.text


def in_backup_volume(script: str) -> None:
    """Runs `script` (sh, in /backups) in a Job made from the backup CronJob's pod template: the one
    way in to the backup claim, with the backups' own identity."""
    cronjob = json.loads(kubectl("-n", STAGING_NAMESPACE, "get", "cronjob", "postgres-backup", "-o", "json").stdout)
    spec = cronjob["spec"]["jobTemplate"]["spec"]
    spec["backoffLimit"] = 0
    spec["template"]["spec"]["containers"][0]["command"] = ["sh", "-euc", f"cd /backups && {script}"]
    name = f"backup-volume-{secrets.token_hex(3)}"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": STAGING_NAMESPACE}, "spec": spec}
    kubectl("-n", STAGING_NAMESPACE, "create", "-f", "-", stdin=json.dumps(job))
    try:
        kubectl("-n", STAGING_NAMESPACE, "wait", f"job/{name}", "--for=condition=Complete", "--timeout=180s", timeout=200)
    finally:
        kubectl("-n", STAGING_NAMESPACE, "delete", "job", name, "--wait=false", "--cascade=background", check=False)


def test_a_damaged_backup_is_listed_unreadable_and_restoring_it_changes_nothing(cluster, engine):
    """Copies of a good backup cut to half and with four flipped bytes (both list their table of
    contents fine): npm run db -- list calls them unreadable and why, and a restore of either is
    refused before any writer is stopped (the backend's pods and replicas untouched, the data as it was)."""
    taken = db(engine, "backup", "staging").stdout
    good = next(line.split()[1] for line in taken.splitlines() if line.startswith("backup "))
    damaged = {"app-damaged-half.dump", "app-damaged-flipped.dump"}
    in_backup_volume(
        f"size=$(stat -c %s {good}); head -c $((size / 2)) {good} >app-damaged-half.dump; cp {good} app-damaged-flipped.dump; "
        f"printf '\\377\\000\\377\\000' | dd of=app-damaged-flipped.dump bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null"
    )
    try:
        listed = {line.split("\t")[0]: line.split("\t")[2] for line in db(engine, "list", "staging").stdout.splitlines() if line.strip()}
        assert listed[good] == "verified", listed
        for name in damaged:
            assert listed[name].startswith("UNREADABLE: pg_restore cannot read it whole"), listed
        notes = staging_sql("SELECT count(*) FROM notes")
        backends = {p["metadata"]["uid"] for p in live_pods(STAGING_NAMESPACE, "backend")}
        for name in sorted(damaged):
            refused = db(engine, "restore", "staging", name, "--yes", check=False)
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert f"refusing to restore: {name} does not verify" in refused.stderr and "nothing was changed" in refused.stderr, refused.stderr
            assert "stopping the writers" not in refused.stdout, refused.stdout
        assert {p["metadata"]["uid"] for p in live_pods(STAGING_NAMESPACE, "backend")} == backends, "no writer was stopped"
        assert staging_sql("SELECT count(*) FROM notes") == notes
        odd = db(engine, "restore", "staging", "app;reboot.dump", "--yes", "--timeout", "1e23", check=False)
        assert odd.returncode == 2 and "--timeout: expected whole seconds 1-86400" in odd.stderr, odd.stderr
        odd = db(engine, "restore", "staging", "../postgres-credentials", "--yes", check=False)
        assert odd.returncode == 2 and "is not a backup file name" in odd.stderr, odd.stderr
    finally:
        in_backup_volume(f"rm -f {' '.join(sorted(damaged))}")


def test_a_release_that_changes_the_database_statefulset_takes_a_backup_first(cluster, engine):
    """Staging's database gets a higher memory limit (the engine updates the StatefulSet, which
    restarts the server): the release takes a backup before applying and names it; the backup is
    listed and the notes outlive the restart. (A replacement, e.g. a new volume size, is covered on
    the engine in render mode: against a cluster, its server-side preview is refused by the API server.)"""
    notes = staging_sql("SELECT id, title FROM notes ORDER BY id")
    # The stack file keeps the change: it is what runs from here on (the release puts it back if it fails).
    edit_stack_file(engine["project"] / "Pulumi.staging.yaml", lambda config: config["fastapi-k8s:postgres"]["resources"]["limits"].update(memory="640Mi"))
    result = release(engine, "deploy", "staging", "--yes")
    line = next((x for x in result.stdout.splitlines() if "backed up the database before applying" in x), None)
    assert line and 'update StatefulSet "postgres"' in line, result.stdout[-3000:]
    name = line.split("): ")[1].split(" ")[0]
    assert name in backup_files(engine)
    assert "staging: released and validated" in result.stdout
    assert staging_sql("SELECT id, title FROM notes ORDER BY id") == notes


def test_a_deleted_data_volume_comes_back_from_a_backup(cluster, engine):
    """The StatefulSet and its data claim deleted (the volume wiped): a release with --refresh
    recreates an empty database, and restoring the newest backup brings every note back."""
    db(engine, "backup", "staging")
    notes = staging_sql("SELECT id, title, body FROM notes ORDER BY id")
    newest = backup_files(engine)[0]
    kubectl("-n", STAGING_NAMESPACE, "delete", "statefulset", "postgres", "--wait=true", timeout=200)
    kubectl("-n", STAGING_NAMESPACE, "delete", "pvc", "data-postgres-0", "--wait=true", timeout=200)
    recycle_released_volumes({STAGING_NAMESPACE})  # the old volume is emptied: the data is gone
    result = release(engine, "deploy", "staging", "--yes", "--refresh")
    assert "staging: released and validated" in result.stdout, result.stdout[-3000:]
    assert staging_sql("SELECT count(*) FROM pg_tables WHERE tablename = 'notes'") == ["0"] or staging_sql("SELECT count(*) FROM notes") == ["0"]
    started = time.monotonic()
    db(engine, "restore", "staging", newest, "--yes")
    cluster.setdefault("backup_restore", {})["restore_onto_a_new_volume_seconds"] = round(time.monotonic() - started, 1)
    assert staging_sql("SELECT id, title, body FROM notes ORDER BY id") == notes


def database_accepts(password: str) -> bool:
    """Whether staging's database accepts a TCP session with `password` (given on stdin, never argv)."""
    login = 'read -r pw; PGPASSWORD="$pw" psql -X -h 127.0.0.1 -U app -d app -Atc "SELECT 1" >/dev/null 2>&1'
    result = kubectl("-n", STAGING_NAMESPACE, "exec", "-i", "postgres-0", "-c", "password-sync", "--", "sh", "-c", login, check=False, stdin=password + "\n")
    return result.returncode == 0


def test_a_password_rotation_under_load_loses_no_request_and_retires_the_old_password(cluster, engine):
    """npm run db -- rotate-password staging while a bounded load loop reads the notes page (every
    request needs the database): 0 failed requests, the backend's pods never restart, the new password
    works and the old one is refused, and neither appears in the command's output."""
    entry, host = staging_entry()
    first_note = staging_sql("SELECT title FROM notes ORDER BY id LIMIT 1")[0]
    old = secret_value(STAGING_NAMESPACE, "postgres-credentials", "password")
    backends = {p["metadata"]["uid"] for p in live_pods(STAGING_NAMESPACE, "backend")}
    started = time.monotonic()
    with BoundedLoad(entry, "/", max_requests=20000, max_seconds=600, interval=0.05, expect_text=first_note, host=host, verify=False) as load:
        result = db(engine, "rotate-password", "staging", "--yes")
        time.sleep(5)  # and a little after, on connections opened with the new password
    figures = {"rotation_seconds": round(time.monotonic() - started, 1), "load": load.figures.as_dict()}
    figures["takes_new_password"] = next((line for line in result.stdout.splitlines() if "takes the new password" in line), None)
    cluster["password_rotation"] = figures
    new = secret_value(STAGING_NAMESPACE, "postgres-credentials", "password")
    assert new != old
    assert load.figures.failed == 0, figures
    assert figures["takes_new_password"], result.stdout[-3000:]
    assert "backed up the database before applying" in result.stdout, "a rotation in staging takes a backup first"
    assert old not in result.stdout + result.stderr and new not in result.stdout + result.stderr
    assert database_accepts(new) and not database_accepts(old)
    # The pods that served before still serve, never restarted (the HPA may have added some under load).
    kept = [p for p in live_pods(STAGING_NAMESPACE, "backend") if p["metadata"]["uid"] in backends]
    assert len(kept) == len(backends), "the backend picked the password up without replacing a pod"
    assert all(c["restartCount"] == 0 for p in kept for c in p["status"]["containerStatuses"])


def test_the_scheduled_backup_runs_verifies_and_keeps_only_the_newest(cluster, engine):
    """The CronJob itself, on a test schedule (every minute) and retention (2): its Job completes,
    its file verifies, and the older backups beyond two are deleted."""
    before = backup_files(engine)  # the earlier tests' backups (taken here when the test runs alone)
    while len(before) < 2:
        db(engine, "backup", "staging")
        before = backup_files(engine)
    assert len(before) >= 2, before
    kubectl(
        "-n",
        STAGING_NAMESPACE,
        "patch",
        "cronjob",
        "postgres-backup",
        "--type=json",
        "-p",
        json.dumps(
            [
                {"op": "replace", "path": "/spec/schedule", "value": "* * * * *"},
                {"op": "replace", "path": "/spec/jobTemplate/spec/template/spec/containers/0/env/6", "value": {"name": "KEEP", "value": "2"}},
            ]
        ),
    )

    def scheduled_job_done() -> bool:
        jobs = json.loads(kubectl("-n", STAGING_NAMESPACE, "get", "jobs", "-o", "json").stdout)["items"]
        scheduled = [j for j in jobs if any(o["kind"] == "CronJob" for o in j["metadata"].get("ownerReferences", []))]
        failed = [j["metadata"]["name"] for j in scheduled if j["status"].get("failed")]
        assert not failed, f"scheduled backup failed: {failed}"
        return any(j["status"].get("succeeded") for j in scheduled)

    wait_until(scheduled_job_done, 150, "a scheduled backup Job to succeed")
    kubectl("-n", STAGING_NAMESPACE, "patch", "cronjob", "postgres-backup", "-p", '{"spec": {"suspend": true}}')
    after = backup_files(engine)
    assert len(after) == 2, after
    assert after[1] == before[0], f"the newest earlier backup is kept beside the scheduled one: {before} → {after}"
    assert after[0] not in before


@pytest.mark.teardown
def test_what_the_suite_found_running_still_runs(cluster):
    """Nothing outside the suite's namespaces was deleted or replaced: a user's deployment (or, on a
    fresh cluster, the system pods) is as the suite found it."""
    gone = {uid: pod for uid, pod in cluster["found_running"].items() if uid not in running_pods()}
    assert cluster["found_running"], "the suite found pods running (at least CoreDNS)"
    assert gone == {}, f"pods the suite found running are gone: {sorted(gone.values())}"


@pytest.mark.teardown
def test_down_leaves_nothing_behind(cluster):
    if cluster["reused_running_cluster"]:
        pytest.skip("the cluster was running before the suite (a user's): left up, only the suite's namespaces removed")
    assert cluster_processes(), "the cluster's processes are visible while it runs"
    sh(*CLUSTER, "down", timeout=600)
    leftovers = cluster_processes()
    mounts = [line for line in Path("/proc/mounts").read_text().splitlines() if any(d in line for d in STATE_DIRS)]
    links = sh("ip", "-o", "link", "show").stdout
    assert leftovers == [], leftovers
    assert mounts == [], mounts
    assert "fk8s-" not in links, links
    for directory in STATE_DIRS:
        assert not Path(directory).exists(), directory
    assert "FK8S-EGRESS-GUARD" not in sh("iptables", "-S").stdout
    # Nothing of Cilium's datapath either: host devices, iptables chains, pinned maps, its state.
    assert "cilium_" not in links, links
    assert "CILIUM_" not in sh("iptables-save").stdout
    assert not list(Path("/sys/fs/bpf").glob("tc/globals/cilium_*")), "pinned Cilium maps are gone"
    assert not Path("/var/run/cilium").exists()
