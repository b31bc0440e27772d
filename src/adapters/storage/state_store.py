"""ports.state_store.StateStore on SQLite (stdlib sqlite3): one file per mode and account.

WAL journal and synchronous=FULL: every call that writes commits one transaction, on disk when it
returns, so an order intent is durable before its order leaves and a kill -9 loses nothing committed.
The folder is created 0700 and the files 0600 (the store names the account's orders and balances).
`":memory:"` gives a private in-memory store (tests, rehearsals).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.position import CompletedTrade, ExitPolicy, ExitReason, Position
from domain.trading_state import Ban, IntentState, OrderIntent, OrderPurpose
from domain.values import Side
from ports.state_store import StoredLot

SCHEMA = """
CREATE TABLE IF NOT EXISTS intents (
    client_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, side TEXT NOT NULL, purpose TEXT NOT NULL,
    quantity TEXT, quote_quantity TEXT, created_ms INTEGER NOT NULL, state TEXT NOT NULL,
    order_id INTEGER NOT NULL DEFAULT -1, executed TEXT NOT NULL DEFAULT '0',
    cumulative_quote TEXT NOT NULL DEFAULT '0', seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS intents_by_state ON intents (state);
CREATE INDEX IF NOT EXISTS intents_by_symbol ON intents (symbol);
CREATE TABLE IF NOT EXISTS positions (symbol TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trades (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL, exported INTEGER NOT NULL DEFAULT 0);
"""
_UNRESOLVED = (IntentState.PENDING.value, IntentState.ACKNOWLEDGED.value)
_INTENT_COLUMNS = ("client_id, symbol, side, purpose, quantity, quote_quantity, created_ms, state, order_id, "
                   "executed, cumulative_quote")


@contextmanager
def _private_files() -> Iterator[None]:
    """Files created meanwhile (the database, its -wal and -shm) are readable by their owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _position_from(body: str) -> Position:
    data = json.loads(body)
    data["policy"] = ExitPolicy(**data["policy"])
    return Position(**data)


def _trade_from(body: str) -> CompletedTrade:
    data = json.loads(body)
    data["exit_reason"] = ExitReason(data["exit_reason"])
    return CompletedTrade(**data)


class SqliteStateStore:
    def __init__(self, path: Path | str) -> None:
        self.path = path
        with _private_files():
            if str(path) != ":memory:":
                folder = Path(path).parent
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        self._seq = int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM intents").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- orders -----------------------------------------------------------------------------------------
    def record_intent(self, intent: OrderIntent) -> None:
        """A retry (same client id) keeps the first record, unless that order never existed (NOT_SENT,
        REJECTED): then this is a new attempt with that id, pending again, ordered after everything."""
        self._seq += 1
        with self._transaction() as db:
            db.execute(f"INSERT INTO intents ({_INTENT_COLUMNS}, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT (client_id) DO UPDATE SET state = excluded.state, seq = excluded.seq, "
                       "created_ms = excluded.created_ms, quantity = excluded.quantity, "
                       "quote_quantity = excluded.quote_quantity WHERE intents.state IN (?, ?)",
                       (intent.client_id, intent.symbol, intent.side.value, intent.purpose.value,
                        None if intent.quantity is None else str(intent.quantity),
                        None if intent.quote_quantity is None else str(intent.quote_quantity),
                        intent.created_ms, intent.state.value, intent.order_id, str(intent.executed),
                        str(intent.cumulative_quote), self._seq, IntentState.NOT_SENT.value,
                        IntentState.REJECTED.value))

    def record_outcome(self, client_id: str, state: IntentState, *, order_id: int = -1,
                       executed: Decimal = Decimal(0), cumulative_quote: Decimal = Decimal(0)) -> None:
        with self._transaction() as db:
            db.execute("UPDATE intents SET state = ?, order_id = CASE WHEN ? >= 0 THEN ? ELSE order_id END, "
                       "executed = ?, cumulative_quote = ? WHERE client_id = ?",
                       (state.value, order_id, order_id, str(executed), str(cumulative_quote), client_id))

    def intent(self, client_id: str) -> OrderIntent | None:
        rows = self._intents("WHERE client_id = ?", (client_id,))
        return rows[0] if rows else None

    def unresolved_intents(self) -> Sequence[OrderIntent]:
        return self._intents("WHERE state IN (?, ?)", _UNRESOLVED)

    def intents_for(self, symbol: str) -> Sequence[OrderIntent]:
        return self._intents("WHERE symbol = ?", (symbol,))

    def _intents(self, where: str, args: tuple[object, ...]) -> list[OrderIntent]:
        rows = self._db.execute(f"SELECT {_INTENT_COLUMNS} FROM intents {where} ORDER BY seq", args)
        return [OrderIntent(r[0], r[1], Side(r[2]), OrderPurpose(r[3]), _dec(r[4]), _dec(r[5]), int(r[6]),
                            IntentState(r[7]), int(r[8]), Decimal(r[9]), Decimal(r[10])) for r in rows]

    # -- positions --------------------------------------------------------------------------------------
    def save_position(self, position: Position) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO positions (symbol, body) VALUES (?, ?)",
                       (position.symbol, json.dumps(asdict(position))))

    def drop_position(self, symbol: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM positions WHERE symbol = ?", (symbol,))

    def positions(self) -> Sequence[Position]:
        rows = self._db.execute("SELECT body FROM positions ORDER BY symbol")
        return [_position_from(body) for (body,) in rows]

    # -- risk, dust, bans -------------------------------------------------------------------------------
    def save_risk(self, snapshot: Mapping[str, Any]) -> None:
        self._put("risk", dict(snapshot))

    def risk(self) -> Mapping[str, Any] | None:
        value = self._get("risk")
        return value if isinstance(value, dict) else None

    def save_dust(self, lots: Mapping[str, StoredLot]) -> None:
        self._put("dust", {s: [str(q), price, fee] for s, (q, price, fee) in lots.items()})

    def dust(self) -> Mapping[str, StoredLot]:
        value = self._get("dust") or {}
        return {s: (Decimal(q), float(price), float(fee)) for s, (q, price, fee) in value.items()}

    def save_ban(self, ban: Ban) -> None:
        self._put("ban", {"until_ms": ban.until_ms, "reason": ban.reason})

    def ban(self) -> Ban | None:
        value = self._get("ban")
        return None if value is None else Ban(int(value["until_ms"]), str(value["reason"]))

    def _put(self, key: str, value: object) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO kv (key, body) VALUES (?, ?)", (key, json.dumps(value)))

    def _get(self, key: str) -> Any:
        row = self._db.execute("SELECT body FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    # -- trades -----------------------------------------------------------------------------------------
    def record_trade(self, key: str, trade: CompletedTrade, risk: Mapping[str, Any] | None = None) -> bool:
        with self._transaction() as db:
            added = db.execute("INSERT OR IGNORE INTO trades (key, body) VALUES (?, ?)",
                               (key, json.dumps(asdict(trade)))).rowcount == 1
            if added and risk is not None:
                db.execute("INSERT OR REPLACE INTO kv (key, body) VALUES ('risk', ?)",
                           (json.dumps(dict(risk)),))
        return added

    def has_trade(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM trades WHERE key = ?", (key,)).fetchone() is not None

    def unexported_trades(self) -> Sequence[tuple[str, CompletedTrade]]:
        rows = self._db.execute("SELECT key, body FROM trades WHERE exported = 0 ORDER BY seq")
        return [(key, _trade_from(body)) for key, body in rows]

    def mark_exported(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE trades SET exported = 1 WHERE key = ?", (key,))

    def trades(self) -> Sequence[CompletedTrade]:
        return [_trade_from(body) for (body,) in self._db.execute("SELECT body FROM trades ORDER BY seq")]
