"""The checksum file that seals a model pair: scalper-<version>.sha256 beside the .onnx and its .json card.

The card decides how the model trades (calibration, EV map, EV gate, thresholds) and names the .onnx's
sha256; this file holds the sha256 of both, so a card edited by hand (a gate opened, a map changed) is
refused at load, not traded. Its format is `sha256sum`'s, so a drop-in model is sealed with the project's
`train` (adapters/training/publish.py) or by hand, and checked the same way:

    sha256sum scalper-<version>.onnx scalper-<version>.json > scalper-<version>.sha256
    sha256sum -c scalper-<version>.sha256
"""

from __future__ import annotations

from pathlib import Path

from adapters.checksums import sha256_of
from adapters.onnx.card import CardError, card_path_for

CHECKSUM_SUFFIX = ".sha256"
_HEX = frozenset("0123456789abcdef")


def checksum_path_for(onnx_path: Path) -> Path:
    return onnx_path.with_suffix(CHECKSUM_SUFFIX)


def seal_model(onnx_path: Path) -> Path:
    """Write the checksum file of the .onnx and its card as they are now (after the card's last write)."""
    lines = [f"{sha256_of(p)}  {p.name}\n" for p in (onnx_path, card_path_for(onnx_path))]
    path = checksum_path_for(onnx_path)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _recorded(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CardError(f"model checksum file {path} is missing: every .onnx needs its card and a "
                        f"{CHECKSUM_SUFFIX} file sealing both (`python -m bootstrap train` writes it; or "
                        f"`sha256sum X.onnx X.json > X{CHECKSUM_SUFFIX}`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CardError(f"model checksum file {path} is unreadable: {error}") from error
    recorded: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split(maxsplit=1)
        if not fields:
            continue
        digest = fields[0].lower()
        if len(fields) != 2 or len(digest) != 64 or not set(digest) <= _HEX:
            raise CardError(f"model checksum file {path}: line {number} is not '<sha256>  <file name>'")
        recorded[fields[1].strip().lstrip("*")] = digest
    return recorded


def verify_sealed(onnx_path: Path) -> None:
    """Refuse a model whose .onnx or card differs from what its checksum file recorded."""
    path = checksum_path_for(onnx_path)
    recorded = _recorded(path)
    for file in (onnx_path, card_path_for(onnx_path)):
        expected = recorded.get(file.name)
        if expected is None:
            raise CardError(f"model checksum file {path} does not cover {file.name}")
        actual = sha256_of(file)
        if actual != expected:
            raise CardError(f"{file} does not match {path.name}: sha256 {actual[:12]}... != "
                            f"{expected[:12]}... "
                            "(edited or replaced after publishing; the card decides how the model trades, "
                            "so it is refused)")
