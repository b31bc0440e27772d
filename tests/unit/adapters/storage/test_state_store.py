"""The SQLite state store: durable across a reopen, exactly-once trades, private files."""

from __future__ import annotations

import math
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from adapters.storage.state_store import SqliteStateStore
from domain.position import CompletedTrade, ExitPolicy, ExitReason, Position
from domain.trading_state import Ban, IntentState, OrderIntent, OrderPurpose, purpose_of
from domain.values import Side

POLICY = ExitPolicy(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_sec=300)
POSITION = Position("ABCUSDT", 1.0, 19.98, 1_000, 0.996, 1.003, 0.02, POLICY, oco_list_id=7, entry_order_id=3)
TRADE = CompletedTrade("ABCUSDT", 1.0, 1.003, 19.98, 1_000, 5_000, 0.04, ExitReason.TP)


def intent(client_id: str = "cse-ABCUSDT-1") -> OrderIntent:
    return OrderIntent(client_id, "ABCUSDT", Side.BUY, purpose_of(client_id), None, Decimal("20"), 1_000)


def test_everything_written_is_there_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state" / "live-x.sqlite"
    store = SqliteStateStore(path)
    store.record_intent(intent())
    store.record_intent(intent("cso-ABCUSDT-1"))
    store.record_outcome("cse-ABCUSDT-1", IntentState.FILLED, order_id=3, executed=Decimal("20"),
                         cumulative_quote=Decimal("20.0"))
    store.save_position(POSITION)
    store.save_risk({"version": 2, "kill_switch_reason": "drawdown"})
    store.save_dust({"ABCUSDT": (Decimal("0.004"), 1.0, 0.0001)})
    store.save_ban(Ban(9_000, "418"))
    assert store.record_trade("k1", TRADE, {"version": 2, "day_pnl": 0.02})
    store.close()

    again = SqliteStateStore(path)
    assert again.intent("cse-ABCUSDT-1") == OrderIntent(
        "cse-ABCUSDT-1", "ABCUSDT", Side.BUY, OrderPurpose.ENTRY, None, Decimal("20"), 1_000,
        IntentState.FILLED, 3, Decimal("20"), Decimal("20.0"))
    assert [i.client_id for i in again.unresolved_intents()] == ["cso-ABCUSDT-1"]
    assert again.unresolved_intents()[0].purpose is OrderPurpose.PROTECT
    assert again.positions() == [POSITION]
    assert again.risk() == {"version": 2, "day_pnl": 0.02}  # written with the trade, in its transaction
    assert again.dust() == {"ABCUSDT": (Decimal("0.004"), 1.0, 0.0001)}
    assert again.ban() == Ban(9_000, "418")
    assert again.trades() == [TRADE] and again.unexported_trades() == [("k1", TRADE)]


def test_a_trade_is_recorded_once_and_a_retried_intent_keeps_its_first_record(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite")
    assert store.record_trade("k1", TRADE)
    assert not store.record_trade("k1", TRADE, {"version": 2})
    assert store.trades() == [TRADE] and store.risk() is None
    store.mark_exported("k1")
    assert store.unexported_trades() == [] and store.has_trade("k1")
    store.record_intent(intent())
    store.record_outcome("cse-ABCUSDT-1", IntentState.ACKNOWLEDGED, order_id=4)
    store.record_intent(intent())  # a retry with the same client id
    assert store.intent("cse-ABCUSDT-1").state is IntentState.ACKNOWLEDGED  # type: ignore[union-attr]
    store.drop_position("ABCUSDT")
    assert store.positions() == []


def test_the_folder_and_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "paper.sqlite"
    store = SqliteStateStore(path)
    store.record_intent(intent())
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_an_id_whose_order_never_existed_is_pending_again_when_sent_anew(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite")
    store.record_intent(intent())
    store.record_intent(intent("cso-ABCUSDT-1"))
    store.record_outcome("cse-ABCUSDT-1", IntentState.NOT_SENT)
    store.record_intent(intent())  # the same id, sent by a later run
    assert store.intent("cse-ABCUSDT-1").state is IntentState.PENDING  # type: ignore[union-attr]
    assert [i.client_id for i in store.intents_for("ABCUSDT")] == ["cso-ABCUSDT-1", "cse-ABCUSDT-1"]


def test_a_position_keeps_the_models_promise_across_a_reopen(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "state.sqlite")
    store.save_position(replace(POSITION, expected_net_return_pct=0.12))
    store.save_position(replace(POSITION, symbol="XYZUSDT"))  # unknown: NaN, written as such
    store.close()
    again = SqliteStateStore(tmp_path / "state.sqlite").positions()
    assert again[0].expected_net_return_pct == 0.12 and math.isnan(again[1].expected_net_return_pct)
    assert again[1] == replace(POSITION, symbol="XYZUSDT")  # a NaN promise does not break equality
