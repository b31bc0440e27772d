"""The backtest's report.html speaks the run's quote asset: the equity axis and every money column."""

from __future__ import annotations

from adapters.storage.backtest_report_html import ReportContent, render
from application.backtest import breakdown
from application.backtest.summary import ROWS

T0 = 1_775_001_600_000  # 2026-04-01 00:00 UTC


def content(quote: str) -> ReportContent:
    curve = [(T0, 100.0), (T0 + 3_600_000, 101.0), (T0 + 7_200_000, 100.5)]
    return ReportContent(
        title="backtest", start_ms=T0, end_ms=T0 + 7_200_000, equity=curve, run_names=["model"],
        table=[(label, ["1"]) for label, _ in ROWS], records=[{}], curves=[("model", curve)],
        sections=[("Pairs", ["run", "pair", *breakdown.GROUP_HEADER[2:]],
                   [["model", "BTCFDUSD", "1", "100%", "+1.0", "+1%", "0.1"]], "no trade")],
        quote_asset=quote)


def test_a_fdusd_run_shows_fdusd_on_the_equity_axis_and_in_the_tables() -> None:
    page = render(content("FDUSD"))
    assert "Equity (FDUSD, positions marked at market)" in page
    assert "final equity (FDUSD)" in page and "net PnL (FDUSD)" in page
    assert "USDT" not in page


def test_a_usdt_run_is_unchanged() -> None:
    page = render(content("USDT"))
    assert "Equity (USDT, positions marked at market)" in page and "final equity (USDT)" in page
    assert ReportContent("t", T0, T0, [], [], [], []).quote_asset == "USDT"  # the default, as before
