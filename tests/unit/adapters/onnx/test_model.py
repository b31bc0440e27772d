from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from loguru import logger
from onnx import TensorProto, helper, numpy_helper
from tests.support.synthetic_model import NAMES, publish_small_model, synthetic_rows

from adapters.checksums import sha256_of
from adapters.onnx.card import CardError, ModelCard, PiecewiseLinear
from adapters.onnx.model import OnnxModel, resolve_model_path
from adapters.onnx.model_checksums import seal_model, verify_sealed
from adapters.training.edge_card import record_in_card
from adapters.training.fit import ScalperFit
from application.research.train_model import TrainingOutcome
from ports.errors import ConfigurationError

VERSION = "test-v1"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> TrainingOutcome:
    return publish_small_model(tmp_path_factory.mktemp("models"))


def copy_model(outcome: TrainingOutcome, folder: Path) -> Path:
    """A private copy of the published .onnx + .json, safe to damage."""
    folder.mkdir(parents=True, exist_ok=True)
    src = outcome.model_path
    shutil.copy(src, folder / src.name)
    shutil.copy(src.with_suffix(".json"), folder / src.with_suffix(".json").name)
    shutil.copy(src.with_suffix(".sha256"), folder / src.with_suffix(".sha256").name)
    return folder / src.name


def load(path: Path) -> OnnxModel:
    return OnnxModel.load(path, feature_names=NAMES, feature_version=VERSION)


def edit_card(onnx_path: Path, *, seal: bool = True, **changes: object) -> None:
    """Change card fields; `seal` re-seals the pair the way publishing does (a deliberate new model)."""
    card_path = onnx_path.with_suffix(".json")
    raw = json.loads(card_path.read_text())
    raw.update(changes)
    card_path.write_text(json.dumps(raw))
    if seal:
        seal_model(onnx_path)


def test_onnx_and_card_reproduce_the_lightgbm_pipeline_within_1e_5(published: TrainingOutcome) -> None:
    fit = published.chosen.model
    assert isinstance(fit, ScalperFit)
    rows = synthetic_rows(n_per_symbol=500, seed=11)  # rows the model has never seen, with NaNs
    model = load(published.model_path)
    probability, confidence, move, _ = model.score(rows.features)
    expected = fit.calibration.apply(fit.boosters.raw_probability(rows.features))
    assert np.max(np.abs(probability - expected)) <= 1e-5
    assert np.max(np.abs(move - fit.boosters.predicted_move(rows.features))) <= 1e-5
    assert np.allclose(confidence, np.abs(expected - 0.5) * 2, atol=2e-5)


def test_predicts_one_row_and_a_batch_alike(published: TrainingOutcome) -> None:
    model = load(published.model_path)
    rows = synthetic_rows(n_per_symbol=5, seed=12).features.astype(np.float64)
    batch = model.predict([f"S{i}USDT" for i in range(len(rows))], rows, time_ms=123)
    singles = [model.predict([f"S{i}USDT"], rows[i:i + 1], time_ms=123)[0] for i in range(len(rows))]
    assert [p.symbol for p in batch] == [f"S{i}USDT" for i in range(len(rows))]
    for one, many in zip(singles, batch, strict=True):
        assert one.probability_up == pytest.approx(many.probability_up, abs=1e-6)
        assert one.predicted_move_pct == pytest.approx(many.predicted_move_pct, abs=1e-6)
        assert 0.0 <= one.probability_up <= 1.0 and 0.0 <= one.confidence <= 1.0
        assert one.time_ms == 123
        assert math.isnan(one.expected_net_return_pct)  # a spec-label model has no EV map
    assert model.predict([], np.empty((0, len(NAMES))), time_ms=1) == []


def test_rows_of_nan_features_are_scored(published: TrainingOutcome) -> None:
    model = load(published.model_path)
    rows = np.full((2, len(NAMES)), np.nan)
    rows[1, :3] = [0.5, -0.2, 0.05]  # order-book column stays NaN, as on recorded klines
    predictions = model.predict(["AUSDT", "BUSDT"], rows, time_ms=0)
    assert all(0.0 <= p.probability_up <= 1.0 and math.isfinite(p.predicted_move_pct) for p in predictions)


def test_wrong_row_width_is_refused(published: TrainingOutcome) -> None:
    with pytest.raises(ValueError, match="shape"):
        load(published.model_path).predict(["A"], np.zeros((1, len(NAMES) + 1)), time_ms=0)


