"""No surprise about where money goes: `live` is PRODUCTION, `live --testnet` the TESTNET, the first line
says which in capitals, and the config, README and messages agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.__main__ import main


@pytest.fixture(autouse=True)
def production_keys_only(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", "prod-key")
    monkeypatch.setenv("BINANCE_API_SECRET", "prod-secret")
    monkeypatch.setenv("CRYPTOSCALPER__LOGGING__FILE_ENABLED", "false")


def test_live_is_production_and_uses_the_production_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["live"]) == 2  # refused: no --confirm-live (before any network)
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("live: Binance spot PRODUCTION (real orders, real money")
    assert "TESTNET" not in captured.out + captured.err and "--confirm-live" in captured.err


def test_live_testnet_is_the_testnet_and_asks_for_testnet_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["live", "--testnet", "--confirm-live"]) == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("live: Binance spot TESTNET")
    assert "BINANCE_TESTNET_API_KEY" in captured.err


def test_the_config_can_choose_the_testnet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "testnet.yaml"
    config.write_text("binance:\n  testnet: true\n", encoding="utf-8")
    assert main(["live", "--config", str(config)]) == 2
    assert "TESTNET" in capsys.readouterr().out.splitlines()[0]


def test_readme_and_config_say_the_same(repo_root: Path) -> None:
    config = (repo_root / "config" / "default.yaml").read_text(encoding="utf-8")
    assert "  testnet: false" in config and "PRODUCTION" in config
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert "`live` trades on PRODUCTION" in readme and "`live --testnet`" in readme
