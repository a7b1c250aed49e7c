"""Blue-green: live traffic switched to the other colour and back by the release command while a
load loop runs; the page shows the new version right after each switch."""

import httpx

from .kube import expect
from .load import BoundedLoad
from .platform import STACK, ScenarioPlatform


def switch_and_back(platform: ScenarioPlatform) -> dict:
    start = platform.status()
    expect(start["activeColor"] == "blue", f"the scenarios start on blue: {start}")
    switches = []
    with BoundedLoad(platform.url, max_requests=6000, max_seconds=600) as load:
        for color in ("green", "blue"):
            platform.release("switch", STACK, color, "--yes")
            page = httpx.get(platform.url, timeout=10).text
            served = httpx.get(f"{platform.url}/version", timeout=10).json()["version"]
            expected = start[color]
            expect(
                served == expected and f'<span class="version">{expected}</span>' in page,
                f"right after the switch to {color}, the page shows {expected} (served {served})",
            )
            switches.append({"to": color, "version_served": served})
    figures = load.figures.as_dict()
    expect(load.figures.requests > 50 and load.figures.failed == 0, f"requests failed during the switches: {figures}")
    return {"switches": switches, "load": figures}
