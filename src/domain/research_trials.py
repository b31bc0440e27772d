"""What one trial of the edge lab leaves in its study, and how the study hands it back: plain values
shared by the use cases (application/research) and the study's storage (adapters/research)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrialScore:
    params: dict[str, object]  # every value the candidate ran with (defaults filled in)
    value: float  # mean net % per trade over every test period (NaN without trades)
    count: int
    daily_pnl: tuple[float, ...]  # over the study's test calendar
    pruned: bool


@dataclass(frozen=True)
class TrialRecord:
    number: int
    params: dict[str, object]
    state: str  # "complete", "pruned" or "failed"
    value: float | None  # mean net % per trade over the test periods
    count: int
    daily_pnl: tuple[float, ...] | None  # complete trials only
