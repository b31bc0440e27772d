"""Which files hold klines, by their kind: what a folder given as data stands for.

Kinds (the ones the loader reads as single files): recorded CSVs (a header with a `symbol` column; plain or
compressed), Binance archives as published (<SYMBOL>-<interval>-<period>.zip or .csv) and Parquet files of
the cache layout (<...>/<SYMBOL>/<YYYY-MM>.parquet). Anything else in a folder (READMEs, the cache's column
copies, hidden files) is not data and is passed over. No pandas or pyarrow here: listing stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CSV_SUFFIXES = (".csv", ".csv.xz", ".csv.gz", ".csv.bz2", ".csv.zst")
# <SYMBOL>-<interval>-<YYYY-MM>.zip (monthly) or <SYMBOL>-<interval>-<YYYY-MM-DD>.zip (daily), or .csv
ARCHIVE_NAME = re.compile(
    r"^(?P<symbol>[A-Z0-9]+)-(?P<interval>\d+[smhdwM])-(?P<period>\d{4}-\d{2}(?:-\d{2})?)\.(?P<ext>zip|csv)$")
_INTERVAL_IN_NAME = re.compile(r"_(\d+[smhdw])_")  # recorded files: binance_spot_1m_<first>_<last>_...
COPIES_FOLDER = "columnar"  # <cache_dir>/columnar/: column copies of recorded CSVs (columnar_cache.py)
FORMATS_LOOKED_FOR = ("recorded kline CSVs with a symbol column (.csv, .csv.xz, .csv.gz, .csv.bz2, "
                      ".csv.zst), Binance archives (<SYMBOL>-<interval>-<period>.zip or .csv), "
                      "Parquet cache files (<SYMBOL>/<YYYY-MM>.parquet)")


def named_interval(path: Path) -> str | None:
    """The interval a recorded file's name states (`..._1m_...`), None if it states none."""
    found = _INTERVAL_IN_NAME.search(path.name)
    return found.group(1) if found else None


def parse_archive_name(name: str) -> tuple[str, str, str] | None:
    """(symbol, interval, period) of an archive file name, None if the name is not one."""
    match = ARCHIVE_NAME.match(name)
    return (match["symbol"], match["interval"], match["period"]) if match else None


def is_recorded_csv(path: Path) -> bool:
    return path.name.endswith(CSV_SUFFIXES) and parse_archive_name(path.name) is None


@dataclass(frozen=True)
class FolderFiles:
    """A folder's kline files by kind, each list in path order."""

    csvs: tuple[Path, ...]
    archives: tuple[Path, ...]
    parquets: tuple[Path, ...]

    def __bool__(self) -> bool:
        return bool(self.csvs or self.archives or self.parquets)


def folder_files(folder: Path) -> FolderFiles:
    """Every kline file under `folder` (searched recursively); hidden files and folders, and the data
    cache's column copies (a copy is not another source of the same klines), left out."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)
             and COPIES_FOLDER not in p.relative_to(folder).parts[:-1]]
    return FolderFiles(tuple(p for p in files if is_recorded_csv(p)),
                       tuple(p for p in files if parse_archive_name(p.name)),
                       tuple(p for p in files if p.name.endswith(".parquet")))


def nothing_readable(folder: Path) -> str:
    """The one line saying a folder holds no kline file, and what was looked for."""
    return f"{folder}: no kline files in this folder (looked for {FORMATS_LOOKED_FOR})"
