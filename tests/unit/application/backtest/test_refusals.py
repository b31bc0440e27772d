"""Risk refusals during a replay: every reason the risk book gives has a kind, the probe's own check is not
a signal, and a replay records the signals it refused (the report counts them by reason)."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.support.backtest_data import ScriptedModel, falling_market, settings_for

from application.backtest.breakdown import RunTrades, blocked_from, refusal_rows
from application.backtest.market_grid import BacktestMarket
from application.backtest.precompute import model_plan
from application.backtest.refusals import RecordingRiskBook, RefusalLog, refusal_kind
from bootstrap.backtest_wiring import run_plan_sync
from bootstrap.mapping import scanner_rules_from, signal_thresholds_from
from domain.position import CompletedTrade, ExitReason
from domain.risk import Rejected, RiskLimits, TradeIntent
from domain.time_units import DAY_MS, HOUR_MS
from domain.time_units import day_start_ms as day_ms

LIMITS = RiskLimits(initial_capital=100.0, max_position_pct=0.2, min_position_usdt=5.0,
                    max_loss_per_trade_pct=0.02, max_daily_loss_pct=0.1, max_drawdown_pct=0.25,
                    max_open_positions=2, max_trades_per_hour=2, max_trades_per_day=3)
NOW = day_ms("2024-01-02") + 10 * HOUR_MS


def _intent(symbol: str = "AAAUSDT", stop: float = 99.0, minimum: float = 0.0) -> TradeIntent:
    return TradeIntent(symbol, 100.0, stop, minimum, NOW)


def _reasons() -> list[str]:
    """One refusal of each rule of domain/risk.py, each from a book brought into that state."""
    def book() -> RecordingRiskBook:
        return RecordingRiskBook(LIMITS, RefusalLog())

    found = []
    b = book()
    found.append(b.check(_intent(), NOW, 100.0, {"AAAUSDT"}))  # one position per pair
    found.append(b.check(_intent(), NOW, 100.0, {"X", "Y"}))  # open positions
    found.append(b.check(_intent(), NOW, 0.0, set()))  # no capital
    found.append(b.check(_intent(stop=101.0), NOW, 100.0, set()))  # stop above the entry
    found.append(b.check(_intent(minimum=50.0), NOW, 100.0, set()))  # size below the minimum
    b = book()
    for minute in range(2):
        b.record_entry("ZZZ", NOW - minute * 60_000)
    found.append(b.check(_intent(), NOW, 100.0, set()))  # trades an hour
    b = book()
    for hour in range(3):
        b.record_entry("ZZZ", NOW - (hour + 2) * HOUR_MS)
    found.append(b.check(_intent(), NOW, 100.0, set()))  # trades a day
    b = book()
    b.record_exit(CompletedTrade("ZZZ", 100.0, 50.0, 1.0, NOW - 1000, NOW - 1, 0.0, ExitReason.SL), NOW)
    found.append(b.check(_intent(), NOW, 100.0, set()))  # daily loss
    b = book()
    b.update_equity(50.0, NOW)
    found.append(b.check(_intent(), NOW, 50.0, set()))  # kill switch
    assert all(isinstance(d, Rejected) for d in found), found
    return [d.reason for d in found if isinstance(d, Rejected)]


def test_every_refusal_the_risk_book_gives_has_its_own_kind() -> None:
    kinds = [refusal_kind(reason) for reason in _reasons()]
    assert "other" not in kinds, list(zip(kinds, _reasons(), strict=True))
    assert len(set(kinds)) == len(kinds), kinds


def test_the_recording_book_decides_the_same_and_keeps_probes_out_of_the_list() -> None:
    log = RefusalLog()
    book = RecordingRiskBook(LIMITS, log)
    assert book.check(_intent(minimum=50.0), NOW, 100.0, set()) == Rejected(log.refusals[0].reason)
    with log.probing() as probe:
        book.check(_intent(), NOW, 100.0, {"X", "Y"})
    assert len(log.refusals) == 1 and probe.probe_reason is not None
    assert refusal_kind(probe.probe_reason) == "max_open_positions"


def _too_small_run(tmp_path: Path) -> RunTrades:
    """A falling market that takes a 30 USDT account below the size the exchange accepts."""
    start = day_ms("2024-01-01")
    klines = falling_market(["AAAUSDT", "BBBUSDT"], days=4, start_ms=start)
    settings = settings_for(tmp_path, scanner={"min_volume_24h": 0.0},
                            risk={"initial_capital": 30.0, "max_position_pct": 0.2, "min_position_usdt": 5.5,
                                  "max_loss_per_trade_pct": 0.5, "default_stop_loss_pct": 0.02,
                                  "default_take_profit_pct": 0.01, "max_daily_loss_pct": 0.9,
                                  "max_drawdown_pct": 0.9})
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start + DAY_MS)
    plan = model_plan(market, ScriptedModel(threshold=0.3, p_up=0.99), scanner_rules_from(settings),
                      signal_thresholds_from(settings), 10, trade_from_minute=first)
    steps: list[tuple[int, int]] = []
    outcome = run_plan_sync(settings, market, plan, tmp_path / "run", first,
                            progress=lambda done, total: steps.append((done, total)))
    total = len(market.minutes) - first
    assert steps[-1] == (total, total) and all(b >= a for (a, _), (b, _) in itertools.pairwise(steps))
    run = outcome.run
    return RunTrades(run.name, run.trades, run.equity, run.refusals)


def test_a_replay_says_when_the_account_became_too_small_to_trade(tmp_path: Path) -> None:
    run = _too_small_run(tmp_path)
    assert run.trades and run.refusals
    last_entry = max(t.entry_time_ms for t in run.trades)
    assert all(r.kind == "size_below_minimum" for r in run.refusals if r.time_ms > last_entry)
    sentence = blocked_from(run)
    assert sentence is not None and "too small to trade" in sentence, sentence
    rows = refusal_rows([run])
    assert sum(int(r[2]) for r in rows) == len(run.refusals)
    assert any("below the exchange minimum" in r[1] for r in rows)


def test_a_signal_the_risk_book_refuses_is_counted_once(tmp_path: Path) -> None:
    """Past the daily trade cap the replay's probe refuses each candidate; the loop's own scan must not
    refuse the same candidates again (it was counted twice: 2 rows per minute-candidate)."""
    start = day_ms("2024-01-01")
    klines = falling_market(["AAAUSDT", "BBBUSDT"], days=3, start_ms=start)
    settings = settings_for(tmp_path, scanner={"min_volume_24h": 0.0}, risk={"max_trades_per_day": 2})
    market = BacktestMarket.build(klines)
    first = market.first_minute_from(start + DAY_MS)
    plan = model_plan(market, ScriptedModel(threshold=0.3, p_up=0.99), scanner_rules_from(settings),
                      signal_thresholds_from(settings), 10, trade_from_minute=first)
    run = run_plan_sync(settings, market, plan, tmp_path / "run", first).run
    capped = [r for r in run.refusals if r.kind == "max_trades_per_day"]
    assert capped
    keys = [(r.time_ms, r.symbol) for r in run.refusals]
    assert len(keys) == len(set(keys))
