"""The session's quote-asset dimension and market regimes: a trial's pairs are its universe's pairs of the
quote drawn; a universe without such a pair makes a trial without trades (not a crash); a trial's market
regime is read from its own pairs."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.application.research.lab_support import FakeLearner

from application.research.lab_session import LabSession, quote_without_pairs
from application.research.market_periods import plan_periods
from application.research.trial_params import trial_params
from application.research.trial_walk_forward import WalkForward
from domain.features import KlineArrays
from domain.statistics.break_even import BINANCE_SPOT_TIERS
from domain.statistics.regimes import RegimeRules

M = 60_000


def klines(closes: list[float]) -> KlineArrays:
    c = np.asarray(closes, dtype=np.float64)
    return KlineArrays(np.arange(len(c), dtype=np.int64) * M, c, c, c, c, np.ones(len(c)))


@pytest.fixture
def session() -> LabSession:
    rising = klines([100 * 1.01 ** i for i in range(30)])
    flat = klines([100.0] * 30)
    data = {"BTCUSDT": rising, "ETHUSDT": flat, "BTCFDUSD": flat, "ETHUSDC": flat}
    return LabSession(data, plan_periods(data), lambda _: FakeLearner(), WalkForward(), BINANCE_SPOT_TIERS,
                      0.02, {"all": None, "majors": ["BTCUSDT", "BTCFDUSD"]},
                      regime_rules=RegimeRules(window_minutes=5, drift_band_pct=1.0, baseline_minutes=10))


def test_a_trials_pairs_are_its_universes_pairs_of_its_quote(session: LabSession) -> None:
    assert session.symbols_of(trial_params({})) is None  # every pair
    assert session.symbols_of(trial_params({"quote_asset": "usdt"})) == ["BTCUSDT", "ETHUSDT"]
    assert session.symbols_of(trial_params({"universe": "majors", "quote_asset": "FDUSD"})) == ["BTCFDUSD"]
    assert session.symbols_of(trial_params({"universe": "majors", "quote_asset": "USDC"})) == []


def test_a_universe_without_a_pair_of_the_quote_trades_nothing(session: LabSession) -> None:
    score = session.score({"universe": "majors", "quote_asset": "USDC"})
    assert score.count == 0 and not score.pruned and all(v == 0 for v in score.daily_pnl)
    assert score.params["quote_asset"] == "USDC"


def test_a_quote_the_data_does_not_hold_is_named_in_one_line() -> None:
    symbols = ["BTCUSDT", "BTCFDUSD"]
    assert quote_without_pairs({"quote_asset": ["all", "usdt", "FDUSD"]}, symbols) is None
    assert quote_without_pairs({}, symbols) is None
    line = quote_without_pairs({"quote_asset": ["USDT", "USDC"]}, symbols)
    assert line == "space.quote_asset USDC: the data holds no USDC pair (it holds BTCFDUSD, BTCUSDT)"


def test_a_trials_regime_is_read_from_its_own_pairs(session: LabSession) -> None:
    at = np.array([20 * M])
    usdt = session.market_states(trial_params({"quote_asset": "USDT"}), at)  # BTC +1%/bar, ETH flat
    fdusd = session.market_states(trial_params({"quote_asset": "FDUSD"}), at)
    assert usdt.drift.tolist() == ["up"]  # (1.01^5)^(1/2) - 1 = +2.5% over the window
    assert fdusd.drift.tolist() == ["flat"]
