"""npm run bench [-- --quick] [--only request-path,start-to-ready,evaluation,unit-loop,images,program-process,deploy]

Each pair A/B-interleaved on this machine (loopback only, bounded runs), min/median/max per
figure, and every goal of docs/performance.md judged on the medians: written to out/bench.json and
printed as a table. --quick runs each pair briefly and fails (exit 1) only past a goal's quick
bound: twice as far from the goal as allowed, or for the request path halfway back to the figures
before its rework, so that noise cannot fail it but a regression would."""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import deploy, evaluation, images, request_path, startup, unit_loop
from .measure import REPO, Figures


@dataclass
class Goal:
    bench: str
    what: str
    value: Callable[[dict], float]
    goal: float
    at_most: bool
    quick_bound: float | None = None  # default: twice as far from the goal as allowed

    def judge(self, results: dict) -> dict:
        value = self.value(results[self.bench])
        quick_bound = self.quick_bound or (self.goal * 2 if self.at_most else self.goal / 2)
        return {
            "bench": self.bench,
            "what": self.what,
            "value": round(value, 3),
            "goal": f"{'≤' if self.at_most else '≥'} {self.goal}",
            "met": value <= self.goal if self.at_most else value >= self.goal,
            "quick_bound": quick_bound,
            "within_quick_bound": value <= quick_bound if self.at_most else value >= quick_bound,
        }


def median(figures: dict[str, dict[str, Figures]], variant: str, figure: str) -> float:
    return figures[variant][figure].summary()["median"]


def ratio(variant: str, baseline: str, figure: str) -> Callable[[dict], float]:
    return lambda figures: median(figures, variant, figure) / median(figures, baseline, figure)


GOALS = [
    # Quick bounds between today's figures (0.58, 1.7) and those before the rework (0.19-0.26, up to 5.7).
    Goal("request-path", "throughput, full stack / bare route", ratio("full stack", "bare route", "requests_per_second"), 0.9, False, quick_bound=0.35),
    Goal("request-path", "p99 latency, full stack / bare route", ratio("full stack", "bare route", "p99_ms"), 1.2, True, quick_bound=3.0),
    # As staging runs its services, at INFO: every request writes its log line (and the limits are on).
    Goal(
        "request-path",
        "throughput, full stack with request logs / bare route",
        ratio("full stack, request logs on", "bare route", "requests_per_second"),
        0.8,
        False,
        quick_bound=0.35,
    ),
    *[
        Goal("start-to-ready", f"{service}: start → ready, seconds", lambda f, s=service: median(f, s, "start_to_ready_seconds"), 1.5, at_most=True)
        for service in ("frontend", "backend", "analytics")
    ],
    *[
        Goal("evaluation", f"{case}: ms per Kubernetes object, program / raw", lambda f, c=case: ratio("program", "raw", "ms_per_object")(f[c]), 1.2, True)
        for case in ("prod platform", "100 WebServices")
    ],
    # What compiling costs every `pulumi up` (and preview): the program process as the runtime compiles it here, against
    # the same program compiled beforehand (which Pulumi could run only from a build step the user must not forget).
    Goal(
        "program-process",
        "pulumi up's program process / prebuilt JavaScript",
        ratio(evaluation.PULUMI_UP_TODAY, "prebuilt JavaScript", "process_seconds"),
        1.5,
        True,
    ),
    Goal(
        "deploy",
        "dev to all-Ready: pulumi up / kubectl apply --server-side + rollout status",
        ratio("pulumi up", "kubectl apply --server-side + rollout status", "seconds_to_all_ready"),
        1.5,
        True,
    ),
    Goal("unit-loop", "npm run test:unit, seconds", lambda f: median(f, "npm run test:unit", "wall_seconds"), 30, at_most=True),
    *[
        Goal(
            "images",
            f"{service}: image size / naive single-stage build",
            lambda f, s=service: median(f, s, "size_mb") / median(f, s, "naive_size_mb"),
            0.5,
            True,
        )
        for service in images.SERVICES
    ],
    *[
        Goal("images", f"{service}: rebuild after a code-only change, seconds", lambda f, s=service: median(f, s, "code_only_rebuild_seconds"), 5, True)
        for service in images.SERVICES
    ],
]

