"""The speed work of issue 17 changes no trade: the CLI backtest of a real 3-day slice writes the same
bytes as main did before it (trades, equity and summary of the model run and of both baselines).

Pinned as SHA-256 of the files written by ed38736 (`backtest --data <5 pairs> --start 2026-04-01
--end 2026-04-04` with the signal gate opened so the committed model trades). A change meant to alter
trades must update these digests and say why in its commit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bootstrap.__main__ import main

FIVE_PAIRS = "freqtrade_userdata/binance_spot_1m_2026-03-23_2026-04-22_5pairs.csv.xz"
PINNED = {
    "trades.csv": "0cb460da920e26108b1be9998a2520368d36dc98157a546187f6f220cb61a308",
    "equity.csv": "4ff40b1d83e7547271deaecb495d2320e447073b583863254cb4b50e30843185",
    "summary.json": "23836d278b469118f427da582374be6edbad1cb09200e38c8b4069e8161bce59",
    "baseline-random/trades.csv": "d8cbdee4c9edeb04b5681223e4d72a275f840bbfc5e2aa80febeacc8a916e00c",
    "baseline-scanner/trades.csv": "298a1bdfabac90d3b6590174cde29221495d5999d1a22ce180e3e568dbe603da",
}


@pytest.mark.slow
@pytest.mark.parametrize("cached", [False, True])
def test_a_real_backtest_writes_the_bytes_main_wrote(tmp_path: Path, shared_data: Path, repo_root: Path,
                                                     cached: bool, capsys: pytest.CaptureFixture[str],
                                                     ) -> None:
    cache = tmp_path / "cache"
    config = tmp_path / "open.yaml"
    config.write_text("signal: {ev_gate_enabled: false, min_probability: 0.05, min_confidence: 0.0,\n"
                      "         min_predicted_move_pct: 0.0}\n"
                      f"logging: {{file_enabled: false, level: ERROR}}\ndata: {{cache_dir: {cache}}}\n"
                      f"backtest: {{report_dir: {tmp_path / 'reports'}}}\n"
                      f"model: {{path: {repo_root / 'models' / 'onnx'}}}\n", encoding="utf-8")
    args = ["--config", str(config), "backtest", "--data", str(shared_data / FIVE_PAIRS),
            "--start", "2026-04-01", "--end", "2026-04-04"]
    if cached:  # the second run reads the Parquet copy the first one made
        assert main(args) == 0
        for old in (tmp_path / "reports").glob("backtest-*"):
            for name in PINNED:
                (old / name).unlink()
            old.rename(tmp_path / f"first-{old.name}")
    assert main(args) == 0
    capsys.readouterr()
    (folder,) = (tmp_path / "reports").glob("backtest-*")
    digests = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in PINNED}
    assert digests == PINNED
    assert any((cache / "columnar").glob("*.parquet"))
