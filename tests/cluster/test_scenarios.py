"""The exercises' failure scenarios (scripts/scenarios, docs/scenarios.md) as tests, on the session's
cluster: the same code `npm run scenarios` runs, so the report and the tests cannot drift apart.
The figures each scenario measured go to out/scenarios.json and out/scenarios.md, as the command's do."""

import time

import pytest

from conftest import ImageBuilder
from scenarios import report
from scenarios.catalogue import SCENARIOS
from scenarios.platform import ScenarioPlatform
from scenarios.screenshot import screenshot


@pytest.fixture(scope="module")
def results() -> dict:
    return {}


@pytest.fixture(scope="module")
def scenario_platform(cluster, builder: ImageBuilder, results, tmp_path_factory):
    platform = ScenarioPlatform(tmp_path_factory.mktemp("scenarios"), builder.env["DOCKER_HOST"])
    platform.remove()
    platform.deploy()
    shot = screenshot(platform.url, tmp_path_factory.mktemp("screenshot") / "page.png")
    yield platform
    platform.remove()
    report.write(results, {"namespace": platform.namespace, "url": platform.url, "screenshot": str(shot), "run_by": "tests/cluster"})


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name: str, scenario_platform: ScenarioPlatform, results: dict, cluster: dict) -> None:
    title, scenario = SCENARIOS[name]
    started = time.monotonic()
    figures = scenario(scenario_platform)  # raises ScenarioFailed, naming what happened instead
    results[name] = {"title": title, "outcome": "passed", "seconds": round(time.monotonic() - started, 1), "figures": figures}
    cluster.setdefault("scenarios", {})[name] = "passed"
