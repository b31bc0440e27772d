"""The Telegram commands' answers, as plain text from one snapshot (no Telegram here: tested alone)."""

from __future__ import annotations

from ports.console import BotSnapshot


def status_text(s: BotSnapshot) -> str:
    state = "trading" if s.running and not s.entries_paused else \
        "entries paused" if s.running else f"stopped: {s.stopped_reason}"
    lines = [f"{s.mode} on {s.venue}: {state}; model {s.model_version}"]
    for p in s.positions:
        pnl = p.unrealized_pnl_usdt
        unrealized = "" if pnl is None else f", {pnl:+.4f} {s.quote_asset}"
        protection = f"OCO {p.oco_list_id}" if p.oco_list_id >= 0 else "NOT protected"
        lines.append(f"{p.symbol} {p.quantity:g} @ {p.entry_price:.8g}{unrealized} ({protection})")
    if not s.positions:
        lines.append("no open position")
    if s.risk.kill_switch_active:
        lines.append(f"KILL SWITCH: {s.risk.kill_switch_reason}")
    return "\n".join(lines)


def profit_text(s: BotSnapshot) -> str:
    rate = f"{s.run_wins / s.trade_count:.0%}" if s.trade_count else "n/a"
    return (f"{s.trade_count} trade(s) since start, {s.run_wins} won ({rate}); net PnL "
            f"{s.run_pnl_usdt:+.4f} {s.quote_asset}")


def daily_text(s: BotSnapshot) -> str:
    r = s.risk
    return (f"today (UTC): {r.trades_today} trade(s), PnL {r.daily_pnl_usdt:+.4f} {s.quote_asset} "
            f"(loss limit -{r.daily_loss_limit_usdt:.2f}); {r.trades_last_hour} in the last hour")


def balance_text(s: BotSnapshot) -> str:
    return (f"equity {s.equity:.2f} {s.quote_asset} (peak {s.risk.peak_equity:.2f}, drawdown "
            f"{s.risk.drawdown:.1%}); {len(s.positions)} position(s) open")
