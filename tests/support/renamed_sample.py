"""The committed sample with some pairs renamed to other quote assets (USDC, FDUSD): the same real bars,
so tests of quote handling need no data of their own."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def renamed_sample(sample_klines: Path, path: Path, renames: dict[str, str]) -> Path:
    frame = pd.read_csv(sample_klines)
    frame["symbol"] = frame["symbol"].replace(renames)
    frame.to_csv(path, index=False)
    return path
