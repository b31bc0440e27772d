"""The trade history on disk (spec 4.9): one CSV row and one JSON line per completed trade.

Both files are only ever appended to, one trade at a time, flushed and fsynced before `record` returns,
so a crash loses at most the trade being written. A line torn by a crash is left where it is (the file
is never rewritten): the next record starts on a fresh line, and `trades()` skips and reports it.
The JSON lines are the source of truth read back; the CSV is for people and spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from loguru import logger

from adapters.storage.private_files import check_writable, make_private_folder, private_opener
from domain.position import CompletedTrade, ExitReason

CSV_COLUMNS = ("timestamp", "symbol", "side", "entry_price", "exit_price", "quantity", "pnl_usdt", "pnl_pct",
               "duration_sec", "exit_reason", "fees")
SCHEMA_VERSION = 1
_EXACT_UNTIL_MS = 2**32 * 1000  # seconds whose float still has sub-microsecond steps (2106-02-07)
# One encoder for every line: `json.dumps` with options builds a new one per call.
_JSON_LINE = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


@lru_cache(maxsize=16)  # each trade asks for its entry time twice (CSV and JSON), a re-entry its exit's
def iso_utc(time_ms: int) -> str:
    """`datetime.fromtimestamp(time_ms / 1000, UTC).isoformat(timespec="milliseconds")`, the date part
    built once per day (a backtest journals thousands of trades over a few days). Up to 2106 the float
    of `time_ms / 1000` rounds back to the exact millisecond, so the two agree; beyond, the original."""
    if not 0 <= time_ms < _EXACT_UNTIL_MS:
        return datetime.fromtimestamp(time_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    day, ms = divmod(time_ms, 86_400_000)
    seconds, ms = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{_iso_day(day)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}+00:00"


@lru_cache(maxsize=64)
def _iso_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, tz=UTC).date().isoformat()


def csv_row(trade: CompletedTrade) -> list[str]:
    return [iso_utc(trade.entry_time_ms), trade.symbol, "BUY", repr(trade.entry_price),
            repr(trade.exit_price), repr(trade.quantity), f"{trade.pnl_usdt:.8f}", f"{trade.pnl_pct:.4f}",
            f"{trade.duration_sec:.3f}", trade.exit_reason.value, f"{trade.fees_usdt:.8f}"]


def json_record(trade: CompletedTrade) -> dict[str, Any]:
    return {"schema": SCHEMA_VERSION, "symbol": trade.symbol, "side": "BUY",
            "entry_price": trade.entry_price, "exit_price": trade.exit_price, "quantity": trade.quantity,
            "entry_time_ms": trade.entry_time_ms, "exit_time_ms": trade.exit_time_ms,
            "entry_time": iso_utc(trade.entry_time_ms), "exit_time": iso_utc(trade.exit_time_ms),
            "fees_usdt": trade.fees_usdt, "exit_reason": trade.exit_reason.value,
            "pnl_usdt": trade.pnl_usdt, "pnl_pct": trade.pnl_pct, "duration_sec": trade.duration_sec}


def trade_from_json(data: dict[str, Any]) -> CompletedTrade:
    return CompletedTrade(
        symbol=str(data["symbol"]), entry_price=float(data["entry_price"]),
        exit_price=float(data["exit_price"]),
        quantity=float(data["quantity"]), entry_time_ms=int(data["entry_time_ms"]),
        exit_time_ms=int(data["exit_time_ms"]), fees_usdt=float(data["fees_usdt"]),
        exit_reason=ExitReason(data["exit_reason"]))


def _append_durably(path: Path, text: str, header: str | None, durable: bool, *,
                    ends_clean: bool = False) -> None:
    """`ends_clean`: this process wrote the file's last line whole (no torn line to step over)."""
    if not ends_clean:
        make_private_folder(path.parent)
    with open(path, "ab", opener=private_opener) as file:
        if file.tell() == 0:
            prefix = header or ""
        elif ends_clean:
            prefix = ""
        else:
            with path.open("rb") as reader:  # a crash may have torn the last line: start a fresh one
                reader.seek(-1, os.SEEK_END)
                prefix = "" if reader.read(1) == b"\n" else "\n"
        file.write((prefix + text).encode("utf-8"))
        file.flush()
        if durable:
            os.fsync(file.fileno())


class CsvJsonTradeJournal:
    """ports.journal.TradeJournal on two append-only files. `durable=False` skips the fsync (backtests,
    where thousands of trades are replayed and a crash just means running again). Both paths are proven
    writable when the journal is built (folders 0700; files 0600 when the first trade creates them), so an
    unwritable path stops the start, not a trade."""

    def __init__(self, csv_path: Path, jsonl_path: Path, *, durable: bool = True) -> None:
        self.csv_path = Path(csv_path)
        self.jsonl_path = Path(jsonl_path)
        for path in (self.jsonl_path, self.csv_path):
            check_writable(path, "trade journal")
        self.durable = durable
        self.problems: list[str] = []  # what the last trades() call skipped, and why
        # Without fsync (a backtest) the files are only ours while it runs: once a record is written
        # whole, the next one needs no look at the file's last byte.
        self._written: set[Path] = set()

    def record(self, trade: CompletedTrade) -> None:
        self.record_many((trade,))

    def record_many(self, trades: Sequence[CompletedTrade]) -> None:
        """Append several trades in one write per file (a backtest's, journaled once it ends): the same
        bytes as recording them one by one."""
        if not trades:
            return
        lines, buffer = [], io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for trade in trades:
            numbers = (trade.entry_price, trade.exit_price, trade.quantity, trade.fees_usdt)
            if not all(math.isfinite(x) for x in numbers):
                raise ValueError(f"refusing to journal a trade with a non-finite number: {trade!r}")
            lines.append(_JSON_LINE.encode(json_record(trade)) + "\n")
            writer.writerow(csv_row(trade))
        header = ",".join(CSV_COLUMNS) + "\n"
        for path, text, head in ((self.jsonl_path, "".join(lines), None),
                                 (self.csv_path, buffer.getvalue(), header)):
            _append_durably(path, text, head, self.durable, ends_clean=path in self._written)
            if not self.durable:
                self._written.add(path)

    def trades(self) -> Sequence[CompletedTrade]:
        """Every trade in the JSON lines, in file order. Unreadable lines are skipped and reported."""
        self.problems = []
        if not self.jsonl_path.exists():
            return []
        found: list[CompletedTrade] = []
        with self.jsonl_path.open("r", encoding="utf-8", errors="replace") as file:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                try:
                    found.append(trade_from_json(json.loads(line)))
                except (ValueError, KeyError, TypeError) as exc:
                    torn = "" if line.endswith("\n") else " (torn last line: the process stopped mid-write)"
                    self.problems.append(f"{self.jsonl_path}:{number}: skipped{torn}: {exc}")
        for problem in self.problems:
            logger.warning("trade journal: {}", problem)
        return found
