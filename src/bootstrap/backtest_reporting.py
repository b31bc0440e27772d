"""A finished backtest -> its report folder: the figures, breakdowns and curves the report shows, and the
equity of every baseline and of buy-and-hold in their own sub-folders (the model's files keep their form).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from adapters.storage.backtest_report import ReportContent, write_equity_csv, write_report
from application.backtest import breakdown
from application.backtest.breakdown import RunTrades
from application.backtest.buy_and_hold import NAME as BUY_AND_HOLD
from application.backtest.buy_and_hold import buy_and_hold_curve
from application.backtest.summary import costs_rows, notes, summary_record, table_rows
from bootstrap import mapping
from bootstrap.backtest_wiring import BacktestResult, RunOutcome
from bootstrap.settings_model import Settings

TRADE_LIST_LIMIT = 1000


def _headline(main: RunOutcome, runs: list[RunTrades], outcomes: list[RunOutcome], quote: str) -> list[str]:
    lines = []
    if not main.run.trades:
        why = main.summary.no_trade_reason or "no signal became a trade"
        lines.append(f"The model did not trade ({why}). Its equity stays flat at "
                     f"{main.run.initial_capital:.2f} {quote}; the baselines and buy-and-hold below show the "
                     "same period.")
    for outcome in outcomes:
        stopped = outcome.run.stopped_reason or ""
        if stopped.startswith(("kill switch", "halted")):
            lines.append(f"{outcome.run.name}: trading stopped ({stopped}).")
    lines += [s for s in (breakdown.blocked_from(r) for r in runs) if s]
    return lines


def _dust_notes(outcomes: list[RunOutcome], quote: str) -> list[str]:
    return [f"{o.summary.name}: dust {o.summary.dust_usdt:.4f} {quote} of base assets left unsold by lot "
            f"steps and minimums (in equity at market; it cost {o.summary.dust_cost_usdt:.4f} {quote})"
            for o in outcomes if o.summary.dust_usdt > 0]


def write_backtest_report(settings: Settings, result: BacktestResult, folder: Path, title: str, *,
                          ev_gate: str | None = None,
                          extra_notes: Sequence[str] = ()) -> dict[str, Path]:
    """`ev_gate` (the gate's state, bootstrap.mapping.ev_gate_state) goes into every run's record and
    `extra_notes` before the report's own notes."""
    main, outcomes = result.main, [result.main, *result.baselines]
    quote = settings.trading.quote_asset
    summaries = [o.summary for o in outcomes]
    runs = [RunTrades(o.run.name, o.run.trades, o.run.equity, o.run.refusals) for o in outcomes]
    first = result.market.first_minute_from(main.run.start_ms)
    costs = mapping.trade_costs(settings)
    held = buy_and_hold_curve(result.market, first, main.run.initial_capital,
                              costs.entry_fee + costs.slippage_pct)
    for outcome in result.baselines:
        write_equity_csv(outcome.folder / "equity.csv", outcome.run.equity)
    if held:
        (folder / "buy-and-hold").mkdir(parents=True, exist_ok=True)
        write_equity_csv(folder / "buy-and-hold" / "equity.csv", held)
    curves = [(r.name, r.equity) for r in runs] + ([(BUY_AND_HOLD, held)] if held else [])
    sections = [
        ("Months (trades by the month they closed in)", breakdown.MONTH_HEADER, breakdown.by_month(runs),
         "no trade"),
        ("Pairs", ["run", "pair", *breakdown.GROUP_HEADER[2:]], breakdown.by_pair(runs), "no trade"),
        ("Exit reasons", ["run", "exit reason", *breakdown.GROUP_HEADER[2:]],
         breakdown.by_exit_reason(runs), "no trade"),
        ("Signals refused by the risk book, by reason", breakdown.REFUSAL_HEADER,
         breakdown.refusal_rows(runs), "the risk book refused no signal"),
        (f"Trades of the model run (the first {TRADE_LIST_LIMIT}; every one is in trades.csv)",
         breakdown.TRADE_HEADER, breakdown.trade_list(main.run.trades, TRADE_LIST_LIMIT),
         "the model made no trade"),
    ]
    return write_report(folder, ReportContent(
        title=title, start_ms=main.run.start_ms, end_ms=main.run.end_ms, equity=main.run.equity,
        run_names=[s.name for s in summaries], table=table_rows(summaries),
        records=[{**summary_record(s), **({"ev_gate": ev_gate} if ev_gate is not None else {})}
                 for s in summaries],
        notes=[*extra_notes, *notes(summaries), *_dust_notes(outcomes, quote)],
        costs=costs_rows(summaries), headline=_headline(main, runs, outcomes, quote), curves=curves,
        benchmark=BUY_AND_HOLD,
        monthly_change=[(name, breakdown.monthly_equity_change_pct(points)) for name, points in curves],
        returns=[(r.name, breakdown.trade_returns_pct(r.trades)) for r in runs], sections=sections,
        refusals=[(r.name, x.time_ms, x.symbol, x.reason) for r in runs for x in r.refusals],
        quote_asset=quote))