# Figures reported beside the goals, without one of their own: how the evaluation gap splits into
# what the SDK charges for the platform's component tree (its registrations, parents and component
# inputs, every value already computed) and what the components' code and wiring add.
REPORTED = [
    ("evaluation", f"{case}: {what}", lambda f, c=case, v=variant, b=baseline: ratio(v, b, "ms_per_object")(f[c]))
    for case in ("prod platform", "100 WebServices")
    for what, variant, baseline in (
        ("SDK floor / raw (the component tree)", "sdk floor", "raw"),
        ("program / SDK floor (own code, wiring)", "program", "sdk floor"),
    )
]


def benches(quick: bool) -> dict[str, Callable[[], dict]]:
    return {
        "request-path": lambda: request_path.run(rounds=3 if quick else 7, seconds=2 if quick else 5),
        "start-to-ready": lambda: startup.run(rounds=3 if quick else 7),
        "evaluation": lambda: evaluation.run(rounds=3 if quick else 9),
        **({} if quick else {"program-process": lambda: evaluation.run_process(rounds=5)}),
        # The unit loop is a test run of its own, the images are minutes of builds: full mode only.
        **({} if quick else {"unit-loop": lambda: unit_loop.run(rounds=1), "images": lambda: images.run(rounds=3)}),
        # Minutes per round on the local cluster (root; brought up when needed): full mode only.
        **({} if quick else {"deploy": lambda: deploy.run(rounds=3)}),
    }


def summarize(figures: dict) -> dict:
    """Figures → their min/median/max, recursively (cases hold variants, variants hold figures)."""
    return {key: value.summary() if isinstance(value, Figures) else summarize(value) for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(prog="npm run bench --")
    parser.add_argument("--quick", action="store_true", help="brief runs; fail only beyond twice a goal's distance")
    parser.add_argument("--only", help="comma-separated benches: request-path, start-to-ready, evaluation, program-process, unit-loop, images, deploy")
    args = parser.parse_args()
    available = benches(args.quick)
    chosen = args.only.split(",") if args.only else list(available)
    unknown = [name for name in chosen if name not in available]
    if unknown:
        parser.error(f"unknown bench(es) {', '.join(unknown)}; expected some of: {', '.join(available)}")

    results: dict = {}
    seconds: dict[str, float] = {}
    for name in chosen:
        print(f"▶ {name}", flush=True)
        started = time.monotonic()
        results[name] = available[name]()
        seconds[name] = round(time.monotonic() - started, 1)
    judged = [goal.judge(results) for goal in GOALS if goal.bench in results]
    reported = [{"bench": bench, "what": what, "value": round(value(results[bench]), 3)} for bench, what, value in REPORTED if bench in results]
    report = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": "quick" if args.quick else "full",
        "cpus": os.cpu_count(),
        "bench_seconds": seconds,
        "figures": summarize(results),
        "goals": judged,
        "reported": reported,
    }
    out = REPO / "out" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{'bench':<16} {'what':<58} {'value':>9}  {'goal':<8} met")
    for row in judged:
        print(f"{row['bench']:<16} {row['what']:<58} {row['value']:>9}  {row['goal']:<8} {'yes' if row['met'] else 'NO'}")
    for row in reported:
        print(f"{row['bench']:<16} {row['what']:<58} {row['value']:>9}  (reported, no goal)")
    print(f"\nfigures and goals: {out.relative_to(REPO)}")
    beyond = [row for row in judged if not row["within_quick_bound"]]
    if args.quick and beyond:
        for row in beyond:
            print(f"✗ {row['what']}: {row['value']} is past its quick bound {row['quick_bound']} (goal {row['goal']})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
