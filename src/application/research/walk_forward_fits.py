"""Every exit policy's model of one streamed fold (walk_forward_streamed.py) from two feature passes over
the earlier periods, instead of one pass per policy and part: a bar's features do not depend on the
policy, only which bars have a known trade does.

- count (prices only): each policy's calibration rows, so the rows its booster early-stops on are known
  before any feature is computed (StagedEdgeLearner.stopping_rows);
- pass 1: the training rows (one matrix for every policy: the train mask is the same for all; each
  policy fits on its rows whose trade is known) and the early-stopping rows; then the fits;
- pass 2: each booster scores its policy's calibration rows (then calibrated on them) and selection rows.
The rows are folds.gather's, in its order, so the models equal StagedEdgeLearner.fit's on gathered rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from application.research.folds import PartMask
from application.research.period_source import PeriodSource
from application.research.walk_forward import Costs, NamedPolicy, Progress
from domain.features import FEATURE_NAMES
from ports.training import EdgeModel, EdgeRanker, StagedEdgeLearner

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FittedPolicy:
    policy: NamedPolicy
    model: EdgeModel
    selection: tuple[Floats, Floats, Ints]  # (score, net, time) of its selection rows with a known trade


@dataclass(frozen=True)
class _Symbol:
    source: PeriodSource
    code: int
    times: Ints
    nets: tuple[Floats, ...]  # per policy, over the symbol's rows (NaN: trade unknown)


def _symbols(prior: Sequence[PeriodSource], masks: Sequence[PartMask], policies: Sequence[NamedPolicy],
             costs: Costs) -> Iterator[_Symbol]:
    """Each symbol of the earlier periods that one of the masks touches, in folds.gather's row order."""
    for source in prior:
        for code in range(len(source.symbols)):
            times = source.symbol_times(code)
            if any(bool(mask(times).any()) for mask in masks):
                prices = source.symbol_prices(code)
                yield _Symbol(source, code, times,
                              tuple(prices.outcomes(p.rules, costs).net_return_pct for p in policies))


def fit_policies(prior: Sequence[PeriodSource], masks: dict[str, PartMask], policies: Sequence[NamedPolicy],
                 costs: Costs, learner: StagedEdgeLearner, progress: Progress, test_name: str
                 ) -> list[FittedPolicy]:
    train, cal, sel = masks["train"], masks["calibration"], masks["selection"]
    counts = np.zeros((2, len(policies)), dtype=np.int64)  # calibration, selection rows per policy
    train_rows = 0
    for s in _symbols(prior, (train, cal, sel), policies, costs):
        for row, mask in enumerate((cal, sel)):
            chosen = mask(s.times)
            counts[row] += [int((chosen & np.isfinite(net)).sum()) for net in s.nets]
        train_rows += int(train(s.times).sum())
    stops = [learner.stopping_rows(int(n)) for n in counts[0]]
    rankers = _fit(prior, masks, policies, costs, learner, stops, train_rows,
                   lambda i, n: progress(f"test {test_name}: {policies[i].name}: fit on {n:,} rows, "
                                         f"calibrate on {counts[0, i]:,}"))
    return _calibrate_and_select(prior, masks, policies, costs, learner, rankers, counts)


