"""The edge preset reproduces `report edge --quick` (same periods' data, same rows) and adds trust."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bootstrap.__main__ import build_parser
from bootstrap.commands import report, research
from bootstrap.settings_model import Settings

REPO = Path(__file__).resolve().parents[3]
FILES = ("freqtrade_userdata/binance_spot_1m_2025-06-01_2025-07-01_BTC_ETH.csv.xz",
         "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz")


def test_the_preset_reproduces_report_edge_quick(shared_data: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    spec = yaml.safe_load((REPO / "config/research/edge-preset-quick.yaml").read_text(encoding="utf-8"))
    spec["data"]["max_days_per_file"] = 3
    path = tmp_path / "preset.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    data = [a for f in FILES for a in ("--data", str(shared_data / f))]
    args = build_parser("research").parse_args(["research", "--spec", str(path), "--lab-dir", str(tmp_path),
                                                "--no-progress", *data])
    assert research.run(args, Settings()) == 0
    preset = json.loads((tmp_path / "edge-preset-quick" / "edge.json").read_text(encoding="utf-8"))
    out = tmp_path / "edge"
    args = build_parser("report").parse_args(
        ["report", "edge", "--quick", "--days", "3", "--data-root", str(shared_data), "--out", str(out),
         "--model", str(REPO / "models" / "onnx")])
    assert report.run(args, Settings()) == 0
    today = json.loads((out / "edge.json").read_text(encoding="utf-8"))
    assert len(preset["folds"]) == len(today["folds"]) == 1
    assert preset["folds"][0]["rows"] == today["folds"][0]["rows"]
    assert preset["folds"][0]["policy"] == today["folds"][0]["policy"]
    assert preset["verdict"] == today["verdict"]
    top = preset["trust"]["model decile 10"]
    rows = today["folds"][0]["rows"]
    assert top["count"] == next(r["count"] for r in rows if r["name"] == "model decile 10")
    assert {"clustered", "excess_over_drift", "deflated_sharpe", "break_even_round_trip_pct",
            "without_best_5_days", "min_detectable_effect_pct"} <= set(top)
    assert "model decile 10:" in capsys.readouterr().out
