"""Outcome-labelled training: targets read only the future of their bar, and the model card's EV gate is
fitted on validation only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.support.synthetic_model import NAMES, small_config, synthetic_rows

from adapters.onnx.card import ExitPolicyCard, LabelCard
from adapters.onnx.model import OnnxModel
from adapters.training.fit import ScalperFit, TrainerConfig
from adapters.training.labels import LabelSpec
from adapters.training.rows import LabelledRows
from adapters.training.sources import load_training_rows
from adapters.training.trainer import LightGbmTrainer
from application.research.train_model import TrainingOutcome, TrainingPlan, train_model
from domain.features import WARMUP_BARS
from domain.outcome import ExitRules, TradeCosts
from domain.splits import time_split

RULES = ExitRules(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_bars=5)
SPEC = LabelSpec("outcome", 5, 0.002, RULES, TradeCosts())


def _outcome_rows(seed: int = 3, test_noise: float | None = None) -> LabelledRows:
    rows = synthetic_rows(seed=seed)
    rng = np.random.default_rng(seed)
    net = np.where(rows.label == 1, 0.25, -0.3) + rng.normal(0, 0.05, len(rows))
    if test_noise is not None:  # rewrite the latest 17% (the test part): it must not move the gate
        late = rows.time_ms >= np.quantile(rows.time_ms, 0.83)
        net[late] = rng.normal(test_noise, 0.5, int(late.sum()))
    card = LabelCard(kind="outcome", horizon_bars=6, description="synthetic outcome",
                     exit_policy=ExitPolicyCard(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_bars=5,
                                                round_trip_cost_pct=0.24))
    return LabelledRows(features=rows.features, label=(net > 0).astype(np.float64), move_pct=rows.move_pct,
                        time_ms=rows.time_ms, symbol=rows.symbol, feature_names=NAMES,
                        feature_version=rows.feature_version, label_card=card, net_return_pct=net)


def one_thread_config(out_dir: Path) -> TrainerConfig:
    """The small config on one thread: OpenMP threads spin badly on a busy shared machine."""
    config = small_config(out_dir)
    return dataclasses.replace(config, params=dataclasses.replace(config.params, n_jobs=1))


def publish_outcome_model(out_dir: Path, rows: LabelledRows | None = None) -> TrainingOutcome:
    trainer = LightGbmTrainer(rows or _outcome_rows(), one_thread_config(out_dir))
    return train_model(trainer, TrainingPlan(model_version="20240101-000000", horizon_bars=6))


def _fit(rows: LabelledRows, tmp_path: Path) -> ScalperFit:
    trainer = LightGbmTrainer(rows, one_thread_config(tmp_path))
    fit = trainer.fit(time_split(rows.sorted_times, gap_ms=6 * 60_000))
    model: ScalperFit = fit.model  # type: ignore[assignment]
    return model


def test_the_card_gate_ignores_the_test_period(tmp_path: Path) -> None:
    plain = _fit(_outcome_rows(), tmp_path)
    rewritten = _fit(_outcome_rows(test_noise=-1.0), tmp_path)
    assert plain.ev_gate is not None and rewritten.ev_gate is not None
    assert plain.ev_gate == rewritten.ev_gate
    assert plain.ev_gate.round_trip_cost_pct == 0.24 and plain.ev_gate.validation_trades >= 0


def test_the_published_card_carries_the_gate_and_the_expected_value_map(tmp_path: Path) -> None:
    outcome = publish_outcome_model(tmp_path)
    model = OnnxModel.load(outcome.model_path, feature_names=NAMES, feature_version="test-v1")
    gate = model.card.ev_gate
    assert gate is not None and model.card.expected_net_return is not None
    _, _, _, net = model.score(_outcome_rows().features[:50])
    assert np.isfinite(net).all()
    if gate.closed:  # a closed gate is a margin no expected value of the map exceeds
        assert not (net > gate.min_expected_net_return_pct).any()
    report = (tmp_path / f"{outcome.model_path.stem}.report.md").read_text(encoding="utf-8")
    assert "EV gate (" in report


@pytest.fixture(scope="module")
def btc_slice(sample_klines: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return pd.read_csv(sample_klines, nrows=WARMUP_BARS + 300)


def _net_at(frame: pd.DataFrame, folder: Path, time_ms: int) -> float:
    path = folder / "klines.csv"
    frame.to_csv(path, index=False)
    rows = load_training_rows([path], SPEC)
    assert rows.net_return_pct is not None
    at = np.flatnonzero(rows.time_ms == time_ms)
    assert len(at) == 1
    return float(rows.net_return_pct[at[0]])


def test_outcome_targets_start_at_the_next_open_and_read_no_earlier_bar(btc_slice: pd.DataFrame,
                                                                        tmp_path: Path) -> None:
    t = WARMUP_BARS + 100
    time_ms = int(btc_slice["open_time"].iloc[t])
    base = _net_at(btc_slice, tmp_path, time_ms)
    past = btc_slice.copy()
    past.loc[: t, ["open", "close"]] *= 1.01  # the signal bar and all before it (highs/lows kept valid)
    past.loc[: t, "high"] *= 1.02
    assert _net_at(past, tmp_path, time_ms) == base
    entry = btc_slice.copy()
    entry.loc[t + 1, ["open", "high"]] *= 1.001  # the next bar's open is the entry price
    assert _net_at(entry, tmp_path, time_ms) != base