def test_expected_net_return_comes_from_the_card_map(published: TrainingOutcome, tmp_path: Path) -> None:
    path = copy_model(published, tmp_path)
    ev = PiecewiseLinear(method="isotonic", x=[0.0, 1.0], y=[-0.3, 0.5]).model_dump()
    edit_card(path, expected_net_return=ev)
    model = load(path)
    p = model.predict(["A"], np.zeros((1, len(NAMES))), time_ms=0)[0]
    assert p.expected_net_return_pct == pytest.approx(-0.3 + 0.8 * p.probability_up, abs=1e-9)


@pytest.mark.parametrize(("names", "version", "message"), [
    (NAMES[::-1], VERSION, "feature #0"),
    ((*NAMES[:2], "other", *NAMES[3:]), VERSION, "'atr_pct_14'"),
    (NAMES[:-1], VERSION, "expects 6 features"),
    (NAMES, "v999", "feature version"),
])
def test_mismatched_cards_are_refused(published: TrainingOutcome, names: tuple[str, ...], version: str,
                                      message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        OnnxModel.load(published.model_path, feature_names=names, feature_version=version)


def test_a_synthetic_card_does_not_match_the_real_engine(published: TrainingOutcome) -> None:
    with pytest.raises(ConfigurationError, match="feature version"):
        OnnxModel.load(published.model_path)  # defaults: domain.features FEATURE_NAMES / FEATURE_VERSION


def test_missing_model_or_card_is_a_clear_start_up_error(published: TrainingOutcome, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load(tmp_path / "nothing.onnx")
    with pytest.raises(ConfigurationError, match="no scalper"):
        load(tmp_path)
    path = copy_model(published, tmp_path / "no_card")
    path.with_suffix(".json").unlink()
    with pytest.raises(ConfigurationError, match=r"card .* is missing"):
        load(path)


def test_corrupt_model_file_is_refused_at_load(published: TrainingOutcome, tmp_path: Path) -> None:
    path = copy_model(published, tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigurationError, match="sha256"):
        load(path)
    path.write_bytes(b"not an onnx graph")
    edit_card(path, onnx_sha256=sha256_of(path))  # even with a matching checksum
    with pytest.raises(ConfigurationError, match="cannot be loaded"):
        load(path)


def test_broken_card_is_refused(published: TrainingOutcome, tmp_path: Path) -> None:
    path = copy_model(published, tmp_path)
    path.with_suffix(".json").write_text("{ not json")
    with pytest.raises(ConfigurationError, match="not readable JSON"):
        load(path)
    shutil.copy(published.model_path.with_suffix(".json"), path.with_suffix(".json"))
    edit_card(path, calibration={"method": "isotonic", "x": [0.5, 0.1], "y": [0, 1]})
    with pytest.raises(ConfigurationError, match="calibration"):
        load(path)
    edit_card(path, probability_output="nope", calibration=ModelCard.read(
        published.model_path.with_suffix(".json")).calibration.model_dump())
    with pytest.raises(ConfigurationError, match="lacks the outputs"):
        load(path)


def test_folder_and_latest_resolve_to_the_newest_model(published: TrainingOutcome, tmp_path: Path) -> None:
    older = copy_model(published, tmp_path)
    newer = tmp_path / "scalper-20990101-000000.onnx"
    shutil.copy(older, newer)
    shutil.copy(older.with_suffix(".json"), newer.with_suffix(".json"))
    edit_card(newer, model_version="20990101-000000", onnx_file=newer.name)
    assert resolve_model_path(tmp_path) == newer
    assert resolve_model_path(tmp_path / "latest") == newer
    assert load(tmp_path / "latest").version == "20990101-000000"


def test_committed_model_loads_and_scores_features_of_real_klines(repo_root: Path,
                                                                  sample_klines: Path) -> None:
    from adapters.history.loader import load_history
    from adapters.history.schema import to_kline_arrays
    from domain.features import FEATURE_NAMES, WARMUP_BARS, compute_features

    model = OnnxModel.load(repo_root / "models" / "onnx" / "latest")  # the engine's own feature names
    assert list(model.feature_names) == list(FEATURE_NAMES)
    # data/sample is sorted by symbol: its first rows are BNBUSDT's
    history = load_history(sample_klines, symbols=["BNBUSDT"], nrows=WARMUP_BARS + 200)["BNBUSDT"]
    features = compute_features(to_kline_arrays(history.frame))[-100:]  # warmed up; book + taker NaN
    assert np.isnan(features).any()
    predictions = model.predict(["BNBUSDT"] * len(features), features, time_ms=1)
    probabilities = np.array([p.probability_up for p in predictions])
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert len(np.unique(probabilities)) > 1  # the model reacts to its inputs
    assert all(math.isfinite(p.predicted_move_pct) and 0 <= p.confidence <= 1 for p in predictions)


def test_a_card_edited_after_publishing_is_refused(published: TrainingOutcome, tmp_path: Path) -> None:
    path = copy_model(published, tmp_path)
    verify_sealed(path)
    sealed = path.with_suffix(".sha256").read_text().splitlines()
    assert [line.split()[1] for line in sealed] == [path.name, path.with_suffix(".json").name]
    edit_card(path, seal=False, ev_gate={"min_expected_net_return_pct": -5.0, "round_trip_cost_pct": 0.2})
    with pytest.raises(ConfigurationError, match=r"\.json does not match .*\.sha256.*edited"):
        load(path)
    path.with_suffix(".sha256").unlink()
    with pytest.raises(ConfigurationError, match=r"checksum file .* is missing"):
        load(path)


def _symbolic_width_graph(path: Path, reads: int) -> None:
    """A graph whose input width is symbolic (['N', 'W']) and that multiplies by `reads` columns."""
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", "W"])
    outputs = [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2]),
               helper.make_tensor_value_info("move_pct", TensorProto.FLOAT, ["N", 1])]
    weights = [numpy_helper.from_array(np.full((reads, 2), 0.1, np.float32), "w"),
               numpy_helper.from_array(np.full((reads, 1), 0.1, np.float32), "m")]
    nodes = [helper.make_node("MatMul", ["features", "w"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
             helper.make_node("MatMul", ["features", "m"], ["move_pct"])]
    graph = helper.make_graph(nodes, "symbolic", [features], outputs, weights)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]), path)
    edit_card(path, onnx_sha256=sha256_of(path))


