"""The memory figures the program bounds analytics.maxRows by (ANALYTICS_MEMORY in
stacks/serviceContract.ts), measured on the real service: what it holds after its first request,
and what a data set adds per row at its peak. If the code grows past either, a stack the program
accepts would have its largest request OOMKilled."""

import re
from pathlib import Path

import httpx

from conftest import APP_IMAGES

CONTRACT = APP_IMAGES.parent / "stacks" / "serviceContract.ts"
ROWS = 2_000_000


def contract() -> dict[str, int]:
    found = re.search(r"ANALYTICS_MEMORY = \{ bytesPerRow: (\d+), baseMiB: (\d+) \}", CONTRACT.read_text())
    assert found, f"ANALYTICS_MEMORY not found in {CONTRACT}"
    return {"bytes_per_row": int(found.group(1)), "base_mib": int(found.group(2))}


def high_water_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]


def test_the_service_and_a_data_set_fit_the_figures_the_program_bounds_max_rows_by(services, keys):
    figures = contract()
    key = keys.issue("backend", "analytics")
    service = services.start("analytics", {"API_KEYS_DIR": keys.inbound_dir("analytics"), "MAX_ROWS": str(ROWS)})
    auth = {"X-API-Key": key}
    assert httpx.get(f"{service.url}/api/stats", params={"rows": 1000}, headers=auth).status_code == 200
    base = high_water_kib(service.process.pid)
    assert base <= figures["base_mib"] * 1024, f"the service holds {base} KiB after its first request; the program assumes {figures['base_mib']} MiB"
    assert httpx.get(f"{service.url}/api/stats", params={"rows": ROWS}, headers=auth, timeout=120).status_code == 200
    per_row = (high_water_kib(service.process.pid) - base) * 1024 / ROWS
    assert per_row <= figures["bytes_per_row"], f"{ROWS} rows took {per_row:.1f} bytes each at their peak; the program assumes {figures['bytes_per_row']}"
    assert per_row > figures["bytes_per_row"] / 2, f"{per_row:.1f} bytes a row: the figure in the contract is far above what is measured; lower it"
