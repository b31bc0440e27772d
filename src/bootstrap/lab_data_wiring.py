"""The lab's data and its periods, and where a study writes: all the edge preset needs of the lab's wiring
(bootstrap/lab_wiring.py re-exports them), so the preset does not import the study's machinery (Optuna,
the research core, the real loop's confirmation): ~90 MB of a process held to 1.5 GB."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from adapters.history.schema import HistoryDataError
from adapters.research.lab_data import LabData, load_lab_data
from application.research.market_periods import PeriodPlan, plan_periods
from bootstrap.lab_spec import LabSpec
from domain.universe import quoted_in


def study_folder(lab_dir: Path, spec: LabSpec) -> Path:
    return lab_dir / spec.name


def plans_of(spec: LabSpec, data: LabData) -> list[PeriodPlan]:
    return plan_periods(data.klines, gap_hours=spec.data.gap_hours, max_days=spec.data.max_days,
                        boundaries_ms=spec.data.boundaries_ms)


def load_data(spec: LabSpec, paths: Sequence[Path]) -> LabData:
    """The data's klines; only the pairs of `data.quote_asset` when the study names one (or several)."""
    data = load_lab_data(paths, max_days=spec.data.max_days_per_file)
    quotes = spec.data.quotes
    if not quotes:
        return data
    kept = {s: k for s, k in data.klines.items() if quoted_in(s, quotes)}
    if not kept:
        raise HistoryDataError(f"no {' or '.join(quotes)} pair in the data ({', '.join(data.klines)})")
    return LabData(kept, data.files)
