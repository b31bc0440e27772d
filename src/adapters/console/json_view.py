"""The snapshot as JSON-ready dicts: the REST API's bodies and the dashboard's live frames."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from domain.position import CompletedTrade
from ports.console import BotSnapshot


def _clean(value: Any) -> Any:
    """NaN and infinities are not JSON: null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def trade_json(trade: CompletedTrade) -> dict[str, Any]:
    return {"symbol": trade.symbol, "entry_price": trade.entry_price, "exit_price": trade.exit_price,
            "quantity": trade.quantity, "entry_time_ms": trade.entry_time_ms,
            "exit_time_ms": trade.exit_time_ms, "fees_usdt": trade.fees_usdt,
            "exit_reason": trade.exit_reason.value, "pnl_usdt": trade.pnl_usdt, "pnl_pct": trade.pnl_pct}


def status_json(s: BotSnapshot) -> dict[str, Any]:
    status: dict[str, Any] = _clean({
        "mode": s.mode, "venue": s.venue, "now_ms": s.now_ms, "started_ms": s.started_ms,
        "uptime_sec": s.uptime_sec, "model_version": s.model_version,
        "ev_gate": {"enabled": s.ev_gate_margin_pct is not None, "margin_pct": s.ev_gate_margin_pct,
                    "closed_reason": s.gate_closed_reason, "model_closed": s.model_gate_closed},
        "entries_paused": s.entries_paused, "running": s.running, "stopped_reason": s.stopped_reason,
        "loop_stalled": s.loop_stalled, "healthy": s.healthy, "equity": s.equity,
        "quote_asset": s.quote_asset, "feed": asdict(s.feed), "trade_count": s.trade_count,
        "run_pnl_usdt": s.run_pnl_usdt, "run_wins": s.run_wins,
        "open_positions": len(s.positions), "kill_switch_active": s.risk.kill_switch_active})
    return status


def section_json(s: BotSnapshot, name: str) -> Any:
    """One part of the snapshot by its API name (positions, trades, risk, decisions, candidates...)."""
    parts: dict[str, Any] = {
        "status": lambda: status_json(s),
        "positions": lambda: [asdict(p) for p in s.positions],
        "trades": lambda: [trade_json(t) for t in reversed(s.trades)],  # the most recent first
        "risk": lambda: asdict(s.risk),
        "decisions": lambda: [asdict(d) for d in reversed(s.decisions)],
        "candidates": lambda: {"top": [asdict(c) for c in s.candidates],
                               "alerts": [asdict(a) for a in reversed(s.alerts)]},
        "equity": lambda: [[t, e] for t, e in s.equity_curve],
    }
    return _clean(parts[name]())


def snapshot_json(s: BotSnapshot) -> dict[str, Any]:
    """Everything the dashboard shows, in one frame."""
    return {name: section_json(s, name) for name in
            ("status", "positions", "trades", "risk", "decisions", "candidates", "equity")}
