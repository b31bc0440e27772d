"""A real Ctrl-C (SIGINT) in the middle of a backtest: one line, exit 130, no traceback, and the half-
written report folder removed. The replay is replaced by a stand-in that writes part of the folder, says
so, and waits; the signal is sent once it has said so (no timing guess)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys, time
from pathlib import Path
from bootstrap.__main__ import main
from bootstrap.commands import backtest as command

def slow_replay(settings, klines, model, start_ms, folder, **_):
    folder.mkdir(parents=True)
    (folder / "trades.csv").write_text("half")
    print("replaying", flush=True)
    time.sleep(60)

command.run_backtest = slow_replay
sys.exit(main(sys.argv[1:]))
"""


def test_sigint_during_a_backtest(tmp_path: Path, repo_root: Path, sample_klines: Path) -> None:
    config = tmp_path / "quiet.yaml"
    config.write_text(f"logging:\n  file_enabled: false\n  level: ERROR\nbacktest:\n"
                      f"  report_dir: {tmp_path / 'reports'}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(repo_root / "src")}
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "backtest", "--data", str(sample_klines), "--symbols", "BTCUSDT",
         "--no-baselines", "--config", str(config), "--model", str(repo_root / "models" / "onnx")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "replaying"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("interrupted (Ctrl-C): backtest stopped; its partial report folder")
    assert list((tmp_path / "reports").glob("backtest-*")) == []
