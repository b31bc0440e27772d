"""Where the backtest's klines come from without --data: the local cache, filled on first use.

On an empty cache the main job downloads a small default (`DefaultData.top_pairs` most traded USDT
pairs, the last `DefaultData.days` days; from settings.data) from Binance's public archive, with a progress
bar. Offline, it stops with one line saying how to get data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import aiohttp

from adapters.history.cache import KlineCache
from adapters.history.data_source import DefaultData
from adapters.history.downloader import DownloadReport, HistoryDownloader
from adapters.history.http import DownloadError, HistoryHttp
from adapters.history.klines import load_klines
from adapters.history.rest import BinanceHistoryRest
from domain.features import KlineArrays

INTERVAL = "1m"


class NoDataError(Exception):
    """No kline to backtest on, and none could be downloaded; the message says how to get some, `why`
    what failed."""

    def __init__(self, message: str, *, why: str) -> None:
        super().__init__(message)
        self.why = why


def how_to_get_data(data: DefaultData, why: str) -> str:
    return (f"no market data: the cache {data.cache_dir} is empty and Binance's archive could not "
            f"be reached ({why}); get data with `python -m bootstrap download --symbols top:5 "
            "--start YYYY-MM-DD --end YYYY-MM-DD` once online, or run `python -m bootstrap backtest "
            "--data PATH...` on kline files or folders you have (e.g. data/sample)")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


async def download_default(data: DefaultData, symbols: Sequence[str] | None) -> list[str]:
    """Fill the cache with the default window; returns the failures (empty when all went well)."""
    today = datetime.now(UTC).date()
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        if not symbols:  # one quick try first: offline must fail in a second, not after retries
            probe = HistoryHttp(session, 1, retries=0)
            symbols = await BinanceHistoryRest(probe, data.rest_base_url).top_symbols(data.top_pairs)
        downloader, _ = _downloader(session, data, data.download_workers, progress=True)
        print(f"Empty data cache: downloading {', '.join(symbols)} 1m klines for the last "
              f"{data.days} days into {data.cache_dir}")
        report = await downloader.download(list(symbols), INTERVAL, today - timedelta(days=data.days),
                                           today - timedelta(days=1))
    return list(report.failures)


async def download_history(data: DefaultData, symbols_spec: str, interval: str, start: date, end: date, *,
                           workers: int | None = None, progress: bool = True) -> DownloadReport:
    """`symbols_spec` (BTCUSDT,ETHUSDT or top:N) into the cache: archives first, REST for recent days."""
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        downloader, rest = _downloader(session, data, workers or data.download_workers, progress=progress)
        spec = symbols_spec.strip()
        if spec.lower().startswith("top:"):
            symbols = await rest.top_symbols(int(spec[4:]))
        else:
            symbols = [s.strip().upper().replace("/", "") for s in spec.split(",") if s.strip()]  # BTC/USDT
        return await downloader.download(symbols, interval, start, end)


def _downloader(session: aiohttp.ClientSession, data: DefaultData, workers: int, *,
                progress: bool) -> tuple[HistoryDownloader, BinanceHistoryRest]:
    """The cache's downloader on `session` (archives, then REST), and the REST client it uses."""
    http = HistoryHttp(session, workers)
    rest = BinanceHistoryRest(http, data.rest_base_url)
    return HistoryDownloader(KlineCache(data.cache_dir), http, rest, data.archive_base_url, _now_ms,
                             progress=progress), rest


def cache_klines(data: DefaultData, symbols: Sequence[str] | None, start_ms: int | None,
                 end_ms: int | None) -> dict[str, KlineArrays]:
    """The cached 1m klines, downloading the default window first when the cache has none."""
    cache = KlineCache(data.cache_dir)
    if not cache.symbols(INTERVAL):
        try:
            failures = asyncio.run(download_default(data, symbols))
        except (DownloadError, aiohttp.ClientError, OSError) as exc:
            why = str(exc) or type(exc).__name__
            raise NoDataError(how_to_get_data(data, why), why=why) from None
        if not cache.symbols(INTERVAL):
            why = failures[0] if failures else "nothing downloaded"
            raise NoDataError(how_to_get_data(data, why), why=why)
    folder = data.cache_dir / "klines" / INTERVAL
    return load_klines(folder, symbols, start_ms, end_ms, interval=INTERVAL)