def _fit(prior: Sequence[PeriodSource], masks: dict[str, PartMask], policies: Sequence[NamedPolicy],
         costs: Costs, learner: StagedEdgeLearner, stops: list[Ints], train_rows: int,
         fitting: Callable[[int, int], None]) -> list[EdgeRanker]:
    """Pass 1 and the fits: one matrix of training rows, one of early-stopping rows (the policies' samples
    of their calibration rows are nearly the same bars: each bar is held once), each policy's index in it."""
    train, cal = masks["train"], masks["calibration"]
    width = len(FEATURE_NAMES)
    x_train = np.empty((train_rows, width), dtype=np.float32)
    known = np.empty((len(policies), train_rows), dtype=np.bool_)
    y_train = np.empty((len(policies), train_rows))
    # sized for no shared bar at all; pages never written are never resident
    x_stop = np.empty((sum(len(stop) for stop in stops), width), dtype=np.float32)
    where = [np.empty(len(stop), dtype=np.int64) for stop in stops]  # each policy's rows in x_stop
    y_stop = [np.empty(len(stop)) for stop in stops]
    seen = np.zeros(len(policies), dtype=np.int64)  # each policy's calibration rows passed so far
    at = held = 0
    for s in _symbols(prior, (train, cal), policies, costs):
        features = s.source.symbol_bars(s.code).features
        in_train, in_cal = train(s.times), cal(s.times)
        n = int(in_train.sum())
        x_train[at: at + n] = features[in_train]
        picks = []
        for i, net in enumerate(s.nets):
            finite = np.isfinite(net)
            known[i, at: at + n] = finite[in_train]
            y_train[i, at: at + n] = net[in_train] > 0
            rows = np.flatnonzero(in_cal & finite)
            lo, hi = np.searchsorted(stops[i], [seen[i], seen[i] + len(rows)])
            picked = rows[stops[i][lo:hi] - seen[i]]
            y_stop[i][lo:hi] = net[picked] > 0
            picks.append((i, lo, hi, picked))
            seen[i] += len(rows)
        shared = np.unique(np.concatenate([p[3] for p in picks])) if picks else np.empty(0, np.int64)
        x_stop[held: held + len(shared)] = features[shared]
        for i, lo, hi, picked in picks:
            where[i][lo:hi] = held + np.searchsorted(shared, picked)
        held += len(shared)
        at += n
        del features
    rankers = []
    for i in range(len(policies)):
        x = x_train[known[i]]  # this policy's rows: a copy, one policy at a time
        fitting(i, len(x))
        rankers.append(learner.fit_ranker(x, y_train[i, known[i]], x_stop[where[i]], y_stop[i]))
        del x
    return rankers


def _calibrate_and_select(prior: Sequence[PeriodSource], masks: dict[str, PartMask],
                          policies: Sequence[NamedPolicy], costs: Costs, learner: StagedEdgeLearner,
                          rankers: Sequence[EdgeRanker], counts: Ints) -> list[FittedPolicy]:
    """Pass 2: each ranker scores its calibration rows (calibrated on them) and its selection rows, written
    in place (`counts`: each policy's calibration and selection rows; parts joined would be two copies)."""
    cal, sel = masks["calibration"], masks["selection"]
    raw, cal_net = ([np.empty(n) for n in counts[0]] for _ in range(2))
    sel_score, sel_net = ([np.empty(n) for n in counts[1]] for _ in range(2))
    sel_time = [np.empty(n, dtype=np.int64) for n in counts[1]]
    at = np.zeros((2, len(policies)), dtype=np.int64)
    for s in _symbols(prior, (cal, sel), policies, costs):
        features = s.source.symbol_bars(s.code).features
        in_cal, in_sel = cal(s.times), sel(s.times)
        for i, (net, ranker) in enumerate(zip(s.nets, rankers, strict=True)):
            finite = np.isfinite(net)
            keep, a = in_cal & finite, at[0, i]
            n = int(keep.sum())
            raw[i][a: a + n], cal_net[i][a: a + n] = ranker.score(features[keep]), net[keep]
            keep, b = in_sel & finite, at[1, i]
            m = int(keep.sum())
            sel_score[i][b: b + m], sel_net[i][b: b + m] = ranker.score(features[keep]), net[keep]
            sel_time[i][b: b + m] = s.times[keep]
            at[:, i] += (n, m)
        del features
    out = []
    for i, policy in enumerate(policies):
        net = cal_net[i]
        model = learner.calibrated(rankers[i], raw[i], (net > 0).astype(np.float64), net)
        raw[i] = cal_net[i] = np.empty(0)  # calibrated: its rows go
        out.append(FittedPolicy(policy, model, (sel_score[i], sel_net[i], sel_time[i])))
    return out
