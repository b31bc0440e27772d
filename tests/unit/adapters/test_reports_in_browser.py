"""The three HTML reports (backtest, model, edge) open in a real headless Chromium with every plotly chart
drawn and no console error: plotly.js is embedded, so this holds with no network."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from tests.support.backtest_data import ScriptedModel, falling_market, settings_for
from tests.support.browser import NO_BROWSER, NO_BROWSER_REASON, chromium, open_report
from tests.support.synthetic_model import publish_small_model

from adapters.training.edge_report import write_edge_report
from bootstrap.commands import backtest as command
from domain.time_units import DAY_MS
from domain.time_units import day_start_ms as day_ms

pytestmark = pytest.mark.skipif(NO_BROWSER, reason=NO_BROWSER_REASON)


@pytest.fixture(scope="module")
def browser() -> Any:
    pytest.importorskip("selenium", reason="selenium (the dev extra) drives the browser")
    with chromium() as driver:
        yield driver


def backtest_report(folder: Path) -> Path:
    """A falling market that takes a 30 USDT account below the exchange minimum: the model and both
    baselines trade, then every entry is refused."""
    start = day_ms("2024-01-01")
    settings = settings_for(folder, scanner={"min_volume_24h": 0.0},
                            risk={"initial_capital": 30.0, "min_position_usdt": 5.5,
                                  "max_loss_per_trade_pct": 0.5, "default_stop_loss_pct": 0.02,
                                  "default_take_profit_pct": 0.01,
                                  "max_daily_loss_pct": 0.9, "max_drawdown_pct": 0.9})
    klines = falling_market(["AAAUSDT", "BBBUSDT"], days=4, start_ms=start)
    assert command.backtest(settings, klines, ScriptedModel(threshold=0.3, p_up=0.99), start + DAY_MS,
                            baselines=True, progress=False) == 0
    (report,) = folder.glob("backtest-*/report.html")
    return report


def edge_report(folder: Path) -> Path:
    rows = [{"name": f"model decile {i}", "count": 100, "mean_pct": -0.3 + 0.03 * i} for i in range(1, 11)]
    rows += [{"name": "model: EV gate", "count": 40, "mean_pct": 0.05},
             {"name": "random entries (as many as the gate)", "count": 40, "mean_pct": -0.2},
             {"name": "scanner rule alone", "count": 90, "mean_pct": -0.22},
             {"name": "all bars", "count": 1000, "mean_pct": -0.25}]
    payload = {"folds": [{"bounds": {"test_period": period}, "rows": rows}
                         for period in ("2023-04", "2026-03")]}
    tables = [("Walk-forward summary", ["test period", "positive"], [["2023-04", "no"], ["2026-03", "no"]])]
    return write_edge_report(folder, ["NO EDGE: `synthetic` figures"], tables, payload)["html"]


def test_the_backtest_report_draws_every_chart_without_console_errors(browser: Any, tmp_path: Path) -> None:
    report = backtest_report(tmp_path)
    html = report.read_text(encoding="utf-8")
    assert "too small to trade" in html and "buy and hold" in html
    with (report.parent / "refusals.csv").open(encoding="utf-8") as file:
        refused = list(csv.DictReader(file))
    assert refused and {r["run"] for r in refused} >= {"model"}
    assert any("below the minimum" in r["reason"] for r in refused)
    check = open_report(browser, report)
    assert check.charts == 4 and check.drawn == check.charts, check  # equity, drawdown, months, returns
    assert check.errors == []


def test_the_model_report_draws_every_chart_without_console_errors(browser: Any, tmp_path: Path) -> None:
    outcome = publish_small_model(tmp_path)
    check = open_report(browser, outcome.model_path.with_suffix(".report.html"))
    assert check.charts >= 4 and check.drawn == check.charts, check
    assert check.errors == []


def test_the_edge_report_draws_every_chart_without_console_errors(browser: Any, tmp_path: Path) -> None:
    check = open_report(browser, edge_report(tmp_path))
    assert check.charts == 3 and check.drawn == check.charts, check  # the summary + one per period
    assert check.errors == []


def test_a_page_with_a_broken_script_is_caught(browser: Any, tmp_path: Path) -> None:
    """The check can fail: a console error and an undrawn chart are both seen."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><div class='plotly-graph-div'></div><script>Plotly.newPlot()</script>"
                    "</body></html>", encoding="utf-8")
    check = open_report(browser, page, timeout_s=1.0)
    assert check.charts == 1 and check.drawn == 0 and check.errors
