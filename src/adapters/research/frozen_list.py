"""The frozen list: the finalists of a study, hashed before any holdout test, so what is tested later is
provably what was chosen then (frozen.json in the study folder; holdout.json marks its one use)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FROZEN, HOLDOUT = "frozen.json", "holdout.json"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class FrozenList:
    study: str
    frozen_at: str
    data: tuple[str, ...]  # the study's data paths (its walk-forward trains on them again)
    candidates: tuple[dict[str, Any], ...]  # {"trial", "params", "value", "hash"}
    context: dict[str, Any]  # walk-forward, costs: what else decides a candidate's trades

    @property
    def list_hash(self) -> str:
        return _digest([c["hash"] for c in self.candidates] + [_digest(self.context)])

    def as_dict(self) -> dict[str, Any]:
        return {"study": self.study, "frozen_at": self.frozen_at, "data": list(self.data),
                "context": self.context, "candidates": list(self.candidates), "list_hash": self.list_hash}


Finalist = tuple[int, Mapping[str, Any], float | None]  # trial number, params, study value


def freeze_list(study: str, when: str, data: Sequence[str], finalists: Sequence[Finalist],
                context: dict[str, Any]) -> FrozenList:
    candidates = tuple({"trial": n, "params": dict(p), "value": v,
                        "hash": _digest({"params": dict(p), **context})} for n, p, v in finalists)
    return FrozenList(study, when, tuple(data), candidates, context)


def write_frozen(folder: Path, frozen: FrozenList) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FROZEN
    path.write_text(json.dumps(frozen.as_dict(), indent=1, default=str) + "\n", encoding="utf-8")
    return path


def read_frozen(folder: Path) -> FrozenList:
    """The frozen list; ValueError when there is none or it was edited after freezing."""
    path = folder / FROZEN
    if not path.exists():
        raise ValueError(f"{path}: nothing frozen yet (run `research freeze` first)")
    raw = json.loads(path.read_text(encoding="utf-8"))
    frozen = FrozenList(raw["study"], raw["frozen_at"], tuple(raw["data"]),
                        tuple(raw["candidates"]), raw["context"])
    edited = [c["trial"] for c in frozen.candidates
              if c["hash"] != _digest({"params": c["params"], **frozen.context})]
    if edited or frozen.list_hash != raw["list_hash"]:
        raise ValueError(f"{path}: the frozen list was edited after freezing (hash mismatch)")
    return frozen
