"""The TypeScript ↔ Python contract: every environment variable the program sets on a tier (its
ConfigMap and its container's env, in every stack) is a setting that tier's service reads, or one
of the server's options. A renamed setting on either side fails here, not in a pod that quietly
ignores it."""

import json
import subprocess
import sys

import pytest
import yaml

from conftest import APP_IMAGES

REPO = APP_IMAGES.parent
SETTINGS_CLASSES = {"frontend": "FrontendSettings", "backend": "BackendSettings", "analytics": "AnalyticsSettings"}


def settings_fields(service: str) -> set[str]:
    """The environment names the service's pydantic settings read (field names, upper-cased), and
    the server's (fastapi_common.server: UVICORN_*)."""
    script = (
        f"import json; from app.settings import {SETTINGS_CLASSES[service]} as S; from fastapi_common.server import ServerSettings as V; "
        "print(json.dumps(sorted([name.upper() for name in S.model_fields] + ['UVICORN_' + name.upper() for name in V.model_fields])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=APP_IMAGES / service,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(APP_IMAGES / "common"), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return set(json.loads(result.stdout))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[dict]]:
    out = tmp_path_factory.mktemp("render")
    subprocess.run(
        ["node", "--require", "sucrase/register/ts", str(REPO / "scripts" / "render" / "index.ts"), "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return {stack.name: [yaml.safe_load(f.read_text()) for f in sorted(stack.glob("*.yaml"))] for stack in out.iterdir()}


def tier_of(labels: dict) -> str | None:
    name = labels.get("app.kubernetes.io/name", "")
    return next((tier for tier in SETTINGS_CLASSES if name == tier or name.startswith(f"{tier}-")), None)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_variable_the_program_sets_is_read_by_the_service(rendered, stack):
    config_maps = {m["metadata"]["name"]: m for m in rendered[stack] if m["kind"] == "ConfigMap"}
    checked = 0
    for deployment in (m for m in rendered[stack] if m["kind"] == "Deployment"):
        tier = tier_of(deployment["spec"]["template"]["metadata"]["labels"])
        assert tier, deployment["metadata"]["name"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        names = {e["name"] for e in container.get("env", [])}
        for source in container.get("envFrom", []):
            names |= set(config_maps[source["configMapRef"]["name"]]["data"])
        unknown = names - settings_fields(tier)
        assert unknown == set(), f"{stack}/{deployment['metadata']['name']} sets variables {tier} never reads: {sorted(unknown)}"
        checked += 1
    assert checked >= 3
