"""`make lint`: write the OpenAPI document the app serves to build/openapi.json, then lint it
with Spectral (spectral:oas + OWASP, .spectral.yaml) and Redocly (recommended, redocly.yaml).
Any error or warning from either fails."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "build" / "openapi.json"
BIN = ROOT / "node_modules" / ".bin"
STRICT = ["--fail-severity", "warn", "--format", "text"]


def main() -> int:
    from app.main import create_app

    DOCUMENT.parent.mkdir(exist_ok=True)
    DOCUMENT.write_text(json.dumps(create_app().openapi(), ensure_ascii=False, indent=1))
    spectral = subprocess.run(
        [BIN / "spectral", "lint", DOCUMENT, "--ruleset", ROOT / ".spectral.yaml", *STRICT],
        cwd=ROOT,
    )
    redocly = subprocess.run(
        [BIN / "redocly", "lint", DOCUMENT, "--config", ROOT / "redocly.yaml", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    try:
        totals = json.loads(redocly.stdout)["totals"]
    except (ValueError, KeyError):
        print(redocly.stdout, redocly.stderr, file=sys.stderr)
        return 1
    problems = totals["errors"] + totals["warnings"]
    if problems:
        for problem in json.loads(redocly.stdout)["problems"]:
            where = problem["location"][0]["pointer"]
            print(
                f"redocly {problem['severity']} {problem['ruleId']} {where}: {problem['message']}"
            )
    print(f"redocly: {totals['errors']} errors, {totals['warnings']} warnings")
    return 1 if spectral.returncode or problems or redocly.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
