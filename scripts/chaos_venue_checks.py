"""The checks of `scripts/chaos --venue` (chaos_venue.py): the venue's full history (fills, orders, account)
against the bot's state store and trade journal."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.simulated.venue.trading import TradingVenue
from domain.values import Side


def venue_round_trips(venue: TradingVenue) -> tuple[list[tuple[str, int, int]], list[str], int]:
    """From the venue's fills: (symbol, entry time, exit time or -1) per round trip, symbols held at the
    end above minNotional, and the most symbols held at once."""
    engine = venue.desk.engine
    held: dict[str, Decimal] = {}
    trips: list[tuple[str, int, int]] = []
    open_trip: dict[str, int] = {}
    most = 0
    for record in sorted(engine.trades, key=lambda r: r.time_ms):
        rules, fill = engine.rules[record.symbol], record.fill
        signed = fill.quantity if record.side is Side.BUY else -fill.quantity
        if fill.commission_asset == rules.base_asset:
            signed -= fill.commission
        held[record.symbol] = held.get(record.symbol, Decimal(0)) + signed
        big = held[record.symbol] * fill.price >= rules.min_notional
        if big and record.symbol not in open_trip:
            open_trip[record.symbol] = record.time_ms
        elif not big and record.symbol in open_trip:
            trips.append((record.symbol, open_trip.pop(record.symbol), record.time_ms))
        most = max(most, len(open_trip))
    trips.extend((symbol, entry, -1) for symbol, entry in open_trip.items())
    return trips, sorted(open_trip), most


def naked_holdings(venue: TradingVenue, held_before_ms: int | None = None) -> list[str]:
    """Base assets whose FREE (not locked in an order) amount is worth minNotional or more; with
    `held_before_ms`, only those whose last buy was before then."""
    engine, naked = venue.desk.engine, []
    last_buy = {r.symbol: r.time_ms for r in engine.trades if r.side is Side.BUY}
    for symbol, rules in engine.rules.items():
        if held_before_ms is not None and last_buy.get(symbol, 0) >= held_before_ms:
            continue
        price = engine.market(symbol).current_price()
        free = engine.accounts.free(rules.base_asset)
        if free > 0 and price is not None and free * price >= rules.min_notional:
            naked.append(f"{symbol} {free} free")
    return naked


def check(venue: TradingVenue, folder: Path, max_open: int, stopped_ms: int) -> dict[str, Any]:
    engine = venue.desk.engine
    orders = [o for symbol in engine.rules for o in engine.all_orders(symbol)]
    ids = [o.client_order_id for o in orders]
    trips, held, most = venue_round_trips(venue)
    journal = [json.loads(line) for line in (folder / "trades.jsonl").read_text().splitlines() if line] \
        if (folder / "trades.jsonl").exists() else []
    done = [(s, entry) for s, entry, exit_ms in trips if 0 <= exit_ms <= stopped_ms]
    counts, strays = _match(trips, journal)
    lost = [trip for trip in done if counts.get(trip, 0) == 0]
    doubled = [trip for trip, n in counts.items() if n > 1]
    stores = list((folder / "state").glob("live-*.sqlite"))
    stored = _stored_positions(stores[0]) if stores else []
    return {"orders on the venue": len(orders), "round trips completed on the venue": len(done),
            "round trips journaled": len(journal), "lost round trips": len(lost), "lost": lost[:5],
            "journaled twice": len(doubled),
            "journaled without a venue round trip": len(strays),
            "duplicate client ids": len(ids) - len(set(ids)),
            "positions without protection": len(naked := naked_holdings(venue)), "naked": naked,
            "held at the end": held, "positions in the store": stored,
            "held but not in the store": sorted(set(held) - set(stored)),
            "most open at once": most, "max_open_positions": max_open}


def _match(trips: list[tuple[str, int, int]], journal: list[dict[str, Any]],
           tolerance_ms: int = 3000) -> tuple[dict[tuple[str, int], int], list[dict[str, Any]]]:
    """Each journal record to the venue round trip of its symbol whose first fill is nearest its entry
    time (the bot's clock is the venue's through a sync: a few ms apart, never seconds)."""
    counts: dict[tuple[str, int], int] = {}
    strays = []
    for record in journal:
        entry = int(record["entry_time_ms"])
        near = [(abs(t - entry), (s, t)) for s, t, _ in trips if s == record["symbol"]]
        best = min(near, default=None)
        if best is None or best[0] > tolerance_ms:
            strays.append(record)
        else:
            counts[best[1]] = counts.get(best[1], 0) + 1
    return counts, strays


def _stored_positions(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "positions" not in tables:
            return []
        return sorted(row[0] for row in db.execute("SELECT symbol FROM positions"))


def failures(result: dict[str, Any]) -> list[str]:
    if "error" in result:
        return [result["error"]]
    problems = [name for name in ("lost round trips", "journaled twice",
                                  "journaled without a venue round trip", "duplicate client ids",
                                  "positions without protection") if result[name]]
    if result["naked after a recovery"]:
        problems.append("naked after a recovery")
    if result["held but not in the store"]:
        problems.append("held but not in the store")
    if result["most open at once"] > result["max_open_positions"]:
        problems.append("most open at once")
    return problems
