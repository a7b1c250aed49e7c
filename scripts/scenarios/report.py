"""out/scenarios.json (every figure) and out/scenarios.md (the same, for people)."""

import json
from datetime import UTC, datetime
from pathlib import Path

from .kube import REPO

OUT = REPO / "out"


def write(results: dict, meta: dict) -> tuple[Path, Path]:
    OUT.mkdir(exist_ok=True)
    document = {"generated": datetime.now(UTC).isoformat(timespec="seconds"), **meta, "scenarios": results}
    json_path = OUT / "scenarios.json"
    json_path.write_text(json.dumps(document, indent=2))
    markdown = OUT / "scenarios.md"
    markdown.write_text(render_markdown(document))
    return json_path, markdown


def render_markdown(document: dict) -> str:
    lines = [
        f"# Failure scenarios on the local cluster — {document['generated']}",
        "",
        f"Platform: `{document.get('namespace')}` at {document.get('url')} (see docs/scenarios.md for what each scenario does).",
        "",
    ]
    lines += ["| scenario | outcome | seconds |", "|---|---|---|"]
    for name, result in document["scenarios"].items():
        lines.append(f"| {name} | {result['outcome']} | {result['seconds']} |")
    for name, result in document["scenarios"].items():
        lines += ["", f"## {name}", "", result.get("title", ""), ""]
        if result["outcome"] != "passed":
            lines += ["```", result.get("error", ""), "```", ""]
        lines += ["```json", json.dumps(result.get("figures", {}), indent=2), "```"]
    return "\n".join(lines) + "\n"
