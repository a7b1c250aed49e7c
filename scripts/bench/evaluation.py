"""Program evaluation against a raw program of the same objects (scripts/bench/evaluation.ts)."""

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from scenarios.kube import RUN_TYPESCRIPT

from .measure import REPO, Figures, interleaved

COMPILED = REPO / "out" / "bench-js"  # inside the repository, so that node_modules resolve from it


def run(rounds: int) -> dict[str, dict[str, dict[str, Figures]]]:
    """Per case ("prod platform", "100 WebServices"): each variant's milliseconds per object, both
    loaded the way `pulumi up` loads the program (stacks/main.js: Sucrase's require hook)."""
    command = [*RUN_TYPESCRIPT, str(REPO / "scripts" / "bench" / "evaluation.ts"), "--rounds", str(rounds)]
    output = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True, timeout=1200).stdout
    cases = json.loads(output.strip().splitlines()[-1])
    return {
        case: {variant: {"ms_per_object": Figures([ms / result["kubernetesObjects"] for ms in samples])} for variant, samples in result["milliseconds"].items()}
        for case, result in cases.items()
    }


PULUMI_UP_TODAY = "Sucrase (stacks/main.js: pulumi up today)"


def run_process(rounds: int) -> dict[str, dict[str, Figures]]:
    """Whole runs of scripts/bench/programLoad.ts (start, load, evaluate prod, exit): as `pulumi up`
    runs the program now (Pulumi.yaml: `typescript: false`, stacks/main.js loading it through
    Sucrase's require hook), compiled by ts-node the way Pulumi's Node.js runtime compiles a program
    (scripts/engine/nodeRuntime.cjs) from program directories whose tsconfig.json asks for a type
    check (Pulumi's default) or for transpile-only (how it ran before stacks/main.js), and as
    JavaScript compiled beforehand by tsc: what compiling on every `up` costs, each way of doing it."""
    subprocess.run(["npx", "--no-install", "tsc", "-p", "tsconfig.json", "--outDir", str(COMPILED), "--sourceMap", "false", "--declaration", "false"],
                   cwd=REPO, check=True, capture_output=True, timeout=600)  # fmt: skip
    config = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    runtime, program = REPO / "scripts" / "engine" / "nodeRuntime.cjs", REPO / "scripts" / "bench" / "programLoad.ts"
    with tempfile.TemporaryDirectory() as scratch:
        config_file = Path(scratch) / "config.json"
        config_file.write_text(json.dumps(config))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_NODEJS_")}

        def wall(*command: str, typescript: bool = False) -> dict[str, float]:
            started = time.monotonic()
            run_env = {**env, "PULUMI_NODEJS_TYPESCRIPT": str(typescript).lower()}
            subprocess.run([*command, str(config_file)], cwd=REPO, env=run_env, check=True, capture_output=True, timeout=300)
            return {"process_seconds": time.monotonic() - started}

        def under_ts_node(ts_node_options: dict[str, object]) -> Callable[[], dict[str, float]]:
            program_dir = Path(tempfile.mkdtemp(dir=scratch))
            (program_dir / "tsconfig.json").write_text(json.dumps({"extends": str(REPO / "tsconfig.json"), "ts-node": ts_node_options}))
            return lambda: wall("node", str(runtime), str(program_dir), str(program), typescript=True)

        return interleaved(
            rounds,
            {
                "ts-node, type-checked (Pulumi's default)": under_ts_node({}),
                "ts-node, transpile-only (pulumi up before stacks/main.js)": under_ts_node({"transpileOnly": True}),
                # stacks/main.js's hook, preloaded: programLoad.ts installs the mocks (TypeScript) before the program loads.
                PULUMI_UP_TODAY: lambda: wall(*RUN_TYPESCRIPT, str(runtime), str(REPO / "stacks"), str(program)),
                "prebuilt JavaScript": lambda: wall("node", str(COMPILED / "scripts" / "bench" / "programLoad.js")),
            },
        )
