"""`report edge`'s default periods are named in config (config/report/edge-periods.yaml), not in code;
a periods file of your own works the same, and a broken one is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.training.edge_data import load_edge_periods, load_period
from bootstrap.__main__ import main

DEFAULT = Path(__file__).resolve().parents[4] / "config" / "report" / "edge-periods.yaml"


def test_the_committed_periods_file() -> None:
    catalogue = load_edge_periods(DEFAULT)
    assert catalogue.root == Path("../shared/data")
    assert [p.name for p in catalogue.periods] == ["2020-05", "2021-04", "2023-01", "2023-10", "2025-06",
                                                   "2026-03"]
    assert [p.name for p in catalogue.quick] == ["2025-06", "2026-03"]
    assert catalogue.periods[2].files[0].startswith("binancedatagetter_vision/")  # the full columns first
    assert all(f.endswith(".csv.xz") for p in catalogue.periods for f in p.files)


def test_a_periods_file_of_your_own(tmp_path: Path, sample_klines: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        f"root: {sample_klines.parent}\nperiods:\n  - name: a\n    files: [{sample_klines.name}]\n"
        "  - name: b\n    files: [elsewhere.csv]\nquick: [a]\n", encoding="utf-8")
    catalogue = load_edge_periods(tmp_path / "mine.yaml")
    klines = load_period(catalogue.root, catalogue.quick[0], max_days=1)
    assert sorted(klines) == ["BNBUSDT", "BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]
    assert all(len(k) == 1440 for k in klines.values())


@pytest.mark.parametrize("text", ["periods: 3\n", "root: x\n", "periods:\n  - name: a\n    files: []\n",
                                  "periods:\n  - {name: a, files: [x]}\nquick: [nope]\n", ": : :\n"])
def test_a_broken_periods_file_is_one_line(tmp_path: Path, text: str, cli_env: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml: ") as caught:
        load_edge_periods(path)
    assert "\n" not in str(caught.value)
    assert main(["report", "edge", "--periods", str(path), "--data-root", str(tmp_path)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.yaml" in lines[0], lines
