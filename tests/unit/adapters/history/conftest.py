"""Real ARBUSDT 1m rows (data.binance.vision daily files, ../shared/data) written back in the archive's
own format, and a Binance-like archive + REST server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from aiohttp import web

FULL = "binancedatagetter_vision/binance_spot_1m_2023-10-01_2024-04-30_BTC_ETH_SOL_ARB.csv.xz"
OCT_2023_MS = 1696118400000  # 2023-10-01 00:00 UTC


@pytest.fixture(scope="session")
def arb_rows(shared_data: Path) -> pd.DataFrame:
    """ARBUSDT 2023-10-01 00:00 .. 2023-11-04 (50,000 real 1m bars), shared-data columns."""
    return pd.read_csv(shared_data / FULL, nrows=50_000)


def archive_csv(rows: pd.DataFrame, microseconds: bool = False) -> bytes:
    """Rows in Binance's 12-field, header-less archive CSV (close_time and ignore restored)."""
    unit = 1000 if microseconds else 1
    out = pd.DataFrame({
        "open_time": rows["open_time"] * unit,
        "open": rows["open"], "high": rows["high"], "low": rows["low"], "close": rows["close"],
        "volume": rows["volume"], "close_time": (rows["open_time"] + 59_999) * unit,
        "quote_volume": rows["quote_volume"], "trades": rows["trades"],
        "taker_buy_base_volume": rows["taker_buy_base_volume"],
        "taker_buy_quote_volume": rows["taker_buy_quote_volume"], "ignore": 0})
    return out.to_csv(header=False, index=False).encode()


def zipped(name: str, csv: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name.replace(".zip", ".csv"), csv)
    return buffer.getvalue()


def rows_between(rows: pd.DataFrame, start_ms: int, end_ms: int) -> pd.DataFrame:
    return rows[(rows["open_time"] >= start_ms) & (rows["open_time"] < end_ms)].reset_index(drop=True)


@dataclass
class FakeBinance:
    """Serves files at their archive paths, REST klines from real rows, and logs every request."""

    files: dict[str, bytes] = field(default_factory=dict)
    rest_rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    interrupt_once: set[str] = field(default_factory=set)
    rest_status: int = 200
    json_routes: dict[str, object] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    base_url: str = ""

    def add_zip(self, path: str, csv: bytes, checksum: str | None = None) -> None:
        data = zipped(path.rsplit("/", 1)[1], csv)
        self.files[path] = data
        digest = checksum or hashlib.sha256(data).hexdigest()
        self.files[path + ".CHECKSUM"] = f"{digest}  {path.rsplit('/', 1)[1]}\n".encode()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.lstrip("/")
        range_header = request.headers.get("Range")
        self.log.append(path + (f" Range:{range_header}" if range_header else ""))
        if path == "api/v3/klines":
            return self._klines(request)
        if path in self.json_routes:
            return web.json_response(self.json_routes[path])
        if path not in self.files:
            return web.Response(status=404)
        data = self.files[path]
        if path in self.interrupt_once and not range_header:
            self.interrupt_once.discard(path)
            response = web.StreamResponse(headers={"Content-Length": str(len(data))})
            await response.prepare(request)
            await response.write(data[: len(data) // 2])
            assert request.transport is not None
            request.transport.close()  # the connection drops mid-transfer
            return response
        if range_header:
            start = int(range_header.removeprefix("bytes=").rstrip("-"))
            return web.Response(status=206, body=data[start:],
                                headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
        return web.Response(body=data)

    def _klines(self, request: web.Request) -> web.Response:
        if self.rest_status != 200:
            return web.Response(status=self.rest_status, text='{"code":-1000}')
        q = request.query
        rows = self.rest_rows.get(q["symbol"])
        if rows is None:
            return web.json_response({"code": -1121, "msg": "Invalid symbol."}, status=400)
        part = rows_between(rows, int(q["startTime"]), int(q["endTime"]) + 1).iloc[: int(q["limit"])]
        csv = archive_csv(part).decode()
        payload = [line.split(",") for line in csv.splitlines()]
        for item in payload:  # numbers as Binance sends them: ints for times/trades, strings for decimals
            for i in (0, 6, 8, 11):
                item[i] = int(float(item[i]))  # type: ignore[call-overload]
        return web.json_response(payload)


@pytest.fixture
async def fake_binance() -> AsyncIterator[FakeBinance]:
    fake = FakeBinance()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base_url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


Clock = Callable[[], int]


def fixed_clock(ms: int) -> Clock:
    return lambda: ms


def as_floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=np.float64)
