"""OnnxModel: the Model port served by ONNX Runtime from a scalper-<version>.onnx and its .json card.

Everything that can be wrong with a model file is checked at load, before trading starts: the file, its
card and the checksum file sealing both exist and match (model_checksums.py: an edited card is refused),
the card's feature names/order/version equal the engine's, the session builds, has the inputs and outputs
the card names, and scores one row of the card's width (a symbolic input width is only checked by running
it). A failure is a ConfigurationError that says what is wrong. Swapping a model = dropping a new .onnx,
its .json and its .sha256 into the folder (`latest` = newest).

Per prediction: raw probability from the graph -> calibration from the card (numpy) -> confidence
abs(p - 0.5) * 2 (spec 5.5; tree agreement is not exposed by the ONNX tree operator, so it is not blended
in) -> predicted move from the regressor output -> expected net return from the graph output or the
card's map, NaN when the model provides neither.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from adapters.checksums import sha256_of
from adapters.onnx.card import CardError, ModelCard, card_path_for
from adapters.onnx.model_checksums import verify_sealed
from domain.features import FEATURE_NAMES, FEATURE_VERSION
from domain.signal import Prediction
from ports.errors import ConfigurationError

MODEL_GLOB = "scalper-*.onnx"
Floats = npt.NDArray[np.float64]


def resolve_model_path(path: Path) -> Path:
    """A .onnx file as is; a folder, or `<folder>/latest`, gives the newest scalper-*.onnx in it (model
    versions are UTC timestamps, so the greatest name is the newest)."""
    if path.name == "latest" and not path.exists():
        path = path.parent
    if path.is_dir():
        found = sorted(path.glob(MODEL_GLOB))
        if not found:
            raise ConfigurationError(f"no {MODEL_GLOB} model in {path}: train one with "
                                     "`python -m bootstrap train` or set model.path to a .onnx file")
        return found[-1]
    if not path.is_file():
        raise ConfigurationError(f"model file {path} does not exist (model.path)")
    if path.suffix != ".onnx":
        raise ConfigurationError(f"model file {path} is not a .onnx file")
    return path


def check_features(card: ModelCard, names: Sequence[str], version: str, where: Path) -> None:
    if card.feature_version != version:
        raise ConfigurationError(f"model {where.name} was trained on feature version "
                                 f"{card.feature_version!r}, the engine computes {version!r}")
    for index, (theirs, ours) in enumerate(zip(card.feature_names, names, strict=False)):
        if theirs != ours:
            raise ConfigurationError(f"model {where.name} expects feature #{index} {theirs!r}, "
                                     f"the engine computes {ours!r} there")
    if len(card.feature_names) != len(names):
        raise ConfigurationError(f"model {where.name} expects {len(card.feature_names)} features, "
                                 f"the engine computes {len(names)}")


class OnnxModel:
    def __init__(self, session: ort.InferenceSession, card: ModelCard, path: Path) -> None:
        self._session = session
        self._card = card
        self.path = path
        self._input = card.input_name
        self._outputs = [card.probability_output]
        self._move_at = self._net_at = -1
        if card.move_output:
            self._move_at = len(self._outputs)
            self._outputs.append(card.move_output)
        if card.net_return_output:
            self._net_at = len(self._outputs)
            self._outputs.append(card.net_return_output)
        self._row = np.empty((1, len(card.feature_names)), dtype=np.float32)  # single-row buffer

    @classmethod
    def load(cls, path: Path | str, *, feature_names: Sequence[str] = FEATURE_NAMES,
             feature_version: str = FEATURE_VERSION) -> OnnxModel:
        onnx_path = resolve_model_path(Path(path))
        try:
            card = ModelCard.read(card_path_for(onnx_path))
            verify_sealed(onnx_path)
        except CardError as error:
            raise ConfigurationError(str(error)) from error
        digest = sha256_of(onnx_path)
        if digest != card.onnx_sha256:
            raise ConfigurationError(f"model {onnx_path} does not match its card: sha256 {digest[:12]}... "
                                     f"!= {card.onnx_sha256[:12]}... (corrupt or replaced file)")
        check_features(card, feature_names, feature_version, onnx_path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one row per call: threads cost more than they give
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own untyped errors on a bad graph
            raise ConfigurationError(
                f"model {onnx_path} cannot be loaded by ONNX Runtime: {error}") from error
        inputs = {i.name: i for i in session.get_inputs()}
        outputs = {o.name for o in session.get_outputs()}
        if card.input_name not in inputs:
            raise ConfigurationError(
                f"model {onnx_path} has no input {card.input_name!r} (has {list(inputs)})")
        wanted = [card.probability_output, card.move_output, card.net_return_output]
        missing = [name for name in wanted if name and name not in outputs]
        if missing:
            raise ConfigurationError(f"model {onnx_path} lacks the outputs {missing} named by its card")
        width = inputs[card.input_name].shape[-1]
        if isinstance(width, int) and width != len(card.feature_names):
            raise ConfigurationError(f"model {onnx_path} takes {width} features, its card lists "
                                     f"{len(card.feature_names)}")
        model = cls(session, card, onnx_path)
        model._probe(width)
        return model

    def _probe(self, declared_width: object) -> None:
        """Score one row of the card's width: a symbolic width (['N', 'W']) says nothing until it runs."""
        n = len(self._card.feature_names)
        try:
            quiet = ort.RunOptions()
            quiet.log_severity_level = 4  # the failure is reported once, below, not also by ORT's logger
            row = np.zeros((1, n), dtype=np.float32)
            outputs = self._session.run(self._outputs, {self._input: row}, quiet)
        except Exception as error:  # onnxruntime's own error types
            first = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
            raise ConfigurationError(
                f"model {self.path} fails on one row of the {n} features its card lists (declared input "
                f"width {declared_width!r}): {first[-200:]}") from None
        shapes = [tuple(o.shape) for o in outputs]
        expected = [(1, 2)] + [(1, 1)] * (len(outputs) - 1)
        if shapes != expected:
            raise ConfigurationError(f"model {self.path} answers one row with output shapes {shapes}, "
                                     f"expected {expected} (probabilities, then move/net return)")

    @property
    def card(self) -> ModelCard:
        return self._card

    @property
    def feature_names(self) -> Sequence[str]:
        return self._card.feature_names

    @property
    def version(self) -> str:
        return self._card.model_version

    @property
    def ev_gate_margin_pct(self) -> float | None:
        gate = self._card.ev_gate
        return None if gate is None else gate.min_expected_net_return_pct

    def raw_outputs(self, rows: npt.NDArray[np.float32]) -> list[npt.NDArray[np.float32]]:
        result: list[npt.NDArray[np.float32]] = self._session.run(self._outputs, {self._input: rows})
        return result

    def score(self, rows: npt.NDArray[np.float64] | npt.NDArray[np.float32]
              ) -> tuple[Floats, Floats, Floats, Floats]:
        """Calibrated probability, confidence, predicted move % and expected net return % per row."""
        if rows.ndim != 2 or rows.shape[1] != len(self._card.feature_names):
            raise ValueError(f"rows must have shape (n, {len(self._card.feature_names)}), got {rows.shape}")
        if len(rows) == 1:
            self._row[0] = rows[0]
            batch = self._row
        else:
            batch = np.ascontiguousarray(rows, dtype=np.float32)
        outputs = self.raw_outputs(batch)
        raw = outputs[0][:, 1].astype(np.float64)
        probability = self._card.calibration.apply(raw)
        confidence = np.abs(probability - 0.5) * 2.0
        n = len(rows)
        move = outputs[self._move_at].reshape(n).astype(np.float64) if self._move_at >= 0 \
            else np.full(n, math.nan)
        if self._net_at >= 0:
            net = outputs[self._net_at].reshape(n).astype(np.float64)
        elif self._card.expected_net_return is not None:
            net = self._card.expected_net_return.apply(probability)
        else:
            net = np.full(n, math.nan)
        return probability, confidence, move, net

    def _predict_one(self, symbol: str, rows: npt.NDArray[np.float64], time_ms: int) -> Prediction:
        """The scan's common case: plain floats, no array allocation after the session call."""
        if rows.shape != self._row.shape:
            raise ValueError(f"rows must have shape (1, {self._row.shape[1]}), got {rows.shape}")
        self._row[0] = rows[0]
        outputs = self._session.run(self._outputs, {self._input: self._row})
        card = self._card
        probability = card.calibration.apply_one(float(outputs[0][0, 1]))
        move = float(outputs[self._move_at][0, 0]) if self._move_at >= 0 else math.nan
        if self._net_at >= 0:
            net = float(outputs[self._net_at][0, 0])
        elif card.expected_net_return is not None:
            net = card.expected_net_return.apply_one(probability)
        else:
            net = math.nan
        return Prediction(symbol=symbol, probability_up=probability, confidence=abs(probability - 0.5) * 2.0,
                          predicted_move_pct=move, time_ms=time_ms, expected_net_return_pct=net)

    def predict(self, symbols: Sequence[str], rows: npt.NDArray[np.float64],
                time_ms: int) -> list[Prediction]:
        if len(symbols) != len(rows):
            raise ValueError(f"{len(symbols)} symbols for {len(rows)} feature rows")
        if not len(symbols):
            return []
        if len(symbols) == 1:
            return [self._predict_one(symbols[0], rows, time_ms)]
        probability, confidence, move, net = self.score(rows)
        return [Prediction(symbol=s, probability_up=p, confidence=c, predicted_move_pct=m, time_ms=time_ms,
                           expected_net_return_pct=e)
                for s, p, c, m, e in zip(symbols, probability.tolist(), confidence.tolist(), move.tolist(),
                                         net.tolist(), strict=True)]
