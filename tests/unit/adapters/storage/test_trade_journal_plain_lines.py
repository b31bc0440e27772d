"""plain_lines (the journal's fast path) gives the very bytes of the general path: json_record through the
encoder, csv_row through csv.writer; anything it cannot vouch for goes to the general path."""

from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path

import numpy as np
import pytest

from adapters.storage.trade_journal import _JSON_LINE, CsvJsonTradeJournal, csv_row, json_record, plain_lines
from domain.position import CompletedTrade, ExitReason

ODD_FLOATS = (0.0, -0.0, 1e-7, 1.5e-5, 0.1, 1e16, 1.2345678901234567e22, 5e-324, 1.7976931348623157e300)


def general_lines(trade: CompletedTrade) -> tuple[str, str]:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(csv_row(trade))
    return _JSON_LINE.encode(json_record(trade)) + "\n", buffer.getvalue()


def random_trades(count: int) -> list[CompletedTrade]:
    rng = random.Random(17)

    def number() -> float:
        return rng.choice(ODD_FLOATS) if rng.random() < 0.2 else rng.uniform(0, 10) ** rng.uniform(-6, 6)

    trades = []
    for _ in range(count):
        entry_ms = rng.randrange(0, 2**32 * 1000 + 10**6)
        trades.append(CompletedTrade(rng.choice(("BTCUSDT", "1000SATSUSDT", "ETHBTC")), number(), number(),
                                     number(), entry_ms, entry_ms + rng.randrange(0, 10**8), number(),
                                     rng.choice(list(ExitReason))))
    return trades


def test_plain_lines_are_the_bytes_of_the_encoder_and_the_csv_writer() -> None:
    checked = 0
    for trade in random_trades(3000):
        try:
            expected = general_lines(trade)
        except ValueError:  # a PnL out of range: the encoder refuses it, and so must the journal
            assert plain_lines(trade) is None, trade
        else:
            assert plain_lines(trade) == expected, trade
            checked += 1
    assert checked > 2500


@pytest.mark.parametrize("trade", [
    CompletedTrade("BTC,USDT", 1.0, 2.0, 3.0, 0, 1000, 0.1, ExitReason.TP),  # CSV would quote it
    CompletedTrade('BT"C', 1.0, 2.0, 3.0, 0, 1000, 0.1, ExitReason.TP),  # JSON would escape it
    CompletedTrade("BTCÜSDT", 1.0, 2.0, 3.0, 0, 1000, 0.1, ExitReason.TP),  # JSON would escape it
    CompletedTrade("BTCUSDT", np.float64(1.0), 2.0, 3.0, 0, 1000, 0.1, ExitReason.TP),  # repr differs
    CompletedTrade("BTCUSDT", 1.0, 2.0, 3.0, True, 1000, 0.1, ExitReason.TP),  # JSON writes true
    CompletedTrade("BTCUSDT", 1.0, 20.0, 1e308, 0, 1000, 0.1, ExitReason.TP),  # PnL overflows
    CompletedTrade("BTCUSDT", math.nan, 2.0, 3.0, 0, 1000, 0.1, ExitReason.TP),
])
def test_anything_else_takes_the_general_path(trade: CompletedTrade) -> None:
    assert plain_lines(trade) is None


def test_the_general_path_still_writes_an_odd_symbol(tmp_path: Path) -> None:
    journal = CsvJsonTradeJournal(tmp_path / "t.csv", tmp_path / "t.jsonl", durable=False)
    odd = CompletedTrade("BTC,USDT", 1.0, 2.0, 3.0, 0, 1000, 0.1, ExitReason.TP)
    plain = CompletedTrade("ETHUSDT", 1.0, 2.0, 3.0, 0, 1000, 0.1, ExitReason.SL)
    journal.record_many([odd, plain])
    assert (tmp_path / "t.jsonl").read_text() == general_lines(odd)[0] + general_lines(plain)[0]
    csv_text = (tmp_path / "t.csv").read_text()
    assert csv_text.endswith(general_lines(odd)[1] + general_lines(plain)[1])
    assert '"BTC,USDT"' in csv_text


def test_iso_utc_is_what_datetime_writes_at_random_times() -> None:
    from datetime import UTC, datetime

    from adapters.storage.trade_journal import iso_utc

    rng = random.Random(29)
    for _ in range(3000):
        time_ms = rng.randrange(0, 2**32 * 1000)
        assert iso_utc(time_ms) == datetime.fromtimestamp(time_ms / 1000, tz=UTC).isoformat(
            timespec="milliseconds"), time_ms
