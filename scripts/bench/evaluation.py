"""Program evaluation against a raw program of the same objects (scripts/bench/evaluation.ts)."""

import json
import subprocess

from .measure import REPO, Figures


def run(rounds: int) -> dict[str, dict[str, dict[str, Figures]]]:
    """Per case ("prod platform", "100 WebServices"): each variant's milliseconds per object."""
    command = ["npx", "--no-install", "ts-node", "--transpile-only", str(REPO / "scripts" / "bench" / "evaluation.ts"), "--rounds", str(rounds)]
    output = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True, timeout=1200).stdout
    cases = json.loads(output.strip().splitlines()[-1])
    return {
        case: {variant: {"ms_per_object": Figures([ms / result["kubernetesObjects"] for ms in samples])} for variant, samples in result["milliseconds"].items()}
        for case, result in cases.items()
    }
