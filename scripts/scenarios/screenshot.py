"""A screenshot of the page with headless Chromium (Debian's `chromium`), for docs/scenarios.md."""

import shutil
from pathlib import Path

from .kube import expect, sh


def screenshot(url: str, path: Path) -> Path:
    chromium = shutil.which("chromium")
    expect(chromium, "chromium is not installed (scripts/scenarios.sh installs Debian's package)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    # --no-sandbox: run as root here; the page comes from the cluster on this machine only.
    sh(
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--window-size=1100,360",
        f"--screenshot={path}",
        url,
        timeout=120,
    )
    expect(path.exists() and path.stat().st_size > 10_000, f"chromium wrote no screenshot of {url}")
    return path
