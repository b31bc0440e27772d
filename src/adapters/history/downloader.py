"""Fill the kline cache from Binance's public archive, falling back to REST for days not archived yet.

Per symbol and month (the cache unit): nothing if the month is cached; else the monthly zip; if the
archive has no monthly file (404), each day's zip; for a day without one, REST /api/v3/klines. Every zip
is checked against its .CHECKSUM; a transfer cut short resumes (HTTP Range); a verified zip waits in
<cache>/archive/ until its month is written, so an interrupted run resumes where it stopped. A month not
over yet (per the injected clock) is written as a partial file, fetched again on the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from loguru import logger
from tqdm import tqdm

from adapters.checksums import sha256_of
from adapters.history.archive_files import read_zip_csv
from adapters.history.cache import ChecksumMismatchError, KlineCache, parse_checksum
from adapters.history.http import DownloadError, HistoryHttp
from adapters.history.layout import (
    Month,
    checksum_path,
    daily_archive_path,
    day_start_ms,
    monthly_archive_path,
    months_between,
)
from adapters.history.rest import BinanceHistoryRest
from adapters.history.schema import HistoryDataError, empty_frame, interval_ms


@dataclass(slots=True)
class DownloadReport:
    already_cached: list[str] = field(default_factory=list)  # "SYMBOL YYYY-MM"
    written: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=lambda: {"monthly": 0, "daily": 0, "rest": 0})
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def _read_zip(path: Path) -> pd.DataFrame:
    return read_zip_csv(path.read_bytes(), str(path))


class HistoryDownloader:
    def __init__(self, cache: KlineCache, http: HistoryHttp, rest: BinanceHistoryRest, archive_base_url: str,
                 now_ms: Callable[[], int], *, progress: bool = True, keep_archives: bool = False) -> None:
        self._cache = cache
        self._http = http
        self._rest = rest
        self._base = archive_base_url.rstrip("/")
        self._now_ms = now_ms
        self._progress = progress
        self._keep = keep_archives

    async def download(self, symbols: list[str], interval: str, start: date, end: date) -> DownloadReport:
        interval_ms(interval)  # fail early on an unknown interval
        report = DownloadReport()
        units = [(s, m) for s in symbols for m in months_between(start, end)]
        # Off when not a terminal; a failed month is not counted as done, so a failure never shows 100%.
        bar = tqdm(total=len(units), unit="month", desc=f"klines {interval}",
                   disable=None if self._progress else True)
        with bar:
            async def one(symbol: str, month: Month) -> None:
                try:
                    await self._month(symbol, interval, month, report)
                except (DownloadError, HistoryDataError) as exc:
                    report.failures.append(f"{symbol} {month}: {exc}")
                    bar.set_postfix(failed=len(report.failures))
                    logger.error("{} {}: {}", symbol, month, exc)
                else:
                    bar.update(1)

            await asyncio.gather(*(one(s, m) for s, m in units))
        for done in (report.already_cached, report.written, report.partial, report.failures):
            done.sort()  # parallel downloads finish in any order; the report reads in (symbol, month) order
        report.requests = self._http.requests
        return report

    async def _month(self, symbol: str, interval: str, month: Month, report: DownloadReport) -> None:
        unit = f"{symbol} {month}"
        if self._cache.has_month(symbol, interval, month):
            report.already_cached.append(unit)
            return
        now = self._now_ms()
        complete = month.end_ms() <= now
        staged: list[str] = []
        frame = None
        if complete:
            path = monthly_archive_path(symbol, interval, month)
            frame = await self._archive(path)
            if frame is not None:
                staged.append(path)
                report.sources["monthly"] += 1
        if frame is None:
            days = [d for d in month.days() if day_start_ms(d) < now]
            results = await asyncio.gather(*(self._day(symbol, interval, d, staged, report) for d in days),
                                           return_exceptions=True)
            for result in results:  # every day has finished (its verified zip is staged) before failing
                if isinstance(result, BaseException):
                    raise result
            frames = [r for r in results if isinstance(r, pd.DataFrame)]
            frame = pd.concat(frames, ignore_index=True) if frames else empty_frame()
        self._cache.write_month(symbol, interval, month, frame, complete=complete)
        (report.written if complete else report.partial).append(unit)
        if not self._keep:
            for path in staged:
                self._cache.layout.staging_file(path).unlink(missing_ok=True)

    async def _day(self, symbol: str, interval: str, day: date, staged: list[str],
                   report: DownloadReport) -> pd.DataFrame:
        path = daily_archive_path(symbol, interval, day)
        frame = await self._archive(path)
        if frame is not None:
            staged.append(path)
            report.sources["daily"] += 1
            return frame
        start = day_start_ms(day)
        report.sources["rest"] += 1
        return await self._rest.klines(symbol, interval, start, min(start + 86_400_000, self._now_ms()))

    async def _archive(self, path: str) -> pd.DataFrame | None:
        """The verified content of one archive zip; None when the archive does not have it."""
        target = self._cache.layout.staging_file(path)
        if target.is_file():  # verified by an earlier, interrupted run
            return await asyncio.to_thread(_read_zip, target)
        checksum_text = await self._http.get_text(f"{self._base}/{checksum_path(path)}")
        if checksum_text is None:
            return None
        expected = parse_checksum(checksum_text, f"{self._base}/{checksum_path(path)}")
        part = target.with_name(target.name + ".part")
        for attempt in range(2):
            if not await self._http.download(f"{self._base}/{path}", part):
                return None
            actual = await asyncio.to_thread(sha256_of, part)
            if actual == expected:
                part.replace(target)
                return await asyncio.to_thread(_read_zip, target)
            part.unlink()
            logger.warning("{}: checksum mismatch (attempt {}), downloading again", path, attempt + 1)
        raise ChecksumMismatchError(f"{self._base}/{path}: SHA-256 {actual} does not match the published "
                               f"{expected}")
