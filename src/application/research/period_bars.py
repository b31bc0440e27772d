"""Every tradable bar of a period in flat arrays: features, scanner view and prices to simulate trades.

Per symbol, features are computed per gap-free segment (no indicator spans a hole) and the scanner's
quick score / alert on the whole history (its 24 h windows handle holes by time); only bars whose
features have warmed up are kept. Rows are grouped by symbol, in time order inside a symbol, so a trade
is simulated inside its own symbol's block (domain.outcome, which also refuses a window across a hole).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from application.backtest.bar_scanner import BarScores, bar_scores
from domain.features import FEATURE_NAMES, WARMUP_BARS, KlineArrays, compute_features_into
from domain.outcome import ExitRules, Outcomes, TradeCosts, simulate_exits
from domain.scanner_rules import ScannerRules
from domain.symbol_costs import SymbolCosts, costs_of
from domain.time_units import MINUTE_MS

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
_READY = FEATURE_NAMES.index("ema_20_ratio")  # NaN exactly while a segment warms up
ATR_PCT = FEATURE_NAMES.index("atr_pct_14")


@dataclass(frozen=True)
class PeriodBars:
    name: str
    symbols: tuple[str, ...]
    symbol: Ints  # index into `symbols`, per row
    time_ms: Ints
    open: Floats
    high: Floats
    low: Floats
    close: Floats
    features: npt.NDArray[np.float32]  # (n, len(FEATURE_NAMES))
    scan_score: Floats  # the scanner's quick score of the bar (0 when the pair is not eligible)
    scan_alert: npt.NDArray[np.bool_]
    blocks: tuple[slice, ...]  # one row range per symbol
    interval_ms: int = MINUTE_MS  # the bar length (research resamples 1m klines to longer bars)

    def __len__(self) -> int:
        return len(self.time_ms)

    @property
    def atr_pct(self) -> Floats:
        return self.features[:, ATR_PCT].astype(np.float64)

    def outcomes(self, rules: ExitRules, costs: TradeCosts | SymbolCosts) -> Outcomes:
        """The trade entered after each bar (next open) under these exits and costs (each symbol its own
        when per symbol); NaN where the window leaves the symbol's data or spans a hole."""
        n = len(self)
        net, code = np.full(n, np.nan), np.zeros(n, dtype=np.int8)
        held = np.zeros(n, dtype=np.int16)
        for block in self.blocks:
            if block.stop <= block.start:  # nothing to simulate (and no symbol to price)
                continue
            own = costs_of(costs, self.symbols[self.symbol[block.start]])
            out = simulate_exits(self.open[block], self.high[block], self.low[block], self.close[block],
                                 self.time_ms[block], rules, own, self.interval_ms)
            net[block], code[block], held[block] = out.net_return_pct, out.exit_code, out.bars_held
        return Outcomes(net, code, held)

    def take(self, index: Ints) -> PeriodBars:
        """A subset of rows (kept in order); blocks are recomputed per symbol."""
        index = np.sort(index)
        symbol = self.symbol[index]
        starts = np.flatnonzero(np.r_[True, symbol[1:] != symbol[:-1]]) if len(index) else np.empty(0, int)
        bounds = [*starts.tolist(), len(index)]
        return PeriodBars(self.name, self.symbols, symbol, self.time_ms[index], self.open[index],
                          self.high[index], self.low[index], self.close[index], self.features[index],
                          self.scan_score[index], self.scan_alert[index],
                          tuple(slice(a, b) for a, b in itertools.pairwise(bounds)), self.interval_ms)


def build_period_bars(name: str, klines: Mapping[str, KlineArrays], rules: ScannerRules, *,
                      interval_ms: int = MINUTE_MS, with_scanner: bool = True) -> PeriodBars:
    """`with_scanner=False` leaves the scanner's score at 0 and its alert off (the lab's trials do not
    read them; the scanner's windows assume 1m bars)."""
    symbols = usable_symbols(klines)
    parts = [symbol_part(klines[symbol], code, rules, interval_ms=interval_ms, with_scanner=with_scanner)
             for code, symbol in enumerate(symbols)]
    if not parts:
        raise ValueError(f"period {name}: no symbol has {WARMUP_BARS} consecutive bars to warm up on")
    return bars_of(name, symbols, parts, interval_ms)


def usable_symbols(klines: Mapping[str, KlineArrays]) -> tuple[str, ...]:
    """The symbols with enough bars to warm up on, sorted: a period's symbol codes index this."""
    return tuple(sorted(s for s, k in klines.items() if len(k) > WARMUP_BARS))


def symbol_part(k: KlineArrays, code: int, rules: ScannerRules, *, interval_ms: int = MINUTE_MS,
                with_scanner: bool = True) -> dict[str, npt.NDArray[np.generic]]:
    """One symbol's warmed-up rows as PeriodBars columns (features per gap-free segment)."""
    # written as float32 as each segment is computed (the same values as casting compute_features'
    # matrix): one symbol can be 400k bars, 130 MB a float64 copy
    features = np.full((len(k), len(FEATURE_NAMES)), np.nan, dtype=np.float32)
    ready = np.zeros(len(k), dtype=np.bool_)
    for segment in _gap_free_segments(k.open_time_ms, interval_ms):
        if segment.stop - segment.start >= WARMUP_BARS:
            compute_features_into(_slice(k, segment), features[segment])
            ready[segment] = np.isfinite(features[segment, _READY])
    scan = bar_scores(k, rules) if with_scanner else _no_scan(len(k))
    return {"symbol": np.full(int(ready.sum()), code, dtype=np.int64),
            "time_ms": k.open_time_ms[ready], "open": k.open[ready], "high": k.high[ready],
            "low": k.low[ready], "close": k.close[ready],
            "features": features[ready],
            "scan_score": scan.quick_score[ready], "scan_alert": scan.alert[ready]}


def bars_of(name: str, symbols: tuple[str, ...], parts: list[dict[str, npt.NDArray[np.generic]]],
            interval_ms: int) -> PeriodBars:
    """PeriodBars from symbol parts in symbol order (each part's columns dropped once joined)."""
    sizes = np.cumsum([0, *(len(p["time_ms"]) for p in parts)])
    columns = {}
    for key in list(parts[0]):  # each column's pieces dropped once joined: one copy of the period at a time
        pieces = [p.pop(key) for p in parts]
        columns[key] = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)  # one symbol: no copy
        del pieces

    def col(key: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
        return columns[key].astype(dtype, copy=False)

    return PeriodBars(name, symbols, col("symbol", np.int64), col("time_ms", np.int64),
                      col("open", np.float64), col("high", np.float64), col("low", np.float64),
                      col("close", np.float64), col("features", np.float32), col("scan_score", np.float64),
                      col("scan_alert", np.bool_),
                      tuple(slice(int(a), int(b)) for a, b in itertools.pairwise(sizes)), interval_ms)


def _gap_free_segments(open_time_ms: Ints, interval_ms: int) -> list[slice]:
    breaks = np.flatnonzero(np.diff(open_time_ms) != interval_ms) + 1
    bounds = [0, *breaks.tolist(), len(open_time_ms)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _no_scan(n: int) -> BarScores:
    return BarScores(np.zeros(n), np.zeros(n, dtype=np.bool_))


def _slice(k: KlineArrays, segment: slice) -> KlineArrays:
    return KlineArrays(k.open_time_ms[segment], k.open[segment], k.high[segment], k.low[segment],
                       k.close[segment], k.volume[segment], k.taker_buy_base_volume[segment],
                       k.quote_volume[segment], k.trades[segment])
