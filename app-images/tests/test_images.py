"""Every service image builds from the one Dockerfile on a locally made base image, starts as its
non-root user with a read-only root filesystem, and answers /livez on loopback (host network)."""

import json
import os
import subprocess
import time

import httpx
import pytest

from conftest import APP_IMAGES, free_port, wait_until

REPO = APP_IMAGES.parent
SERVICES = ["frontend", "backend", "analytics"]
REPORT = REPO / "out" / "images.json"


def run(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def docker_env() -> dict[str, str]:
    host = run("bash", str(REPO / "scripts" / "docker-engine.sh"), "start").stdout.strip()
    env = {**os.environ, "DOCKER_HOST": host}
    run("bash", str(REPO / "scripts" / "base-image.sh"), env=env)  # built once, outside the timings
    return env


@pytest.fixture(scope="module")
def built(docker_env) -> dict[str, dict]:
    report = {}
    for service in SERVICES:
        tag = f"fastapi-k8s/{service}:test"
        started = time.monotonic()
        result = run("bash", str(REPO / "scripts" / "build-image.sh"), service, tag, env=docker_env, check=False)
        assert result.returncode == 0, f"{service} image failed to build:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        size = int(run("docker", "image", "inspect", "--format", "{{.Size}}", tag, env=docker_env).stdout)
        report[service] = {"image": tag, "build_seconds": round(time.monotonic() - started, 1), "size_mb": round(size / 1e6, 1)}
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2))
    return report


@pytest.mark.parametrize("service", SERVICES)
def test_image_runs_non_root_read_only_and_answers_livez(service, built, docker_env, tmp_path):
    image = built[service]["image"]
    config = json.loads(run("docker", "image", "inspect", image, env=docker_env).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["python3", "-m", "fastapi_common.server", "app.main:app"], "the server with its request limits"
    # The drain comes from the environment, so the platform's drainSeconds can set it (WebService does).
    assert "--timeout-graceful-shutdown" not in config["Entrypoint"] and "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN=20" in config["Env"]

    secret = tmp_path / "password"
    secret.write_text("unused")
    secret.chmod(0o644)
    port = free_port()
    container = run(
        "docker",
        "run",
        "-d",
        "--rm",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--network",
        "host",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "-e",
        "UVICORN_HOST=127.0.0.1",
        "-e",
        f"UVICORN_PORT={port}",
        "-e",
        "DATABASE_PASSWORD_FILE=/run/secrets/password",
        "-e",
        "DATABASE_PORT=1",
        "-v",
        f"{secret}:/run/secrets/password:ro",
        image,
        env=docker_env,
    ).stdout.strip()
    try:

        def live() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(live, 30, f"{service} container to answer /livez")

        def python(code: str) -> subprocess.CompletedProcess:
            # The image has no shell or coreutils to ask (the final stage is FROM scratch): Python answers.
            return run("docker", "exec", container, "python3", "-c", code, env=docker_env, check=False)

        assert python("import os; print(os.getuid())").stdout.strip() == "10001"
        write = python("open('/srv/app/x', 'w')")
        assert write.returncode != 0 and "Read-only file system" in write.stderr
        tools = ("sh", "bash", "dash", "busybox", "apt-get", "dpkg", "pip", "gcc", "cc", "ld")
        found = python(f"import shutil; print([t for t in {tools!r} if shutil.which(t)])").stdout.strip()
        assert found == "[]", f"the image carries {found}: nothing but Python should run in it"
        shell = run("docker", "exec", container, "sh", "-c", "true", env=docker_env, check=False)
        assert shell.returncode != 0, "no shell to exec into"
    finally:
        run("docker", "stop", "-t", "25", container, env=docker_env, check=False)
