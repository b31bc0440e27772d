"""A pair's live state (spec 4.2): the scanner's view of one symbol, judged by the same rule functions
(`domain.scanner_rules`) the scanner applies to all its rows at once, so the two never disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.scanner_rules import (
    FloatArray,
    ScannerRules,
    alert_metrics,
    distance_from_low_pct,
    eligible,
    quick_score,
    spread_pct,
)


@dataclass(frozen=True, slots=True)
class PairState:
    """Snapshot of one pair. Volumes in quote asset; NaN where not known yet (no book, short history)."""

    symbol: str
    price: float
    price_1m_ago: float
    price_5m_ago: float
    volume_24h: float
    volume_1m: float
    high_24h: float
    low_24h: float
    bid_price: float
    ask_price: float
    last_update_ms: int

    @property
    def spread_pct(self) -> float:
        return float(spread_pct(self.bid_price, self.ask_price))

    @property
    def metrics(self) -> FloatArray:
        """The alert inputs of `alert_metrics`, in METRIC_NAMES order."""
        return alert_metrics(self.price, self.price_1m_ago, self.price_5m_ago, self.high_24h, self.volume_1m,
                             self.volume_24h)

    @property
    def change_1m_pct(self) -> float:
        return float(self.metrics[1])

    @property
    def change_5m_pct(self) -> float:
        return float(self.metrics[3])

    @property
    def distance_from_high_pct(self) -> float:
        return float(self.metrics[2])

    @property
    def distance_from_low_pct(self) -> float:
        return float(distance_from_low_pct(self.price, self.low_24h))

    @property
    def volume_ratio(self) -> float:
        return float(self.metrics[0])

    def quick_score(self, rules: ScannerRules) -> float:
        """0 when the pair fails the volume/spread filter, else the spec 4.2 score."""
        spread = self.spread_pct
        if not bool(eligible(self.price, self.volume_24h, spread, rules)):
            return 0.0
        score = float(quick_score(self.metrics, spread, rules.volume_spike_ratio))
        return score if math.isfinite(score) else 0.0
