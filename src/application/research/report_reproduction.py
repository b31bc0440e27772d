"""reproduce_spec_label.reproduce over a period kept as its klines (PeriodSource): the same 70/15/15 split,
models and rows, without the period's whole feature matrix (the 96-pair 2021 period: ~1 GB of float32).

Symbol by symbol, in the period's row order: the trades and spec labels from prices alone fix the split;
pass 1 keeps the training rows and the validation rows both boosters early-stop on
(StagedEdgeLearner.stopping_rows: the same rows for both models), the boosters are fitted; pass 2 scores
the test rows. The figures read only the boosters' scores (no calibration).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.period_bars import ATR_PCT
from application.research.period_rows import row_of
from application.research.period_source import PeriodSource
from application.research.ranking import auc
from application.research.reproduce_spec_label import TOP_SHARES, Reproduction
from domain.features import FEATURE_NAMES
from domain.labels import spec_label
from domain.outcome import ExitRules, TradeCosts
from domain.time_units import MINUTE_MS
from ports.training import StagedEdgeLearner

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Split:
    val_start: int
    test_start: int
    gap: int
    stride: int

    def parts(self, t: Ints, known: Bools) -> tuple[Bools, Bools, Bools]:
        train = known & (t < self.val_start - self.gap) & ((t // MINUTE_MS) % self.stride == 0)
        val = known & (t >= self.val_start) & (t < self.test_start - self.gap)
        return train, val, known & (t >= self.test_start)


def _labelled(source: PeriodSource, rules: ExitRules, costs: TradeCosts, horizon: int, threshold: float
              ) -> Iterator[tuple[int, Ints, Floats, Floats, Bools]]:
    """(code, times, net, spec label, known) of each symbol, from prices alone."""
    for code in range(len(source.symbols)):
        prices = source.symbol_prices(code)
        net = prices.outcomes(rules, costs).net_return_pct
        spec = spec_label(prices.high, prices.close, horizon, threshold, open_time_ms=prices.time_ms)
        yield code, prices.time_ms, net, spec, np.isfinite(net) & np.isfinite(spec)


def reproduce_streamed(source: PeriodSource, learner: StagedEdgeLearner, rules: ExitRules, costs: TradeCosts,
                       *, horizon: int = 3, threshold: float = 0.002, max_train_rows: int = 300_000
                       ) -> Reproduction:
    def labelled() -> Iterator[tuple[int, Ints, Floats, Floats, Bools]]:
        return _labelled(source, rules, costs, horizon, threshold)

    times = np.sort(np.concatenate([t[known] for _, t, _, _, known in labelled()]))
    gap = (max(horizon, rules.timeout_bars) + 1) * MINUTE_MS
    val_start, test_start = int(times[int(0.70 * len(times))]), int(times[int(0.85 * len(times))])
    train_rows = int(np.searchsorted(times, val_start - gap))  # known rows before val_start - gap
    split = _Split(val_start, test_start, gap, max(1, int(np.ceil(train_rows / max_train_rows))))
    del times
    counts = np.zeros(2, dtype=np.int64)  # (train, validation) rows
    for _, t, _, _, known in labelled():
        train, val, _ = split.parts(t, known)
        counts += (int(train.sum()), int(val.sum()))
    stop = learner.stopping_rows(int(counts[1]))
    width = len(FEATURE_NAMES)
    x_train, x_stop = np.empty((counts[0], width), np.float32), np.empty((len(stop), width), np.float32)
    y_train, y_stop = np.empty((2, counts[0])), np.empty((2, len(stop)))  # (spec, win) labels
    at = seen = 0
    for code, t, net, spec, known in labelled():
        train, val, _ = split.parts(t, known)
        features = source.symbol_bars(code).features
        n, val_rows = int(train.sum()), np.flatnonzero(val)
        x_train[at: at + n] = features[train]
        y_train[:, at: at + n] = spec[train], net[train] > 0
        lo, hi = np.searchsorted(stop, [seen, seen + len(val_rows)])
        picked = val_rows[stop[lo:hi] - seen]
        x_stop[lo:hi] = features[picked]
        y_stop[:, lo:hi] = spec[picked], net[picked] > 0
        at, seen = at + n, seen + len(val_rows)
        del features
    spec_model = learner.fit_ranker(x_train, y_train[0], x_stop, y_stop[0])
    outcome_model = learner.fit_ranker(x_train, y_train[1], x_stop, y_stop[1])
    del x_train, x_stop
    test: dict[str, list[npt.NDArray[np.generic]]] = {k: [] for k in ("net", "time", "spec", "s", "o", "atr")}
    for code, t, net, spec, known in labelled():
        chosen = split.parts(t, known)[2]
        features = source.symbol_bars(code).features[chosen]
        for key, value in (("net", net[chosen]), ("time", t[chosen]), ("spec", spec[chosen]),
                           ("s", spec_model.score(features)), ("o", outcome_model.score(features)),
                           ("atr", features[:, ATR_PCT].astype(np.float64))):
            test[key].append(value)
        del features
    net, time_ms, spec, spec_score, outcome_score, atr = (
        np.concatenate(test.pop(k)) for k in ("net", "time", "spec", "s", "o", "atr"))
    win = (net > 0).astype(np.float64)
    rows = [row_of("all test bars", net, np.ones(len(net), dtype=np.bool_), time_ms)]
    for name, score in (("spec-label model", spec_score), ("outcome model", outcome_score),
                        ("ATR% alone (volatility)", atr)):
        rows += [row_of(f"{name}: top {share:.0%}", net, score >= np.quantile(score, 1 - share), time_ms)
                 for share in TOP_SHARES]
    return Reproduction(source.name, len(net), auc(spec, spec_score), auc(spec, atr), auc(win, outcome_score),
                        auc(win, atr), tuple(rows))
