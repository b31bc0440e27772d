"""`python -m bootstrap`: a bad configuration stops with one clear line and exit code 2, no traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bootstrap.__main__ import EXIT_CONFIG_ERROR, EXIT_INTERRUPTED, build_parser, main
from bootstrap.cli_help import program_version
from bootstrap.settings import ENV_PREFIX, SPEC_ENV_NAMES
from bootstrap.settings_model import Settings
from ports.errors import ConfigurationError

BAD_CONFIGS = {
    "drawdown_above_one": "risk:\n  max_drawdown_pct: 1.5\n",
    "unknown_key": "risk:\n  max_drawdwn_pct: 0.2\n",
    "wrong_type": "risk:\n  max_open_positions: two\n",
    "take_profit_below_fees": "risk:\n  default_take_profit_pct: 0.0015\n",
}


@pytest.fixture(autouse=True)
def isolated(cli_env: Path) -> None:
    """Run in an empty folder (no .env, logs land in tmp) with no CryptoScalper variables set."""


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
@pytest.mark.parametrize("command", ["backtest", "paper", "live"])
def test_a_bad_config_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            name: str, command: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(BAD_CONFIGS[name], encoding="utf-8")
    assert main(["--config", str(config), command]) == EXIT_CONFIG_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("config error")
    assert "Traceback" not in captured.err


def test_a_bad_environment_value_exits_2(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CRYPTOSCALPER__RISK__MAX_DRAWDOWN_PCT", "1.5")
    assert main(["paper"]) == EXIT_CONFIG_ERROR
    assert "risk.max_drawdown_pct = 1.5" in capsys.readouterr().err


def test_a_bad_env_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text("CRYPTOSCALPER__RISK__MAX_TRADES_PER_HOUR=lots\n")
    assert main(["live"]) == EXIT_CONFIG_ERROR
    assert "risk.max_trades_per_hour = 'lots'" in capsys.readouterr().err


def test_a_missing_config_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", "nowhere.yaml", "backtest"]) == EXIT_CONFIG_ERROR
    assert capsys.readouterr().err.strip() == "config file not found: nowhere.yaml"


def test_the_modes_are_commands() -> None:
    parser = build_parser()
    for command in ("backtest", "paper", "live"):
        assert parser.parse_args([command]).command == command


def test_help_and_usage_errors_are_argparse_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as helped:
        main(["--help"])
    assert helped.value.code == 0 and "backtest" in capsys.readouterr().out
    with pytest.raises(SystemExit) as unknown:
        main(["fly-to-the-moon"])
    assert unknown.value.code == 2


def test_python_dash_m_bootstrap_exits_2_without_a_traceback(tmp_path: Path, repo_root: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(BAD_CONFIGS["take_profit_below_fees"], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not (k.startswith(ENV_PREFIX) or k in SPEC_ENV_NAMES)}
    env["PYTHONPATH"] = str(repo_root / "src")
    done = subprocess.run([sys.executable, "-m", "bootstrap", "--config", str(config), "paper"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "round-trip fee" in done.stderr


def test_a_configuration_error_at_start_up_exits_2_with_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        raise ConfigurationError("paper mode: the exchange adapter has not landed yet")

    def add_parser(subparsers: Any) -> None:
        subparsers.add_parser("paper").set_defaults(run=run)

    fake_command = SimpleNamespace(add_parser=add_parser)
    monkeypatch.setattr("bootstrap.__main__.command_modules", lambda only=None: [fake_command])
    assert main(["paper"]) == EXIT_CONFIG_ERROR
    assert capsys.readouterr().err == "config error: paper mode: the exchange adapter has not landed yet\n"


def test_a_run_imports_only_its_own_command(repo_root: Path) -> None:
    """`paper` must not carry training's heavy libraries in memory (lightgbm, scikit-learn)."""
    code = ("import sys; from bootstrap.__main__ import build_parser, requested_command; "
            "build_parser(requested_command(['--config', 'x.yaml', 'paper', '--duration', '1'])); "
            "print(*(name in sys.modules for name in ('lightgbm', 'sklearn', 'bootstrap.commands.train')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(repo_root / "src")})
    assert result.stdout.split() == ["False", "False", "False"]


def _modules_after_building(command: str, repo_root: Path, probe: str) -> list[str]:
    code = ("import sys; from bootstrap.__main__ import build_parser, requested_command; "
            f"build_parser(requested_command([{command!r}])); {probe}")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(repo_root / "src")})
    return result.stdout.split()


def test_paper_and_live_load_talib_without_pandas_which_stays_importable(repo_root: Path) -> None:
    """TA-Lib imports pandas (+ pyarrow, ~67 MB) when it can; the 24/7 commands hide it from talib."""
    probe = ("import numpy as np, talib; print('pandas' in sys.modules, 'pyarrow' in sys.modules, "
             "float(talib.EMA(np.arange(30.0), 5)[-1])); import pandas; print(pandas.Series([1.0]).sum())")
    for command in ("paper", "live"):
        assert _modules_after_building(command, repo_root, probe) == ["False", "False", "27.0", "1.0"]
    # the commands that work with data frames are left alone
    assert _modules_after_building("backtest", repo_root, "print('pandas' in sys.modules)") == ["True"]


@pytest.mark.parametrize("argv", [
    ["--config", "CFG", "--log-level", "DEBUG", "backtest"],
    ["backtest", "--config", "CFG", "--log-level", "DEBUG"],
    ["--log-level", "DEBUG", "backtest", "--config", "CFG"],
])
def test_global_options_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser("backtest").parse_args(argv)
    assert (args.command, args.config, args.log_level) == ("backtest", Path("CFG"), "DEBUG")


def test_global_options_after_a_nested_command() -> None:
    args = build_parser("report").parse_args(["report", "edge", "--quick", "--config", "my.yaml"])
    assert args.config == Path("my.yaml") and args.quick


def test_a_config_given_after_the_command_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(BAD_CONFIGS["drawdown_above_one"], encoding="utf-8")
    assert main(["backtest", "--config", str(config)]) == EXIT_CONFIG_ERROR
    assert "risk.max_drawdown_pct = 1.5" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"python -m bootstrap {program_version()}"
    assert program_version()[0].isdigit()


def _subcommand_helps(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield (*prefix, name), child
                yield from _subcommand_helps(child, (*prefix, name))


def test_every_command_has_a_description_and_an_example() -> None:
    seen = []
    for path, parser in _subcommand_helps(build_parser()):
        text = parser.format_help()
        assert parser.description, path
        assert "examples:" in text and f"python -m bootstrap {' '.join(path)}" in text, path
        seen.append(" ".join(path))
    assert {"backtest", "paper", "live", "download", "dataset", "train", "venue", "report edge"} <= set(seen)


def test_ctrl_c_anywhere_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        raise KeyboardInterrupt

    def add_parser(subparsers: Any) -> None:
        subparsers.add_parser("paper").set_defaults(run=run)

    monkeypatch.setattr("bootstrap.__main__.command_modules", lambda only=None: [SimpleNamespace(
        add_parser=add_parser)])
    assert main(["paper"]) == EXIT_INTERRUPTED
    captured = capsys.readouterr()
    assert captured.err == "interrupted (Ctrl-C)\n" and "Traceback" not in captured.err
