"""Program evaluation against a raw program of the same objects (scripts/bench/evaluation.ts)."""

import json
import subprocess
import tempfile
import time

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
    """Whole runs of scripts/bench/programLoad.ts (start, load, evaluate prod, exit) under ts-node
    and as JavaScript compiled beforehand by tsc: what compiling on every `up` costs."""
    subprocess.run(["npx", "--no-install", "tsc", "-p", "tsconfig.json", "--outDir", str(COMPILED), "--sourceMap", "false", "--declaration", "false"],
                   cwd=REPO, check=True, capture_output=True, timeout=600)  # fmt: skip
    config = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    with tempfile.NamedTemporaryFile("w", suffix=".json") as config_file:
        json.dump(config, config_file)
        config_file.flush()

        def wall(*command: str) -> dict[str, float]:
            started = time.monotonic()
            subprocess.run([*command, config_file.name], cwd=REPO, check=True, capture_output=True, timeout=300)
            return {"process_seconds": time.monotonic() - started}

        program = REPO / "scripts" / "bench" / "programLoad.ts"
        return interleaved(
            rounds,
            {
                "ts-node (transpile-only)": lambda: wall("node", "-r", "ts-node/register/transpile-only", str(program)),
                "prebuilt JavaScript": lambda: wall("node", str(COMPILED / "scripts" / "bench" / "programLoad.js")),
            },
        )
