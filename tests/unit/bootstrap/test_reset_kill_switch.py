"""`reset-kill-switch`: one line, and the latched switch is cleared in the mode's store."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.storage.state_store import SqliteStateStore
from bootstrap.__main__ import main
from domain.risk import RiskBook, RiskLimits

LIMITS = RiskLimits(initial_capital=30.0, max_position_pct=0.2, min_position_usdt=5.0,
                    max_loss_per_trade_pct=0.02, max_daily_loss_pct=0.1, max_drawdown_pct=0.25,
                    max_open_positions=1, max_trades_per_hour=20, max_trades_per_day=100)


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    text = f"state:\n  dir: {tmp_path / 'state'}\nlogging:\n  file_enabled: false\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_clears_a_latched_switch_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = RiskBook(LIMITS)
    assert book.update_equity(20.0, 0)
    store = SqliteStateStore(tmp_path / "state" / "paper.sqlite")
    store.save_risk(book.to_dict())
    store.close()

    assert main(["--config", str(config(tmp_path)), "reset-kill-switch", "--mode", "paper"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("kill switch reset (it fired on: drawdown")
    risk = SqliteStateStore(tmp_path / "state" / "paper.sqlite").risk()
    assert risk is not None and risk["kill_switch_reason"] is None

    assert main(["--config", str(config(tmp_path)), "reset-kill-switch", "--mode", "paper"]) == 0
    assert capsys.readouterr().out.startswith("kill switch: not active")


def test_without_any_state_it_says_so_and_creates_nothing(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config(tmp_path)), "reset-kill-switch", "--mode", "paper"]) == 0
    assert capsys.readouterr().out.startswith("kill switch: no paper state")
    assert not (tmp_path / "state").exists()
