"""`report edge` end to end on a tiny slice, and the model card's EV gate in the settings the bot runs on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tests.unit.adapters.training.test_edge_gate_card import publish_outcome_model

from adapters.history.klines import load_klines
from adapters.onnx.card import EvGateCard, ModelCard, card_path_for
from adapters.onnx.model import OnnxModel
from adapters.onnx.model_checksums import checksum_path_for, seal_model
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import model_plan
from application.backtest.summary import NO_EV_REASON
from bootstrap.__main__ import build_parser
from bootstrap.backtest_wiring import run_backtest
from bootstrap.commands.report import run
from bootstrap.container import build_container
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from bootstrap.settings_model import Settings
from domain.time_units import day_start_ms as day_ms

REPO = Path(__file__).resolve().parents[3]
PERIOD_2026 = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"


def test_report_edge_quick_writes_the_tables(shared_data: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "edge"
    args = build_parser("report").parse_args(
        ["report", "edge", "--quick", "--days", "3", "--data-root", str(shared_data), "--out", str(out),
         "--model", str(REPO / "models" / "onnx")])
    assert run(args, Settings()) == 0
    payload = json.loads((out / "edge.json").read_text(encoding="utf-8"))
    assert [f["bounds"]["test_period"] for f in payload["folds"]] == ["2026-03"]
    fold = payload["folds"][0]
    names = [r["name"] for r in fold["rows"]]
    assert names[:10] == [f"model decile {i}" for i in range(1, 11)]
    assert any(n.startswith("random entries") for n in names) and "scanner rule alone" in names
    assert sum(r["count"] for r in fold["rows"][:10]) == fold["test_rows"]
    this_model = payload["committed_model"]  # the model the bot loads, on the bars after its training data
    assert this_model is not None and this_model["period"] == "2026-03"
    assert sum(r["count"] for r in this_model["rows"][:10]) == this_model["rows"][-1]["count"]
    markdown = (out / "edge.md").read_text(encoding="utf-8")
    assert "Walk-forward summary" in markdown and (out / "edge.html").is_file()
    printed = capsys.readouterr().out
    assert ("NO EDGE" in printed or "EDGE FOUND" in printed) and "2026-03" in printed


def _with_gate(path: Path, gate: EvGateCard | None) -> OnnxModel:
    card_path = card_path_for(path)
    card = ModelCard.read(card_path).model_copy(update={"ev_gate": gate})
    card.write(card_path)
    seal_model(path)  # a deliberate new card, sealed as publishing does
    return OnnxModel.load(path, feature_names=card.feature_names, feature_version=card.feature_version)


def test_the_card_gate_raises_the_margin_and_never_lowers_it(tmp_path: Path) -> None:
    path = publish_outcome_model(tmp_path).model_path
    settings = Settings()
    raised = _with_gate(path, EvGateCard(min_expected_net_return_pct=0.15, round_trip_cost_pct=0.24))
    assert raised.ev_gate_margin_pct == 0.15
    assert signal_thresholds_from(settings, raised.ev_gate_margin_pct).min_expected_net_return_percent == 0.15
    lower = _with_gate(path, EvGateCard(min_expected_net_return_pct=-0.5, round_trip_cost_pct=0.24))
    assert signal_thresholds_from(settings, lower.ev_gate_margin_pct) == signal_thresholds_from(settings)
    no_gate = settings.signal.model_copy(update={"ev_gate_enabled": False})
    off = settings.model_copy(update={"signal": no_gate})
    assert signal_thresholds_from(off, 0.15).min_expected_net_return_percent is None
    ungated = _with_gate(path, None)
    assert ungated.ev_gate_margin_pct is None
    assert signal_thresholds_from(settings, ungated.ev_gate_margin_pct) == signal_thresholds_from(settings)


def test_the_container_gives_the_loop_the_models_gate(tmp_path: Path) -> None:
    committed = OnnxModel.load(REPO / "models" / "onnx")
    path = tmp_path / committed.path.name
    shutil.copy(committed.path, path)
    shutil.copy(card_path_for(committed.path), card_path_for(path))
    shutil.copy(checksum_path_for(committed.path), checksum_path_for(path))
    _with_gate(path, EvGateCard(min_expected_net_return_pct=0.15, round_trip_cost_pct=0.24))
    model = Settings().model.model_copy(update={"path": str(path)})
    settings = Settings().model_copy(update={"model": model})
    container = build_container(settings, "paper")
    assert container.loop_config().thresholds.min_expected_net_return_percent == 0.15


def test_default_config_and_committed_model_trade_only_where_the_gate_opens(shared_data: Path,
                                                                            tmp_path: Path) -> None:
    model = OnnxModel.load(REPO / "models" / "onnx")
    settings = Settings().model_copy(update={"backtest": Settings().backtest.model_copy(
        update={"report_dir": tmp_path})})
    start, end = day_ms("2026-03-26"), day_ms("2026-03-28")
    klines = load_klines(shared_data / PERIOD_2026, ["BTCUSDT", "ETHUSDT"], start, end)
    result = run_backtest(settings, klines, model, start, tmp_path / "run", baselines=False)
    thresholds = signal_thresholds_from(settings, model.ev_gate_margin_pct)
    plan = model_plan(BacktestMarket.build(klines), model, scanner_rules_from(settings),
                      thresholds, settings.scanner.top_candidates,
                      trade_from_minute=result.market.first_minute_from(start))
    margin = thresholds.min_expected_net_return_percent
    assert margin is not None
    trades = result.main.run.trades
    if not np.any(plan.net_return_pct > margin):
        assert trades == [] or len(trades) == 0
        assert result.main.summary.no_trade_reason == NO_EV_REASON
    else:
        above = {result.market.symbols[s] for s in plan.symbol[plan.net_return_pct > margin]}
        assert {t.symbol for t in trades} <= above
