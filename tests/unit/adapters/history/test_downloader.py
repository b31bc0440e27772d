"""The downloader against a local Binance-like server (127.0.0.1) serving real rows in the public layout."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import aiohttp
import numpy as np
import pandas as pd
import pytest

from adapters.history.cache import KlineCache
from adapters.history.downloader import DownloadReport, HistoryDownloader
from adapters.history.http import HistoryHttp
from adapters.history.layout import Month, daily_archive_path, monthly_archive_path
from adapters.history.rest import BinanceHistoryRest
from domain.time_units import DAY_MS

from .conftest import OCT_2023_MS, FakeBinance, archive_csv, fixed_clock, rows_between

NOV_2023_MS = OCT_2023_MS + 31 * DAY_MS
DEC_2023_MS = NOV_2023_MS + 30 * DAY_MS
NOW_MS = 1717200000000  # 2024-06-01: every month below is over


async def run(fake: FakeBinance, cache_dir: Path, start: date, end: date,
              now_ms: int = NOW_MS) -> DownloadReport:
    async with aiohttp.ClientSession() as session:
        http = HistoryHttp(session, workers=3, retries=1, backoff_s=0.0)
        rest = BinanceHistoryRest(http, fake.base_url)
        downloader = HistoryDownloader(KlineCache(cache_dir), http, rest, fake.base_url,
                                       fixed_clock(now_ms), progress=False)
        return await downloader.download(["ARBUSDT"], "1m", start, end)


def publish(fake: FakeBinance, rows: pd.DataFrame) -> None:
    """October: a monthly zip whose first transfer is cut; November: no monthly file, a daily zip for the
    1st, nothing archived for the other days (REST has them); December: a monthly zip with a bad checksum."""
    october = monthly_archive_path("ARBUSDT", "1m", Month(2023, 10))
    fake.add_zip(october, archive_csv(rows_between(rows, OCT_2023_MS, NOV_2023_MS)))
    fake.interrupt_once.add(october)
    nov_1 = daily_archive_path("ARBUSDT", "1m", date(2023, 11, 1))
    fake.add_zip(nov_1, archive_csv(rows_between(rows, NOV_2023_MS, NOV_2023_MS + DAY_MS)))
    fake.rest_rows["ARBUSDT"] = rows_between(rows, NOV_2023_MS + DAY_MS, DEC_2023_MS)
    december = monthly_archive_path("ARBUSDT", "1m", Month(2023, 12))
    fake.add_zip(december, archive_csv(rows.iloc[:100]), checksum="0" * 64)


def assert_same_rows(cached: pd.DataFrame, real: pd.DataFrame) -> None:
    assert len(cached) == len(real) > 0
    np.testing.assert_array_equal(cached["open_time_ms"].to_numpy(), real["open_time"].to_numpy())
    for column in ("open", "high", "low", "close", "volume", "quote_volume", "trades",
                   "taker_buy_base_volume", "taker_buy_quote_volume"):
        np.testing.assert_array_equal(cached[column].to_numpy(), real[column].to_numpy(dtype=float), column)


async def test_archive_daily_rest_fallback_resume_checksum_and_rerun(
        fake_binance: FakeBinance, arb_rows: pd.DataFrame, tmp_path: Path) -> None:
    publish(fake_binance, arb_rows)
    report = await run(fake_binance, tmp_path, date(2023, 10, 1), date(2023, 12, 31))

    cache = KlineCache(tmp_path)
    assert report.written == ["ARBUSDT 2023-10", "ARBUSDT 2023-11"]
    assert len(report.failures) == 1 and "ARBUSDT 2023-12" in report.failures[0]
    assert "ARBUSDT-1m-2023-12.zip" in report.failures[0] and "SHA-256" in report.failures[0]
    assert not cache.has_month("ARBUSDT", "1m", Month(2023, 12))  # complete or absent
    assert report.sources == {"monthly": 1, "daily": 1, "rest": 29}
    october = monthly_archive_path("ARBUSDT", "1m", Month(2023, 10))
    assert f"{october} Range:bytes=" in " ".join(fake_binance.log)  # the cut transfer was resumed
    assert_same_rows(cache.read("ARBUSDT", "1m", date(2023, 10, 1), date(2023, 10, 31)),
                     rows_between(arb_rows, OCT_2023_MS, NOV_2023_MS))
    assert_same_rows(cache.read("ARBUSDT", "1m", date(2023, 11, 1), date(2023, 11, 30)),
                     rows_between(arb_rows, NOV_2023_MS, DEC_2023_MS))
    assert not list((tmp_path / "archive").rglob("*.zip*"))  # staged archives removed once cached

    fake_binance.log.clear()
    again = await run(fake_binance, tmp_path, date(2023, 10, 1), date(2023, 11, 30))
    assert again.requests == 0 and fake_binance.log == []
    assert again.already_cached == ["ARBUSDT 2023-10", "ARBUSDT 2023-11"]


async def test_an_interrupted_run_resumes_without_fetching_verified_files_again(
        fake_binance: FakeBinance, arb_rows: pd.DataFrame, tmp_path: Path) -> None:
    publish(fake_binance, arb_rows)
    fake_binance.rest_status = 503  # REST down: November cannot be completed
    first = await run(fake_binance, tmp_path, date(2023, 11, 1), date(2023, 11, 30))
    assert first.written == [] and len(first.failures) == 1 and "HTTP 503" in first.failures[0]
    assert not KlineCache(tmp_path).has_month("ARBUSDT", "1m", Month(2023, 11))

    fake_binance.rest_status = 200
    fake_binance.log.clear()
    second = await run(fake_binance, tmp_path, date(2023, 11, 1), date(2023, 11, 30))
    assert second.written == ["ARBUSDT 2023-11"] and second.ok
    nov_1 = daily_archive_path("ARBUSDT", "1m", date(2023, 11, 1))
    assert not any(entry.startswith(nov_1) for entry in fake_binance.log)  # reused from the staging area
    assert_same_rows(KlineCache(tmp_path).read("ARBUSDT", "1m"), rows_between(arb_rows, NOV_2023_MS,
                                                                               DEC_2023_MS))


async def test_a_month_not_over_is_partial_and_fetched_again(
        fake_binance: FakeBinance, arb_rows: pd.DataFrame, tmp_path: Path) -> None:
    publish(fake_binance, arb_rows)
    now = NOV_2023_MS + 2 * DAY_MS + 3_600_000  # 2023-11-03 01:00
    report = await run(fake_binance, tmp_path, date(2023, 11, 1), date(2023, 11, 3), now_ms=now)
    assert report.partial == ["ARBUSDT 2023-11"] and report.sources == {"monthly": 0, "daily": 1, "rest": 2}
    cache = KlineCache(tmp_path)
    assert not cache.has_month("ARBUSDT", "1m", Month(2023, 11))
    assert_same_rows(cache.read("ARBUSDT", "1m", date(2023, 11, 1), date(2023, 11, 30)),
                     rows_between(arb_rows, NOV_2023_MS, now))
    monthly = monthly_archive_path("ARBUSDT", "1m", Month(2023, 11))
    assert not any(entry.startswith(monthly) for entry in fake_binance.log)  # month not over: no monthly
    again = await run(fake_binance, tmp_path, date(2023, 11, 1), date(2023, 11, 3), now_ms=now)
    assert again.partial == ["ARBUSDT 2023-11"] and again.requests > 0


async def test_top_n_through_rest(fake_binance: FakeBinance, exchange_info: dict[str, object]) -> None:
    fake_binance.json_routes["api/v3/exchangeInfo"] = exchange_info
    fake_binance.json_routes["api/v3/ticker/24hr"] = [
        {"symbol": "BTCUPUSDT", "quoteVolume": "9e12"}, {"symbol": "USDCUSDT", "quoteVolume": "8e12"},
        {"symbol": "ETHUSDT", "quoteVolume": "2e9"}, {"symbol": "BTCUSDT", "quoteVolume": "5e9"},
        {"symbol": "ADAUSDT", "quoteVolume": "1e9"}]
    async with aiohttp.ClientSession() as session:
        rest = BinanceHistoryRest(HistoryHttp(session, 2), fake_binance.base_url)
        assert await rest.top_symbols(2) == ["BTCUSDT", "ETHUSDT"]


@pytest.fixture
def exchange_info(recorded: Path) -> dict[str, object]:
    from .test_symbols import real_exchange_info

    return real_exchange_info(recorded)


class Terminal(io.StringIO):
    """stderr as a terminal, so tqdm draws its bar (it stays off when stderr is not a TTY)."""

    def isatty(self) -> bool:
        return True


async def test_the_bar_counts_only_the_months_done_and_never_shows_100_on_failure(
        fake_binance: FakeBinance, arb_rows: pd.DataFrame, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    publish(fake_binance, arb_rows)  # December's checksum is wrong: that month fails
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    async with aiohttp.ClientSession() as session:
        http = HistoryHttp(session, workers=3, retries=1, backoff_s=0.0)
        rest = BinanceHistoryRest(http, fake_binance.base_url)
        downloader = HistoryDownloader(KlineCache(tmp_path), http, rest, fake_binance.base_url,
                                       fixed_clock(NOW_MS), progress=True)
        report = await downloader.download(["ARBUSDT"], "1m", date(2023, 10, 1), date(2023, 12, 31))
    assert len(report.failures) == 1
    final = screen.getvalue().split("\r")[-1]
    assert "2/3" in final and "failed=1" in final and "100%" not in screen.getvalue()
