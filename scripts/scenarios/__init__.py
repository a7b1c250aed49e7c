"""The exercises' failure scenarios, run on the local cluster against the platform the program deploys
(docs/scenarios.md). `npm run scenarios` runs them all and writes a report; tests/cluster runs the same
functions, so the report and the tests cannot drift apart.

Every scenario returns the figures it measured and raises ScenarioFailed when Kubernetes did not
behave as the scenario says it should."""


class ScenarioFailed(AssertionError):
    """A scenario's expected outcome did not happen; the message says what was seen instead."""
