"""The EV gate of a model trained on outcome labels, for its card: validation is cut in two halves in
time (a purge gap apart); calibration and the expected-net-return map are fitted on the first, the gate
(domain.ev_gate) on the second, so the gate judges the map on rows the map has not seen. Test
rows are never read here."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from adapters.onnx.card import EvGateCard, PiecewiseLinear
from adapters.training.chunked import scored_in_chunks
from adapters.training.lightgbm_trainer import FittedBoosters
from adapters.training.rows import LabelledRows
from domain.ev_gate import fit_gate

Ints = npt.NDArray[np.int64]
MIN_GATE_TRADES = 30


def validation_halves(index: Ints, time_ms: npt.NDArray[np.int64], gap_ms: int) -> tuple[Ints, Ints]:
    """(first half, second half) of the validation rows by time; the first ends a gap before the second."""
    times = time_ms[index]
    middle = int(np.sort(times)[len(times) // 2])
    first, second = index[times < middle - gap_ms], index[times >= middle]
    if not len(first) or not len(second):
        raise ValueError("the validation part is too short to cut into a calibration and a gate half")
    return first, second


def fit_gate_card(rows: LabelledRows, index: Ints, boosters: FittedBoosters, calibration: PiecewiseLinear,
                  expected: PiecewiseLinear, round_trip_cost_pct: float, *, margin_pct: float = 0.0,
                  min_trades: int = MIN_GATE_TRADES) -> EvGateCard:
    """The gate fitted on these (validation, second-half) rows."""
    if rows.net_return_pct is None:
        raise ValueError("an EV gate needs outcome labels (net returns)")
    ev = expected.apply(calibration.apply(scored_in_chunks(rows, index, boosters.raw_probability)))
    gate = fit_gate(ev, rows.net_return_pct[index], rows.time_ms[index], margin_pct=margin_pct,
                    min_trades=min_trades)
    stats = gate.stats
    mean = None if not stats.count else round(stats.mean_pct, 6)
    # Never rounded: a threshold rounded down would let in the expected-value level it excluded.
    if gate.threshold_pct is None:  # closed: no expected value from the map can exceed its maximum
        ceiling = max(max(expected.y, default=margin_pct), margin_pct)
        return EvGateCard(min_expected_net_return_pct=float(ceiling), round_trip_cost_pct=round_trip_cost_pct,
                          closed=True, validation_trades=stats.count, validation_mean_net_pct=mean,
                          rationale=gate.rationale)
    return EvGateCard(min_expected_net_return_pct=gate.threshold_pct,
                      round_trip_cost_pct=round_trip_cost_pct, validation_trades=stats.count,
                      validation_mean_net_pct=mean, rationale=gate.rationale)