def test_a_symbolic_input_width_is_checked_by_running_one_row(published: TrainingOutcome,
                                                              tmp_path: Path) -> None:
    path = copy_model(published, tmp_path)
    _symbolic_width_graph(path, reads=10)  # the card lists 6 features
    with pytest.raises(ConfigurationError, match=r"fails on one row of the 6 features .*'W'"):
        load(path)
    _symbolic_width_graph(path, reads=len(NAMES))
    assert load(path).predict(["A"], np.zeros((1, len(NAMES))), time_ms=0)[0].predicted_move_pct == 0.0


def test_recording_an_edge_summary_reseals_an_intact_card_only(published: TrainingOutcome,
                                                               tmp_path: Path) -> None:
    path = copy_model(published, tmp_path)
    record_in_card(path, {"verdict": "NO EDGE"})
    assert load(path).card.edge_report == {"verdict": "NO EDGE"}  # rewritten and sealed again
    edit_card(path, seal=False, ev_gate={"min_expected_net_return_pct": -5.0, "round_trip_cost_pct": 0.2})
    with pytest.raises(CardError, match="does not match"):
        record_in_card(path, {"verdict": "EDGE FOUND"})  # an edited card is never sealed by the tool


def test_an_edited_committed_card_stops_a_backtest_with_one_line(repo_root: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from bootstrap.__main__ import EXIT_CONFIG_ERROR, main

    committed = OnnxModel.load(repo_root / "models" / "onnx").path
    for suffix in (".onnx", ".json", ".sha256"):
        shutil.copy(committed.with_suffix(suffix), tmp_path / committed.with_suffix(suffix).name)
    path = tmp_path / committed.name
    edit_card(path, seal=False, ev_gate={"min_expected_net_return_pct": -5.0, "round_trip_cost_pct": 0.2})
    start = 1_700_000_000_000 - 1_700_000_000_000 % 60_000
    rows = "\n".join(f"BTCUSDT,{start + 60_000 * i},100,100.2,99.8,100,1" for i in range(40))
    (tmp_path / "k.csv").write_text("symbol,open_time,open,high,low,close,volume\n" + rows + "\n")
    monkeypatch.chdir(tmp_path)
    try:
        code = main(["backtest", "--data", str(tmp_path / "k.csv"), "--model", str(path), "--no-baselines"])
    finally:
        logger.remove()
        logger.add(sys.stderr)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == EXIT_CONFIG_ERROR and len(err) == 1 and "does not match" in err[0], err
