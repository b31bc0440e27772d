from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import onnx
from tests.support.synthetic_model import synthetic_rows

from adapters.training.lightgbm_trainer import BoosterParams, fit_boosters
from adapters.training.onnx_export import (
    INPUT_NAME,
    MOVE_OUTPUT,
    PROBABILITY_OUTPUT,
    build_onnx,
    float32_exact,
    save_onnx,
)


def fitted_on_synthetic() -> tuple[object, np.ndarray]:
    rows = synthetic_rows(n_per_symbol=1500)
    half = len(rows) // 2
    order = np.argsort(rows.time_ms, kind="stable")
    train, val = order[:half], order[half:]
    fitted = fit_boosters(rows.features[train], rows.label[train], rows.features[val], rows.label[val],
                          rows.move_pct[train], rows.move_pct[val],
                          BoosterParams(n_estimators=30, min_child_samples=20))
    return fitted, rows.features


def adjacent_float32_data(n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Values one float32 ulp apart: LightGBM's threshold between two of them is their midpoint, which
    float32 cannot hold; rounded to nearest it lands on a data value half of the time."""
    rng = np.random.default_rng(5)
    steps = rng.integers(0, 64, size=(n, 2))
    x = np.empty((n, 2), dtype=np.float32)
    for j in range(2):
        grid = np.float32(1.0) + np.arange(64, dtype=np.float32) * np.spacing(np.float32(1.0))
        x[:, j] = grid[steps[:, j]]
    y = ((steps[:, 0] + rng.normal(0, 8, n)) > 32).astype(np.int64)
    return x, y


def test_float32_exact_booster_predicts_like_the_original_on_float32_rows() -> None:
    x, y = adjacent_float32_data()
    model = lgb.LGBMClassifier(n_estimators=20, min_child_samples=5, verbose=-1, n_jobs=1).fit(x, y)
    exact = float32_exact(model.booster_)
    assert np.array_equal(exact.predict(x), model.booster_.predict(x))


def test_graph_has_one_float32_input_and_named_outputs(tmp_path: Path) -> None:
    fitted, x = fitted_on_synthetic()
    graph = build_onnx(fitted.classifier, fitted.regressor, x.shape[1], "v-test")  # type: ignore[attr-defined]
    path = tmp_path / "m.onnx"
    save_onnx(graph, path)
    loaded = onnx.load(str(path))
    assert [i.name for i in loaded.graph.input] == [INPUT_NAME]
    assert loaded.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert {o.name for o in loaded.graph.output} == {PROBABILITY_OUTPUT, MOVE_OUTPUT}
    assert not any(n.op_type == "ZipMap" for n in loaded.graph.node)


def test_classifier_only_graph_has_no_move_output() -> None:
    fitted, x = fitted_on_synthetic()
    graph = build_onnx(fitted.classifier, None, x.shape[1], "v-test")  # type: ignore[attr-defined]
    assert [o.name for o in graph.graph.output] == [PROBABILITY_OUTPUT]
