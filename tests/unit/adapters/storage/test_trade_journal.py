"""CsvJsonTradeJournal: spec 4.9 CSV columns, JSON lines read back, append-only, survives a torn line."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.storage.trade_journal import CsvJsonTradeJournal
from domain.position import CompletedTrade, ExitReason
from ports.journal import TradeJournal

ENTRY_MS = 1_705_329_135_123  # 2024-01-15T14:32:15.123Z
SPEC_COLUMNS = ("timestamp,symbol,side,entry_price,exit_price,quantity,pnl_usdt,pnl_pct,duration_sec,"
                "exit_reason,fees")


def a_trade(symbol: str = "BTCUSDT", exit_price: float = 42280.0, reason: ExitReason = ExitReason.TP,
            entry_ms: int = ENTRY_MS) -> CompletedTrade:
    return CompletedTrade(symbol, 42150.0, exit_price, 0.00025, entry_ms, entry_ms + 127_000, 0.0211, reason)


@pytest.fixture
def journal(tmp_path: Path) -> CsvJsonTradeJournal:
    return CsvJsonTradeJournal(tmp_path / "logs" / "trades.csv", tmp_path / "logs" / "trades.jsonl")


def test_it_is_a_trade_journal(journal: CsvJsonTradeJournal) -> None:
    port: TradeJournal = journal
    assert port.trades() == []


def test_csv_has_the_spec_columns_and_one_row_per_trade(journal: CsvJsonTradeJournal) -> None:
    journal.record(a_trade())
    journal.record(a_trade("ETHUSDT", 42100.0, ExitReason.SL))
    lines = journal.csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == SPEC_COLUMNS
    assert len(lines) == 3
    rows = list(csv.DictReader(lines))
    first = rows[0]
    assert datetime.fromisoformat(first["timestamp"]) == datetime.fromtimestamp(ENTRY_MS / 1000, tz=UTC)
    assert (first["symbol"], first["side"], first["exit_reason"]) == ("BTCUSDT", "BUY", "TP")
    assert float(first["entry_price"]) == 42150.0 and float(first["exit_price"]) == 42280.0
    assert float(first["quantity"]) == 0.00025
    net = (42280.0 - 42150.0) * 0.00025 - 0.0211
    assert float(first["pnl_usdt"]) == pytest.approx(net, abs=1e-8)
    assert float(first["pnl_pct"]) == pytest.approx(net / (42150.0 * 0.00025) * 100, abs=1e-4)
    assert float(first["duration_sec"]) == 127.0 and float(first["fees"]) == pytest.approx(0.0211)
    assert rows[1]["exit_reason"] == "SL" and float(rows[1]["pnl_usdt"]) < 0


def test_json_lines_hold_every_field_and_read_back_equal(journal: CsvJsonTradeJournal) -> None:
    trades = [a_trade(), a_trade("ETHUSDT", 42000.0, ExitReason.TIMEOUT, ENTRY_MS + 1)]
    for t in trades:
        journal.record(t)
    assert list(journal.trades()) == trades
    record = json.loads(journal.jsonl_path.read_text(encoding="utf-8").splitlines()[0])
    assert record["entry_time_ms"] == ENTRY_MS and record["exit_time_ms"] == ENTRY_MS + 127_000
    assert record["exit_reason"] == "TP" and record["fees_usdt"] == 0.0211


def test_a_new_journal_appends_and_never_repeats_the_header(tmp_path: Path) -> None:
    paths = (tmp_path / "t.csv", tmp_path / "t.jsonl")
    CsvJsonTradeJournal(*paths).record(a_trade())
    before = paths[0].read_bytes()
    reopened = CsvJsonTradeJournal(*paths)  # a restart
    reopened.record(a_trade("ETHUSDT"))
    after = paths[0].read_bytes()
    assert after.startswith(before)
    assert after.decode().count("timestamp,") == 1
    assert [t.symbol for t in reopened.trades()] == ["BTCUSDT", "ETHUSDT"]


def test_an_empty_existing_csv_gets_the_header(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("")
    journal = CsvJsonTradeJournal(tmp_path / "t.csv", tmp_path / "t.jsonl")
    journal.record(a_trade())
    assert journal.csv_path.read_text().startswith(SPEC_COLUMNS + "\n")


def test_a_torn_last_line_is_reported_kept_and_followed_by_a_clean_record(
        journal: CsvJsonTradeJournal) -> None:
    journal.record(a_trade())
    with journal.jsonl_path.open("a", encoding="utf-8") as file:  # the process died mid-write
        file.write('{"schema":1,"symbol":"ETHUS')
    with journal.csv_path.open("a", encoding="utf-8") as file:
        file.write("2024-01-15T14:40:00.000+00:00,ETHUS")
    survivors = journal.trades()
    assert [t.symbol for t in survivors] == ["BTCUSDT"]
    assert len(journal.problems) == 1 and "torn last line" in journal.problems[0]
    torn_bytes = journal.jsonl_path.read_bytes()

    journal.record(a_trade("SOLUSDT"))  # after the restart
    assert journal.jsonl_path.read_bytes().startswith(torn_bytes)  # never rewritten
    assert [t.symbol for t in journal.trades()] == ["BTCUSDT", "SOLUSDT"]
    assert len(journal.problems) == 1 and "torn last line" not in journal.problems[0]  # complete now
    csv_rows = list(csv.reader(journal.csv_path.read_text().splitlines()))
    assert csv_rows[-1][1] == "SOLUSDT" and len(csv_rows[-1]) == 11


def test_a_trade_with_a_non_finite_number_is_refused_before_anything_is_written(
        journal: CsvJsonTradeJournal) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        journal.record(replace(a_trade(), exit_price=math.nan))
    assert not journal.jsonl_path.exists() and not journal.csv_path.exists()


def test_each_record_is_flushed_and_fsynced(journal: CsvJsonTradeJournal,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr("adapters.storage.trade_journal.os.fsync", synced.append)
    journal.record(a_trade())
    assert len(synced) == 2  # JSON line and CSV row
    # Visible to another reader at once, before any close or exit.
    assert "BTCUSDT" in journal.csv_path.read_text()


def test_a_non_durable_journal_skips_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr("adapters.storage.trade_journal.os.fsync", synced.append)
    CsvJsonTradeJournal(tmp_path / "t.csv", tmp_path / "t.jsonl", durable=False).record(a_trade())
    assert synced == []


def test_a_non_durable_journal_steps_over_a_torn_line_it_found_then_appends_whole_records(
        tmp_path: Path) -> None:
    journal = CsvJsonTradeJournal(tmp_path / "t.csv", tmp_path / "t.jsonl", durable=False)
    journal.jsonl_path.write_text('{"schema":1,"symbol":"ETHUS', encoding="utf-8")  # an earlier crash
    for symbol in ("BTCUSDT", "SOLUSDT", "ADAUSDT"):
        journal.record(a_trade(symbol))
    assert [t.symbol for t in journal.trades()] == ["BTCUSDT", "SOLUSDT", "ADAUSDT"]
    rows = list(csv.reader(journal.csv_path.read_text().splitlines()))
    assert [r[1] for r in rows] == ["symbol", "BTCUSDT", "SOLUSDT", "ADAUSDT"]


@pytest.mark.parametrize("durable", [True, False])
def test_many_trades_in_one_write_are_the_bytes_of_one_write_each(tmp_path: Path, durable: bool) -> None:
    trades = [a_trade("BTCUSDT"), a_trade("ETHUSDT", 41000.0, ExitReason.SL), a_trade("SOLUSDT")]
    one_by_one = CsvJsonTradeJournal(tmp_path / "a.csv", tmp_path / "a.jsonl", durable=durable)
    for trade in trades:
        one_by_one.record(trade)
    at_once = CsvJsonTradeJournal(tmp_path / "b.csv", tmp_path / "b.jsonl", durable=durable)
    at_once.record_many(trades[:2])
    at_once.record_many([])
    at_once.record_many(trades[2:])
    for a, b in (("a.csv", "b.csv"), ("a.jsonl", "b.jsonl")):
        assert (tmp_path / a).read_bytes() == (tmp_path / b).read_bytes()
    assert at_once.trades() == trades


def test_times_are_written_as_datetime_writes_them() -> None:
    from adapters.storage.trade_journal import iso_utc
    for time_ms in (0, 999, ENTRY_MS, 1_735_689_599_999, 1_735_689_600_000, -1, 2**32 * 1000 - 1,
                    2**32 * 1000, 253_402_300_799_999):
        expected = datetime.fromtimestamp(time_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
        assert iso_utc(time_ms) == expected, time_ms


def test_times_at_random_instants_are_written_as_datetime_writes_them() -> None:
    import random

    from adapters.storage.trade_journal import iso_utc
    rng = random.Random(29)
    for _ in range(3000):
        time_ms = rng.randrange(0, 2**32 * 1000)
        expected = datetime.fromtimestamp(time_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
        assert iso_utc(time_ms) == expected, time_ms
