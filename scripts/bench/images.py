"""Images: each service's image (app-images/Dockerfile: wheels only, hash-checked, a final stage from scratch)
beside a naive single-stage build of the same service on the same base (`pip install` into it,
pip's defaults, no second stage), and the time of a rebuild after a code-only change. Needs the
Docker engine scripts/docker-engine.sh starts; builds from a copy of app-images/, so the change
never touches the repository."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .measure import APP_IMAGES, REPO, Figures

SERVICES = ("frontend", "backend", "analytics")
NAIVE_DOCKERFILE = r"""
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG SERVICE
ARG EXTRA_CA_CERTS=""
COPY ${SERVICE}/requirements.txt /tmp/requirements.txt
RUN if [ -n "$EXTRA_CA_CERTS" ]; then cat /etc/ssl/certs/ca-certificates.crt > /tmp/ca.pem 2>/dev/null || true; \
        printf '%s\n' "$EXTRA_CA_CERTS" >> /tmp/ca.pem; export PIP_CERT=/tmp/ca.pem; fi; \
    python3 -m venv /opt/venv && /opt/venv/bin/pip install -r /tmp/requirements.txt
COPY common/fastapi_common /srv/fastapi_common
COPY ${SERVICE}/app /srv/app
WORKDIR /srv
ENV PATH=/opt/venv/bin:$PATH
ENTRYPOINT ["uvicorn", "app.main:app"]
""".lstrip()


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} … failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout.strip()


# A TLS-intercepting proxy's certificates, which pip needs in both builds (scripts/build-image.sh passes them too).
EXTRA_CA_CERTS = "".join(path.read_text() for path in sorted(Path("/usr/local/share/ca-certificates").glob("*.crt")))


def build(docker: dict[str, str], context: Path, dockerfile: Path, service: str, base: str, tag: str) -> float:
    """Seconds to build `tag` (legacy builder, host network, as scripts/build-image.sh builds)."""
    started = time.monotonic()
    sh("docker", "build", "-q", "--network", "host", "-f", str(dockerfile), "--build-arg", f"SERVICE={service}",
       "--build-arg", f"BASE_IMAGE={base}", "--build-arg", f"EXTRA_CA_CERTS={EXTRA_CA_CERTS}", "-t", tag, str(context), env=docker)  # fmt: skip
    return time.monotonic() - started


def size_mb(docker: dict[str, str], tag: str) -> float:
    return int(sh("docker", "image", "inspect", "--format", "{{.Size}}", tag, env=docker)) / 1e6


def run(rounds: int) -> dict[str, dict[str, Figures]]:
    host = sh("bash", str(REPO / "scripts" / "docker-engine.sh"), "start")
    docker = {**os.environ, "DOCKER_HOST": host, "DOCKER_BUILDKIT": "0"}
    base = sh("bash", str(REPO / "scripts" / "base-image.sh"), env=docker)
    figures: dict[str, dict[str, Figures]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        context = Path(scratch) / "app-images"
        shutil.copytree(APP_IMAGES, context, ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache", "tests"))
        naive = Path(scratch) / "Dockerfile.naive"
        naive.write_text(NAIVE_DOCKERFILE)
        for service in SERVICES:
            ours, plain = f"fastapi-k8s-bench/{service}:ours", f"fastapi-k8s-bench/{service}:naive"
            build(docker, context, context / "Dockerfile", service, base, ours)
            build(docker, context, naive, service, base, plain)
            rebuilds = Figures()
            for round_index in range(rounds):
                main = context / service / "app" / "main.py"
                main.write_text(main.read_text() + f"\n# a code-only change, round {round_index}\n")
                rebuilds.samples.append(build(docker, context, context / "Dockerfile", service, base, ours))
            figures[service] = {
                "size_mb": Figures([size_mb(docker, ours)]),
                "naive_size_mb": Figures([size_mb(docker, plain)]),
                "code_only_rebuild_seconds": rebuilds,
            }
            sh("docker", "image", "rm", "-f", ours, plain, env=docker)
    return figures
