"""The registry of data the project's studies have read, so a holdout test can refuse data a study saw.

Kept as registry.json in the lab folder (beside every study's own folder). A study records, when it
starts, the SHA-256 of every file it read and, per symbol, the span of time it read. A holdout run
refuses data when any of its files has a registered hash, or when any of its symbols' klines fall in a
span a study read (the same minutes arriving in another file are still the same data).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.features import KlineArrays

REGISTRY = "registry.json"
CHUNK = 1 << 20


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def spans_of(klines: Mapping[str, KlineArrays]) -> dict[str, list[int]]:
    return {s: [int(k.open_time_ms[0]), int(k.open_time_ms[-1])] for s, k in klines.items() if len(k)}


@dataclass
class DataRegistry:
    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / REGISTRY

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        loaded: list[dict[str, Any]] = json.loads(self.path.read_text(encoding="utf-8"))["studies"]
        return loaded

    def record(self, study: str, files: Sequence[Path], klines: Mapping[str, KlineArrays], when: str) -> None:
        entries = [e for e in self.entries() if e["study"] != study or e["files"] != _hashes(files)]
        entries.append({"study": study, "when": when, "files": _hashes(files), "spans": spans_of(klines)})
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"studies": entries}, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.path)

    def already_read(self, files: Sequence[Path], klines: Mapping[str, KlineArrays]) -> str | None:
        """Why this data may not be a holdout (a study read it), or None when no study has."""
        hashes = _hashes(files)
        for entry in self.entries():
            for name, digest in hashes.items():
                if digest in entry["files"].values():
                    return f"{name} was read by study {entry['study']} ({entry['when']})"
            for symbol, (first, last) in spans_of(klines).items():
                seen = entry["spans"].get(symbol)
                if seen and first <= seen[1] and last >= seen[0]:
                    return (f"{symbol}'s klines overlap the time study {entry['study']} read "
                            f"({entry['when']})")
        return None


def _hashes(files: Sequence[Path]) -> dict[str, str]:
    return {str(p): file_hash(p) for p in files}
