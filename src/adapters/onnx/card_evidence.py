"""The lab's evidence on a model card (issue 16, items 4 and 8): what was tested out of time, when, on which
data, with which figures, and the verdict of the lab's gate (domain.lab_gate) when it was published.

The card's checksum file seals these blocks with the rest of the card, so an edited verdict is refused
at load; the verdict is judged again at every start against the thresholds in the current config.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabEvidenceCard(_Frozen):
    source: Literal["holdout", "retrain"]
    study: str  # the study (holdout) or "retrain"
    candidate: str  # "trial 12" of the frozen list, or the retrain recipe's name
    candidate_hash: str = ""  # the frozen candidate's hash (holdout)
    frozen_at: str | None = None  # when the list was frozen (holdout)
    list_hash: str | None = None
    tested_at: str  # when the out-of-time test ran
    data_sha256: dict[str, str] = Field(default_factory=dict)  # file -> sha256 of the data tested on
    periods: list[str] = Field(default_factory=list)  # the out-of-time periods or window
    trades: int
    mean_net_pct: float | None  # per trade, after fees and slippage (None without trades)
    ci_low_pct: float | None  # the clustered 95% interval of the mean
    ci_high_pct: float | None
    clustered_by: str = "week"
    deflated_sharpe: float | None
    trials: int  # N of the deflated Sharpe ratio
    pbo: float | None
    lab_failures: list[str] = Field(default_factory=list)  # the lab's own tests it failed, if any


class LabGateCard(_Frozen):
    """The lab gate's verdict when the card was written (re-judged at every load)."""

    open: bool
    failures: list[str] = Field(default_factory=list)
    min_dsr: float
    max_pbo: float
    judged_utc: str
