"""The inner loop a contributor waits on: `npm run test:unit`, wall time."""

import subprocess
import time

from .measure import REPO, Figures


def run(rounds: int) -> dict[str, dict[str, Figures]]:
    samples = Figures()
    for _ in range(rounds):
        started = time.monotonic()
        subprocess.run(["npm", "run", "--silent", "test:unit"], cwd=REPO, check=True, capture_output=True, timeout=900)
        samples.samples.append(time.monotonic() - started)
    return {"npm run test:unit": {"wall_seconds": samples}}
