"""The model card: the JSON file beside every scalper-<version>.onnx that makes the pair self-contained.

It names the input and outputs of the ONNX graph, the exact feature names/order/version the graph was
trained on, the label, the calibration (applied in numpy by the serving adapter: the ONNX graph returns
the raw LightGBM probability), the data ranges, metrics, recommended thresholds and the sha256 of the
.onnx file. Read by the training code and by adapters/onnx/model.py; it imports no training library.
"""

from __future__ import annotations

import bisect
import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from adapters.onnx.card_evidence import LabEvidenceCard, LabGateCard

CARD_SCHEMA_VERSION = 1
Floats = npt.NDArray[np.float64]


class CardError(ValueError):
    """A card that cannot be read or does not describe its model."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SymbolCostCard(_Frozen):
    """One symbol's costs in its outcome labels: fee rates (fractions) and the round trip (percent)."""

    entry_fee: float
    take_profit_fee: float
    exit_fee: float
    round_trip_cost_pct: float


class ExitPolicyCard(_Frozen):
    """The exit rules an "outcome" label was simulated with (fractions, bars)."""

    take_profit_pct: float
    stop_loss_pct: float
    timeout_bars: int
    trailing_activation_pct: float | None = None
    trailing_distance_pct: float = 0.0
    round_trip_cost_pct: float = 0.0  # fees + slippage counted in the outcome, percent
    # The symbols whose labels paid their own rates (the fee table: zero-fee pairs, other quote assets);
    # every other symbol paid the rates of round_trip_cost_pct. Left out of the JSON when empty.
    symbol_costs: dict[str, SymbolCostCard] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _without_empty_table(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if not self.symbol_costs:
            out.pop("symbol_costs", None)  # a card without a fee table reads as it always did
        return out


class LabelCard(_Frozen):
    kind: Literal["spec", "outcome"]
    horizon_bars: int
    threshold_pct: float | None = None  # percent (0.2 = +0.2%), for kind "spec"
    bar_interval_ms: int = 60_000
    exit_policy: ExitPolicyCard | None = None  # for kind "outcome"
    description: str = ""


class PiecewiseLinear(_Frozen):
    """y = interp(x) with flat ends: isotonic calibration, or a score -> expected value map."""

    method: Literal["isotonic", "sigmoid", "identity"]
    x: list[float] = Field(default_factory=list)
    y: list[float] = Field(default_factory=list)
    a: float = 0.0  # sigmoid: 1 / (1 + exp(a * logit(p) + b)), Platt on the log-odds
    b: float = 0.0
    _xs: Floats = PrivateAttr(default_factory=lambda: np.empty(0))
    _ys: Floats = PrivateAttr(default_factory=lambda: np.empty(0))

    def model_post_init(self, context: Any, /) -> None:
        self._xs = np.asarray(self.x, dtype=np.float64)  # numpy copies once, not per call (hot path)
        self._ys = np.asarray(self.y, dtype=np.float64)

    @model_validator(mode="after")
    def _knots(self) -> PiecewiseLinear:
        if self.method == "isotonic":
            if len(self.x) != len(self.y) or len(self.x) < 1:
                raise ValueError("isotonic map needs as many x as y knots, at least one")
            if any(b < a for a, b in zip(self.x, self.x[1:], strict=False)):
                raise ValueError("isotonic x knots must be sorted")
        return self

    def apply(self, p: Floats) -> Floats:
        if self.method == "identity":
            return p
        if self.method == "isotonic":
            out: Floats = np.interp(p, self._xs, self._ys)
            return out
        clipped = np.clip(p, 1e-12, 1 - 1e-12)
        logit = np.log(clipped / (1 - clipped))
        result: Floats = 1.0 / (1.0 + np.exp(self.a * logit + self.b))
        return result

    def apply_one(self, p: float) -> float:
        """`apply` for one value without numpy call overhead (the single-row scoring path)."""
        if self.method == "identity" or p != p:  # NaN passes through, as np.interp gives NaN
            return p
        if self.method == "isotonic":
            x, y = self.x, self.y
            if p <= x[0]:
                return y[0]
            if p >= x[-1]:
                return y[-1]
            i = bisect.bisect_right(x, p)
            x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
            return y0 if x1 == x0 else y0 + (p - x0) * (y1 - y0) / (x1 - x0)
        clipped = min(max(p, 1e-12), 1 - 1e-12)
        return 1.0 / (1.0 + math.exp(self.a * math.log(clipped / (1 - clipped)) + self.b))


class EvGateCard(_Frozen):
    """Expected-value gate fitted on validation: trade when expected net return > margin. A closed gate
    (no validation threshold made money) has a margin no expected value exceeds: the model never trades."""

    min_expected_net_return_pct: float
    round_trip_cost_pct: float
    closed: bool = False
    validation_trades: int = 0  # trades the gate kept on its validation rows
    validation_mean_net_pct: float | None = None
    rationale: str = ""


class PartRange(_Frozen):
    start_ms: int
    end_ms: int
    rows: int
    positives: int
    symbols: list[str]


class Thresholds(_Frozen):
    min_probability: float
    min_confidence: float
    min_predicted_move_pct: float
    rationale: str = ""


class ModelCard(_Frozen):
    schema_version: int = CARD_SCHEMA_VERSION
    model_version: str
    created_utc: str
    onnx_file: str
    onnx_sha256: str
    input_name: str = "features"
    probability_output: str = "probabilities"  # (n, 2) raw class probabilities, column 1 = up
    move_output: str | None = "move_pct"  # (n, 1) predicted favourable move, percent
    net_return_output: str | None = None  # (n, 1) expected net return, percent (issue 8)
    feature_version: str
    feature_names: list[str]
    label: LabelCard
    calibration: PiecewiseLinear
    expected_net_return: PiecewiseLinear | None = None  # calibrated probability -> expected net %
    ev_gate: EvGateCard | None = None
    confidence_method: str = "abs(p - 0.5) * 2 on the calibrated probability (spec 5.5)"
    gap_ms: int
    train: PartRange
    validation: PartRange
    test: PartRange
    data_sources: list[str] = Field(default_factory=list)
    row_sampling: str = ""
    metrics: dict[str, float | None] = Field(default_factory=dict)
    recommended_thresholds: Thresholds
    training: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    edge_report: dict[str, Any] | None = None  # `report edge --record-in-card`: net PnL out of time (issue 8)
    # The lab's out-of-time evidence, its recipe and the gate's verdict (issue 16 items 4, 8; card_evidence)
    lab_evidence: LabEvidenceCard | None = None
    lab_recipe: dict[str, Any] | None = None  # the candidate's parameters (application.research.trial_params)
    lab_gate: LabGateCard | None = None

    @model_validator(mode="after")
    def _schema(self) -> ModelCard:
        if self.schema_version != CARD_SCHEMA_VERSION:
            raise ValueError(f"card schema {self.schema_version}, this engine reads {CARD_SCHEMA_VERSION}")
        if len(set(self.feature_names)) != len(self.feature_names):
            raise ValueError("feature_names has duplicates")
        return self

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> ModelCard:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CardError(f"model card {path} is missing (every .onnx needs its .json card)") from error
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CardError(f"model card {path} is not readable JSON: {error}") from error
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(root)"
            raise CardError(f"model card {path} is invalid at {where}: {first['msg']}") from error


def card_path_for(onnx_path: Path) -> Path:
    return onnx_path.with_suffix(".json")
