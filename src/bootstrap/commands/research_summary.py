"""`research summary`: a study's finalists as the Markdown table the README publishes.

    python -m bootstrap research summary --spec config/research/wide.yaml

Reads <lab-dir>/<name>/research.json (written by `research`, also by `--trials 0`); prints the table, the
study's size and PBO, and the verdict. Exit 3 when the study has no readable report.
"""

from __future__ import annotations

import argparse
import json
import sys

from adapters.research.lab_markdown import summary_markdown
from bootstrap.lab_data_wiring import study_folder
from bootstrap.lab_spec import LabSpec

EXIT_NO_REPORT = 3


def summary(args: argparse.Namespace, spec: LabSpec) -> int:
    path = study_folder(args.lab_dir, spec) / "research.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"research summary: no report at {path}: run `research --spec {args.spec}` first",
              file=sys.stderr)
        return EXIT_NO_REPORT
    except json.JSONDecodeError as exc:
        print(f"research summary: {path} is not valid JSON ({exc.msg}, line {exc.lineno})", file=sys.stderr)
        return EXIT_NO_REPORT
    print(summary_markdown(payload), end="")
    return 0
