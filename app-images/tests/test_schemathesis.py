"""Every operation of each service's OpenAPI schema, fed generated input (valid and invalid) by
schemathesis with the callers' real keys: no 5xx, no status, media type, header or body the
document does not declare.
Bounded and repeatable: a fixed derandomized seed and a fixed number of examples per operation."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import APP_IMAGES, ServiceKeys, ServiceLauncher, start_chain

EXAMPLES_PER_OPERATION = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ = settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def platform(tmp_path_factory, postgres):
    launcher = ServiceLauncher(tmp_path_factory.mktemp("schemathesis"))
    keys = ServiceKeys(tmp_path_factory.mktemp("keys"))
    # Small data sets keep hundreds of generated analytics calls quick.
    services = start_chain(launcher, postgres, keys, analytics={"MAX_ROWS": "20000"}, frontend={"INSIGHTS_MAX_ROWS": "5000"})
    frontend, backend, analytics = services
    auth = {
        "frontend": {},
        "backend": {"X-API-Key": open(keys.outbound_file("frontend", "backend")).read()},
        "analytics": {"X-API-Key": open(keys.outbound_file("backend", "analytics")).read()},
    }
    yield {service.name: (service, auth[service.name]) for service in services}
    launcher.stop_all()
    for service in services:
        text = service.log_file.read_text()
        assert "Traceback" not in text, f"{service.name} logged a traceback under generated input:\n{text[-3000:]}"


def operations(url: str) -> list:
    return [result.ok() for result in schemathesis.openapi.from_url(f"{url}/openapi.json").get_all_operations()]


# schemathesis' pytest plugin does not run under pytest 9 ("'Function' object has no attribute
# '_nodeid'"), so each operation's strategies are driven by hypothesis directly: the same cases
# and checks, valid input (positive) and invalid input (negative).
@pytest.mark.parametrize("name", ["frontend", "backend", "analytics"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_generated_requests_get_no_5xx_and_schema_conformant_answers(platform, name, mode):
    service, headers = platform[name]
    tried: list[str] = []
    calls = 0
    for operation in operations(service.url):
        if mode is GenerationMode.NEGATIVE and not any((operation.path_parameters, operation.query, operation.body)):
            continue  # nothing to make invalid (e.g. GET /version)
        tried.append(operation.label)

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

        call()
    assert tried, "the schema has operations to test"
    assert calls >= len(tried), "every operation was called"
    CASES_RUN[f"{name}/{mode.value}"] = {"operations": len(tried), "requests": calls}


CASES_RUN: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module", autouse=True)
def report_cases_run():
    """out/schemathesis.json: how many operations and generated requests each run covered."""
    yield
    out = APP_IMAGES.parent / "out"
    out.mkdir(exist_ok=True)
    (out / "schemathesis.json").write_text(json.dumps(CASES_RUN, indent=2))
