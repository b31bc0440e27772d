"""Training data set: features (domain.features) and labels (domain.labels) for many pairs, to Parquet.

Each symbol's history is cut into gap-free segments; features are computed per segment (so no indicator
spans a hole and each segment warms up anew) and labels never span a gap. Rows still warming up and rows
whose label is undefined (end of a segment) are left out. Columns: symbol, open_time_ms, close, the
FEATURE_NAMES in order, label (0/1), max_move_pct. The file's metadata holds the feature version, the
label settings and each symbol's data-quality summary.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from loguru import logger
from tqdm import tqdm

from adapters.history.atomic_file import write_atomically
from adapters.history.loader import SymbolHistory, clean_history
from adapters.history.quality import gap_free_segments
from adapters.history.schema import to_kline_arrays
from adapters.history.sources import kline_files, load_sources, require_symbols
from domain.features import FEATURE_NAMES, FEATURE_VERSION, WARMUP_BARS, compute_features
from domain.labels import max_move_pct, spec_label

_READY_COLUMN = FEATURE_NAMES.index("ema_20_ratio")  # NaN exactly while a segment warms up


@dataclass(slots=True)
class DatasetSummary:
    rows: int = 0
    symbols: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    quality: dict[str, str] = field(default_factory=dict)


def symbol_dataset(history: SymbolHistory, horizon: int, threshold: float) -> pd.DataFrame:
    """Feature and label rows of one (clean) symbol history."""
    frame = history.frame
    times = frame["open_time_ms"].to_numpy(dtype=np.int64)
    parts: list[pd.DataFrame] = []
    for segment in gap_free_segments(times, history.interval_ms):
        if segment.stop - segment.start < WARMUP_BARS + horizon:
            continue
        k = to_kline_arrays(frame.iloc[segment])
        features = compute_features(k)
        label = spec_label(k.high, k.close, horizon, threshold, open_time_ms=k.open_time_ms,
                           interval_ms=history.interval_ms)
        move = max_move_pct(k.high, k.close, horizon, open_time_ms=k.open_time_ms,
                            interval_ms=history.interval_ms)
        keep = ~np.isnan(features[:, _READY_COLUMN]) & ~np.isnan(label)
        part = pd.DataFrame(features[keep], columns=list(FEATURE_NAMES))
        part.insert(0, "symbol", history.symbol)
        part.insert(1, "open_time_ms", k.open_time_ms[keep])
        part.insert(2, "close", k.close[keep])
        part["label"] = label[keep]
        part["max_move_pct"] = move[keep]
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _schema(horizon: int, threshold: float, summary: DatasetSummary) -> pa.Schema:
    fields = [pa.field("symbol", pa.string()), pa.field("open_time_ms", pa.int64()),
              pa.field("close", pa.float64())]
    fields += [pa.field(name, pa.float64()) for name in (*FEATURE_NAMES, "label", "max_move_pct")]
    meta = {"feature_version": FEATURE_VERSION, "feature_names": json.dumps(FEATURE_NAMES),
            "warmup_bars": str(WARMUP_BARS), "label_horizon_bars": str(horizon),
            "label_threshold": str(threshold), "quality": json.dumps(summary.quality)}
    return pa.schema(fields, metadata=meta)


def build_dataset(data: Path | Sequence[Path], out: Path, *, horizon: int, threshold: float,
                  symbols: Iterable[str] | None = None, progress: bool = True) -> DatasetSummary:
    """Read every symbol under `data` (files or folders), write features + labels to the Parquet `out`
    (one symbol at a time, atomically: an interrupted build leaves no file)."""
    given = [data] if isinstance(data, Path) else list(data)
    histories = load_sources([f for p in given for f in kline_files(p, interval="1m")], symbols=symbols)
    require_symbols(histories, symbols, given)
    summary = DatasetSummary()
    for symbol, history in histories.items():
        summary.quality[symbol] = history.report.summary()
        if not history.report.is_clean:
            logger.warning("data quality: {}", history.report.summary())
    schema = _schema(horizon, threshold, summary)

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema) as writer:
            for symbol, history in tqdm(sorted(histories.items()), unit="pair", desc="dataset",
                                        disable=not progress):
                try:
                    rows = symbol_dataset(clean_history(history), horizon, threshold)
                except ValueError as exc:
                    summary.skipped[symbol] = str(exc)
                    logger.error("{} skipped: {}", symbol, exc)
                    continue
                if rows.empty:
                    summary.skipped[symbol] = f"no gap-free segment of {WARMUP_BARS + horizon} bars"
                    continue
                summary.rows += len(rows)
                summary.symbols.append(symbol)
                writer.write_table(pa.Table.from_pandas(rows, schema=schema, preserve_index=False))

    write_atomically(out, write)
    return summary
