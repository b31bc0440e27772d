"""Where things are: Binance's public archive layout, and the local Parquet cache layout.

Archive (relative to the base URL, as on Binance's public data site):
  data/spot/monthly/klines/<SYMBOL>/<interval>/<SYMBOL>-<interval>-<YYYY>-<MM>.zip
  data/spot/daily/klines/<SYMBOL>/<interval>/<SYMBOL>-<interval>-<YYYY-MM-DD>.zip
  each with <file>.zip.CHECKSUM holding "<sha256>  <file name>".
Cache: <cache_dir>/klines/<interval>/<SYMBOL>/<YYYY-MM>.parquet (a complete month) or
  <YYYY-MM>.partial.parquet (a month not over yet: fetched again on every run).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        year, month = text.split("-")
        return cls(int(year), int(month))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.last_day.day)]

    def start_ms(self) -> int:
        return day_start_ms(self.first_day)

    def end_ms(self) -> int:
        """First millisecond after the month."""
        return self.next().start_ms()


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def months_between(start: date, end: date) -> list[Month]:
    """Every month touching [start, end] (both inclusive)."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    out, month = [], Month.of(start)
    while month <= Month.of(end):
        out.append(month)
        month = month.next()
    return out


def monthly_archive_path(symbol: str, interval: str, month: Month) -> str:
    return f"data/spot/monthly/klines/{symbol}/{interval}/{symbol}-{interval}-{month}.zip"


def daily_archive_path(symbol: str, interval: str, day: date) -> str:
    return f"data/spot/daily/klines/{symbol}/{interval}/{symbol}-{interval}-{day:%Y-%m-%d}.zip"


def checksum_path(archive_path: str) -> str:
    return f"{archive_path}.CHECKSUM"


@dataclass(frozen=True, slots=True)
class CacheLayout:
    root: Path  # settings.data.cache_dir

    def symbol_dir(self, interval: str, symbol: str) -> Path:
        return self.root / "klines" / interval / symbol

    def month_file(self, interval: str, symbol: str, month: Month) -> Path:
        return self.symbol_dir(interval, symbol) / f"{month}.parquet"

    def partial_file(self, interval: str, symbol: str, month: Month) -> Path:
        return self.symbol_dir(interval, symbol) / f"{month}.partial.parquet"

    def staging_file(self, archive_path: str) -> Path:
        """Downloaded archives wait here (verified) until their month is cached: a re-run resumes."""
        return self.root / "archive" / archive_path
