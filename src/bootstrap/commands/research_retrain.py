"""`research retrain` (issue 16 item 8): a challenger trained on the newest data, compared with the model in
service on the newest out-of-time window, promoted only when better (application/research/compare_models).

    python -m bootstrap research retrain --data data/sample     # windows etc.: research.retrain.* in config

Writes <report_dir>/<UTC timestamp>/comparison.json and comparison.txt (printed), and the challenger's
model files in challenger/ beside them. On promotion the model in service moves, with its card, seal and
reports, to <archive_dir>/<timestamp>-<sha256 prefix>/ and the challenger is installed in models_dir:
the bot loads it at its next start (`systemctl restart cryptoscalper`; model.path: models/onnx/latest).
deploy/cryptoscalper-retrain.timer runs this every three weeks. Exit codes: 0 done (promoted or kept),
3 no usable data (or too little for the windows).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.history.schema import HistoryDataError
from adapters.research.lab_data import load_lab_data
from adapters.research.model_archive import archive_model, install_model
from application.research.retrain import RetrainPlan, retrain
from application.research.retrain_report import retrain_payload, retrain_text
from application.research.trial_walk_forward import WalkForward
from bootstrap import research_mapping
from bootstrap.commands.research_data import lab_paths
from bootstrap.lab_wiring import learner_for
from bootstrap.retrain_wiring import bars_of, costs_of, evidence_card, publish_fit, recipe_for, served_model
from bootstrap.settings_model import Settings

EXIT_NO_DATA = 3


def _paths(args: argparse.Namespace, settings: Settings) -> list[Path]:
    """--data (default: the cache), as every lab command reads it."""
    return lab_paths(args, settings)


def run_retrain(args: argparse.Namespace, settings: Settings) -> int:
    r = settings.research.retrain
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    folder = r.report_dir / stamp
    try:
        data = load_lab_data(_paths(args, settings))
    except (HistoryDataError, ValueError, OSError) as exc:
        print(f"research retrain: cannot read the market data: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    model, served = served_model(r.models_dir, settings)
    params = recipe_for(model, settings)
    costs, costing = costs_of(settings)
    train_ms, test_ms, embargo_ms = research_mapping.retrain_window_ms(settings)
    gate = research_mapping.lab_gate_thresholds(settings)
    plan = RetrainPlan(train_ms, test_ms, embargo_ms, r.min_trades, gate,
                       WalkForward(), settings.execution.seed)
    periods = bars_of(data)
    try:
        learner = learner_for(settings.execution.seed)(params)
        outcome = retrain(periods, params, learner, costs, costing, served, plan)
    except ValueError as exc:
        print(f"research retrain: {exc} ({data.describe()}; research.retrain.train_days "
              f"{r.train_days:g}, test_days {r.test_days:g})", file=sys.stderr)
        return EXIT_NO_DATA
    meta = {"written": now.isoformat(), "data": data.describe(), "models_dir": str(r.models_dir),
            "current_model": str(model.path) if model is not None else None,
            "command": "python -m bootstrap research retrain " + " ".join(f"--data {p}" for p in _paths(
                args, settings))}
    payload = retrain_payload(outcome, meta)
    window = f"{payload['window']['test_from']}..{payload['window']['test_to']}"
    evidence = evidence_card(outcome.comparison.challenger, source="retrain", study="retrain",
                             candidate=f"challenger of {served.name if served else 'no model'}",
                             tested_at=now.isoformat(), files=data.files, periods=[window], trials=2)
    test_bars = periods[-1]
    published = publish_fit(outcome.challenger, folder / "challenger", now, settings, test_bars, evidence,
                            [p.name for p in data.files])
    if outcome.comparison.promote:
        if model is not None:
            payload["archived"] = str(archive_model(model.path, r.archive_dir, now))
        payload["installed"] = str(install_model(published, r.models_dir))
    payload["report"] = str(folder / "comparison.json")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comparison.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    text = retrain_text(payload)
    (folder / "comparison.txt").write_text(text, encoding="utf-8")
    print(text, end="")
    return 0
