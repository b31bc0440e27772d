"""Arguments several commands share, read the same way everywhere: `--data` (a file, several files, a glob
or a folder), pairs (`BTC/USDT` is `BTCUSDT`), days (YYYY-MM-DD, end not before start)."""

from __future__ import annotations

import argparse
import glob
from collections.abc import Iterable, Sequence
from pathlib import Path

from domain.time_units import DAY_MS, day_start_ms

SAMPLE_DATA = Path(__file__).resolve().parents[3] / "data" / "sample"  # the committed offline default
_GLOB_CHARS = set("*?[")


class ArgumentProblem(ValueError):
    """One line naming the option, the value and what was expected."""


def add_data_option(parser: argparse.ArgumentParser, *, required: bool = False, help_text: str) -> None:
    parser.add_argument("--data", nargs="+", action="extend", required=required, default=None,
                        metavar="PATH", help=help_text + "; a file, several files, a glob (quoted or "
                                                          "not) or a folder; repeatable")


def data_paths(values: Iterable[str | Path] | str | Path | None, *, option: str = "--data") -> list[Path]:
    """Each --data value as paths: globs expanded (sorted), folders and files as given. ArgumentProblem
    when a value names nothing."""
    out: list[Path] = []
    for value in [values] if isinstance(values, (str, Path)) else values or ():
        text = str(value)
        path = Path(text).expanduser()
        if path.exists():
            out.append(path)
            continue
        matches = sorted(glob.glob(str(path), recursive=True)) if _GLOB_CHARS & set(text) else []
        if not matches:
            raise ArgumentProblem(f"{option} {text}: no such file or folder")
        out.extend(Path(m) for m in matches)
    return list(dict.fromkeys(out))  # a file named twice is read once


def normalise_symbol(text: str) -> str:
    """`btc/usdt`, `BTC-USDT`, ` BTCUSDT ` -> `BTCUSDT` (Binance's spot symbols have no separator)."""
    return "".join(ch for ch in text.strip().upper() if ch not in "/-_ ")


def parse_symbols(text: str | None, option: str = "--symbols") -> list[str] | None:
    """`BTC/USDT,ETHUSDT` -> ["BTCUSDT", "ETHUSDT"]; None when not given."""
    if text is None:
        return None
    symbols = [normalise_symbol(part) for part in text.split(",") if part.strip()]
    if not symbols or not all(s.isalnum() for s in symbols):
        raise ArgumentProblem(f"{option} {text!r}: expected pairs separated by commas (BTCUSDT,ETH/USDT)")
    return symbols


def symbol_list(values: Sequence[str] | None) -> list[str] | None:
    """Symbols given as separate words (`--symbols BTC/USDT ETHUSDT`, or comma-separated words)."""
    return None if values is None else parse_symbols(",".join(values))


def day_window(start: str | None, end: str | None, *, names: tuple[str, str] = ("--start", "--end")) -> \
        tuple[int | None, int | None]:
    """[start day 00:00, the day after `end` 00:00) in UTC ms: both days included. ArgumentProblem (one
    line) for a day that is not a date, or an end before the start."""
    bounds = []
    for name, day in zip(names, (start, end), strict=True):
        try:
            bounds.append(day_start_ms(day) if day is not None else None)
        except ValueError:
            raise ArgumentProblem(f"{name} {day}: not a date; expected YYYY-MM-DD, e.g. 2026-04-01") from None
    first, last = bounds
    if first is not None and last is not None and last < first:
        raise ArgumentProblem(f"{names[1]} {end} is before {names[0]} {start}")
    return first, (last + DAY_MS if last is not None else None)
