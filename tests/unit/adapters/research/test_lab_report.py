"""The lab's HTML report: a holdout says which frozen list it tested and when that list was frozen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.research.lab_report import render_html, write_lab_report

FROZEN_AT = "2026-04-02T09:15:00+00:00"
LIST_HASH = "3f" * 32


def payload(**meta: Any) -> dict[str, Any]:
    return {"study_name": "tiny", "verdict": "no candidate passed", "trials": {"complete": 3},
            "study": {"trials_counted": 3, "pbo": 0.5, "pbo_splits": 70, "pbo_blocks": 8},
            "trial_values": [], "candidates": [], "data": "2 files", "periods": ["2026-04-01"], **meta}


def test_a_holdout_report_says_what_was_frozen_and_when(tmp_path: Path) -> None:
    paths = write_lab_report(tmp_path, payload(mode="holdout", frozen_at=FROZEN_AT, list_hash=LIST_HASH,
                                               written="2026-04-09T10:00:00+00:00"))
    page = paths["html"].read_text(encoding="utf-8")
    assert "<h1>CryptoScalper edge lab: holdout</h1>" in page
    assert f"frozen at {FROZEN_AT} (list hash {LIST_HASH})" in page
    assert "written 2026-04-09T10:00:00+00:00" in page


def test_a_study_report_claims_no_frozen_list() -> None:
    page = render_html(payload())
    assert "<h1>CryptoScalper edge lab</h1>" in page and "list hash" not in page
