"""npm run scenarios [-- --only name[,name…]] [--keep]: deploys the scenarios' platform on the local
cluster (scripts/scenarios.sh brings the cluster up first), runs every scenario, writes
out/scenarios.json and out/scenarios.md, and removes the platform again (--keep leaves it running)."""

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import report
from .catalogue import SCENARIOS
from .kube import REPO, sh
from .platform import ScenarioPlatform
from .screenshot import screenshot


def main() -> int:
    parser = argparse.ArgumentParser(prog="npm run scenarios --")
    parser.add_argument("--only", help=f"comma-separated scenarios to run, of: {', '.join(SCENARIOS)}")
    parser.add_argument("--keep", action="store_true", help="leave the scenarios' namespace running afterwards")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; expected some of: {', '.join(SCENARIOS)}")

    docker_host = sh("bash", str(REPO / "scripts" / "docker-engine.sh"), "start").stdout.strip()
    platform = ScenarioPlatform(Path(tempfile.mkdtemp(prefix="fastapi-k8s-scenarios-")), docker_host)
    results: dict = {}
    shot = None
    try:
        print(f"deploying the scenarios' platform into {platform.namespace} …", flush=True)
        platform.remove()
        platform.deploy()
        shot = screenshot(platform.url, REPO / "out" / "scenarios-page.png")
        for name in chosen:
            title, scenario = SCENARIOS[name]
            print(f"▶ {name}: {title}", flush=True)
            results[name] = run_one(title, scenario, platform)
            print(f"  {results[name]['outcome']} in {results[name]['seconds']}s", flush=True)
    finally:
        if not args.keep:
            platform.remove()
    json_path, markdown = report.write(results, {"namespace": platform.namespace, "url": platform.url, "screenshot": str(shot)})
    print(f"report: {markdown} (figures: {json_path})")
    return 0 if all(r["outcome"] == "passed" for r in results.values()) else 1


def run_one(title: str, scenario, platform: ScenarioPlatform) -> dict:
    started = time.monotonic()
    try:
        figures = scenario(platform)
        outcome, error = "passed", None
    except Exception as failure:  # reported, and the run goes on with the next scenario
        figures, outcome, error = {}, "failed", "".join(traceback.format_exception_only(failure)).strip()
    return {"title": title, "outcome": outcome, "seconds": round(time.monotonic() - started, 1), "figures": figures, **({"error": error} if error else {})}


if __name__ == "__main__":
    sys.exit(main())
