"""The real loop and the research core agree on bars longer than a minute (the lab's 5m..1h candidates).

Same comparison as test_research_core_parity.py (trade by trade: symbol, times to the millisecond, exit
reason, prices exactly, quantity, PnL to the cent), on recorded 1m klines resampled to 5m and 15m bars:
the replay decides at each bar's close, fills an entry at the next bar's open and counts holds and
cooldowns in milliseconds, whatever the bar's length.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.support.backtest_data import settings_for
from tests.support.core_parity import both, differences

from adapters.history.klines import load_klines
from application.backtest.baselines import random_plan
from application.backtest.market_grid import BacktestMarket
from application.research.resample import resample_klines
from bootstrap.mapping import signal_thresholds_from
from domain.position import ExitReason
from domain.time_units import DAY_MS, MINUTE_MS, day_start_ms

SHARED_FILE = "freqtrade_userdata/binance_spot_1m_2020-05-21_2020-06-20_18pairs.csv.xz"
START = day_start_ms("2020-06-01")


def _market(shared_data: Path, minutes: int, days: int) -> BacktestMarket:
    klines = load_klines(shared_data / SHARED_FILE, None, START, START + days * DAY_MS)
    return BacktestMarket.build({s: resample_klines(k, minutes) for s, k in klines.items()},
                                bar_ms=minutes * MINUTE_MS)


@pytest.mark.parametrize(("minutes", "days", "hold_s", "cooldown_s"),
                         [(5, 3, 3600, 600), (15, 6, 3600, 1800)])
def test_on_longer_bars_the_loop_and_the_core_make_the_same_trades(
        tmp_path: Path, shared_data: Path, minutes: int, days: int, hold_s: int, cooldown_s: int) -> None:
    market = _market(shared_data, minutes, days)
    first = market.first_minute_from(START)
    settings = settings_for(tmp_path, risk={"max_open_positions": 4, "max_trades_per_day": 1000,
                                            "max_trades_per_hour": 1000, "cooldown_seconds": cooldown_s,
                                            "max_drawdown_pct": 0.5, "max_daily_loss_pct": 0.5,
                                            "default_take_profit_pct": 0.01, "default_stop_loss_pct": 0.01},
                            timing={"position_timeout_seconds": hold_s})
    plan = random_plan(market, signal_thresholds_from(settings), 150, seed=4, trade_from_minute=first)
    core, loop, _, _ = both(settings, market, plan, first, tmp_path / f"{minutes}m")

    assert not differences(core, loop), differences(core, loop)[:3]
    assert len(loop) > 40
    assert {ExitReason.SL, ExitReason.TP, ExitReason.TIMEOUT} <= {t.exit_reason for t in loop}
    bar_ms = minutes * MINUTE_MS
    # decided at a bar's close: every exit by the OCO falls at one (plus the order latencies of the tick)
    closes = [t.exit_time_ms for t in loop if t.exit_reason in (ExitReason.TP, ExitReason.SL)]
    assert all((x + 1) % bar_ms < 5_000 for x in closes)
    holds = np.array([t.exit_time_ms - t.entry_time_ms for t in loop if t.exit_reason is ExitReason.TIMEOUT])
    assert holds.min() >= hold_s * 1000 and holds.max() < hold_s * 1000 + bar_ms + 5_000  # due at a close


def test_a_market_of_longer_bars_steps_one_bar_at_a_time(shared_data: Path) -> None:
    market = _market(shared_data, 5, 1)
    assert market.close_ms(0) == int(market.minutes[0]) + 5 * MINUTE_MS - 1
    assert market.minute_at(market.close_ms(3)) == 3 and market.minute_at(market.close_ms(3) - 1) == 2
    found = market.bar_and_next_open(0, 0)
    assert found is not None
    candle, (_, _, following_open_ms) = found
    assert candle.close_time_ms == market.close_ms(0) and following_open_ms == candle.close_time_ms + 1
    assert market.has_next_bar()[:, :-1].all()  # the day has no hole: every bar has its next one
    with pytest.raises(ValueError, match="bar boundaries"):
        BacktestMarket.build({"BTCUSDT": load_klines(shared_data / SHARED_FILE, None, START,
                                                     START + DAY_MS)["BTCUSDT"]}, bar_ms=5 * MINUTE_MS)


@pytest.mark.parametrize(("minutes", "days"), [(1, 1), (5, 3)])
def test_maker_entries_rest_at_the_close_and_both_fill_them_only_when_traded_through(
        tmp_path: Path, shared_data: Path, minutes: int, days: int) -> None:
    market = _market(shared_data, minutes, days)
    first = market.first_minute_from(START)
    settings = settings_for(tmp_path, risk={"max_open_positions": 4, "max_trades_per_day": 1000,
                                            "max_trades_per_hour": 1000, "cooldown_seconds": 600,
                                            "max_drawdown_pct": 0.5, "max_daily_loss_pct": 0.5},
                            timing={"position_timeout_seconds": 1800}, execution={"maker_entries": True})
    plan = random_plan(market, signal_thresholds_from(settings), 300, seed=1, trade_from_minute=first)
    core, loop, _, _ = both(settings, market, plan, first, tmp_path / f"maker{minutes}m")

    assert not differences(core, loop), differences(core, loop)[:3]
    assert len(loop) > 40
    # an OCO refused because the fill bar closed beyond a leg: sold at once, in both
    assert {ExitReason.SL, ExitReason.TP, ExitReason.UNPROTECTED} <= {t.exit_reason for t in loop}
    index = {s: i for i, s in enumerate(market.symbols)}
    resting = 0
    for trade in loop:  # filled at the price of the signal bar's close, by a bar that traded below it
        fill = market.minute_at(trade.entry_time_ms)
        s = index[trade.symbol]
        signal_bar, fill_bar = market.candle(s, fill - 1), market.candle(s, fill)
        assert signal_bar is not None and fill_bar is not None
        if trade.entry_price == signal_bar.close:
            resting += 1
            assert fill_bar.low < trade.entry_price
    # the others rest at an older book top: a slot freed within a tick lets the scan enter a candidate the
    # replay did not show that minute (its probe had refused), in the loop and the core alike
    assert resting >= 0.75 * len(loop)
