"""Program evaluation against a raw program of the same objects (scripts/bench/evaluation.ts)."""

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from .measure import REPO, Figures, interleaved

COMPILED = REPO / "out" / "bench-js"  # inside the repository, so that node_modules resolve from it


def run(rounds: int) -> dict[str, dict[str, dict[str, Figures]]]:
    """Per case ("prod platform", "100 WebServices"): each variant's milliseconds per object."""
    command = ["npx", "--no-install", "ts-node", "--transpile-only", str(REPO / "scripts" / "bench" / "evaluation.ts"), "--rounds", str(rounds)]
    output = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True, timeout=1200).stdout
    cases = json.loads(output.strip().splitlines()[-1])
    return {
        case: {variant: {"ms_per_object": Figures([ms / result["kubernetesObjects"] for ms in samples])} for variant, samples in result["milliseconds"].items()}
        for case, result in cases.items()
    }


def run_process(rounds: int) -> dict[str, dict[str, Figures]]:
    """Whole runs of scripts/bench/programLoad.ts (start, load, evaluate prod, exit), compiled the way
    Pulumi's Node.js runtime compiles a program (scripts/engine/nodeRuntime.cjs) from program
    directories whose tsconfig.json asks for a type check (what `pulumi up` did before
    stacks/tsconfig.json) or not (stacks/tsconfig.json: how it runs now), and as JavaScript compiled beforehand
    by tsc: what compiling on every `up` costs, and what each way of doing it costs."""
    subprocess.run(["npx", "--no-install", "tsc", "-p", "tsconfig.json", "--outDir", str(COMPILED), "--sourceMap", "false", "--declaration", "false"],
                   cwd=REPO, check=True, capture_output=True, timeout=600)  # fmt: skip
    config = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    with tempfile.TemporaryDirectory() as scratch:
        config_file = Path(scratch) / "config.json"
        config_file.write_text(json.dumps(config))
        typed = Path(scratch) / "type-checked"
        typed.mkdir()
        (typed / "tsconfig.json").write_text(json.dumps({"extends": str(REPO / "tsconfig.json")}))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_NODEJS_")}

        def wall(*command: str) -> dict[str, float]:
            started = time.monotonic()
            subprocess.run([*command, str(config_file)], cwd=REPO, env=env, check=True, capture_output=True, timeout=300)
            return {"process_seconds": time.monotonic() - started}

        def as_pulumi_runs(program_dir: Path) -> Callable[[], dict[str, float]]:
            runtime, program = REPO / "scripts" / "engine" / "nodeRuntime.cjs", REPO / "scripts" / "bench" / "programLoad.ts"
            return lambda: wall("node", str(runtime), str(program_dir), str(program))

        return interleaved(
            rounds,
            {
                "ts-node, type-checked (pulumi up without stacks/tsconfig.json)": as_pulumi_runs(typed),
                "ts-node, transpile-only (stacks/tsconfig.json: pulumi up today)": as_pulumi_runs(REPO / "stacks"),
                "prebuilt JavaScript": lambda: wall("node", str(COMPILED / "scripts" / "bench" / "programLoad.js")),
            },
        )
