"""HTTP for history downloads (aiohttp): a bounded pool, retries, resumable file transfers.

Only this adapter's own errors leave it: `DownloadError` names the URL and what went wrong.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from loguru import logger

RETRY_STATUSES = {408, 418, 429, 500, 502, 503, 504}


class DownloadError(Exception):
    """A URL that could not be fetched after the retries (or answered a non-retryable error)."""


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _make_parent(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)


class HistoryHttp:
    """GETs through at most `workers` concurrent requests, each retried `retries` times."""

    def __init__(self, session: aiohttp.ClientSession, workers: int, *, retries: int = 3,
                 backoff_s: float = 0.5, max_wait_s: float = 60.0) -> None:
        self._session = session
        self._pool = asyncio.Semaphore(max(1, workers))
        self._retries = retries
        self._backoff_s = backoff_s
        self._max_wait_s = max_wait_s
        self.requests = 0

    async def _pause(self, attempt: int, retry_after: str | None) -> None:
        wait = self._backoff_s * 2**attempt
        if retry_after is not None and retry_after.isdigit():
            wait = max(wait, float(retry_after))
        await asyncio.sleep(min(wait, self._max_wait_s))

    async def get_json(self, url: str, params: dict[str, str | int] | None = None) -> Any:
        for attempt in range(self._retries + 1):
            try:
                async with self._pool:
                    self.requests += 1
                    async with self._session.get(url, params=params) as resp:
                        if resp.status == 200:
                            return await resp.json(content_type=None)
                        body = (await resp.text())[:200]
                        if resp.status not in RETRY_STATUSES or attempt == self._retries:
                            raise DownloadError(f"GET {resp.url}: HTTP {resp.status}: {body}")
                        retry_after = resp.headers.get("Retry-After")
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt == self._retries:
                    raise DownloadError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
                retry_after = None
            logger.debug("GET {} failed, retry {}", url, attempt + 1)
            await self._pause(attempt, retry_after)
        raise AssertionError("unreachable")

    async def get_text(self, url: str) -> str | None:
        """The body of a small file, None on 404."""
        for attempt in range(self._retries + 1):
            try:
                async with self._pool:
                    self.requests += 1
                    async with self._session.get(url) as resp:
                        if resp.status == 200:
                            return await resp.text()
                        if resp.status == 404:
                            return None
                        if resp.status not in RETRY_STATUSES or attempt == self._retries:
                            raise DownloadError(f"GET {url}: HTTP {resp.status}")
                        retry_after = resp.headers.get("Retry-After")
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt == self._retries:
                    raise DownloadError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
                retry_after = None
            await self._pause(attempt, retry_after)
        raise AssertionError("unreachable")

    async def download(self, url: str, part: Path) -> bool:
        """Stream url into `part`, resuming a previous partial transfer with a Range request.
        False on 404 (nothing written)."""
        _make_parent(part)
        for attempt in range(self._retries + 1):
            have = _size(part)
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                async with self._pool:
                    self.requests += 1
                    async with self._session.get(url, headers=headers) as resp:
                        if resp.status == 404:
                            _remove(part)
                            return False
                        if resp.status == 416:  # our partial file is not a prefix any more
                            _remove(part)
                            raise aiohttp.ClientPayloadError(f"range not satisfiable at {have}")
                        if resp.status not in (200, 206):
                            if resp.status not in RETRY_STATUSES or attempt == self._retries:
                                raise DownloadError(f"GET {url}: HTTP {resp.status}")
                            raise aiohttp.ClientResponseError(resp.request_info, (), status=resp.status)
                        mode = "ab" if resp.status == 206 else "wb"
                        with part.open(mode) as handle:
                            async for block in resp.content.iter_chunked(1 << 16):
                                handle.write(block)
                        return True
            except (aiohttp.ClientError, TimeoutError) as exc:
                if attempt == self._retries:
                    raise DownloadError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
                logger.info("transfer of {} interrupted ({}), resuming", url, type(exc).__name__)
            await self._pause(attempt, None)
        raise AssertionError("unreachable")
