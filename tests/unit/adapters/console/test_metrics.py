"""/metrics parses as Prometheus text and its counters move when a trade happens."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from tests.support.fakes import T0, trade_at
from tests.support.harness import SYMBOL, feed
from tests.unit.adapters.console.conftest import Served


async def scrape(s: Served) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with s.http.get(s.url + "/metrics", headers=s.auth) as r:
        assert r.status == 200
        text = await r.text()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_metrics_parse_and_the_trade_counter_moves_when_a_trade_closes(served: Served) -> None:
    served.service.beat()
    before = await scrape(served)
    assert before[("cryptoscalper_open_positions", ())] == 0
    assert before[("cryptoscalper_ev_gate_enabled", ())] == 1
    assert before[("cryptoscalper_equity", ())] == 100.0
    assert not any(name == "cryptoscalper_trades_total" for name, _ in before)

    await feed(served.h, trade_at(SYMBOL, 1.0, T0 + 100))  # a position opens
    served.service.beat()
    assert (await scrape(served))[("cryptoscalper_open_positions", ())] == 1
    served.h.loop.entries_paused = True
    await feed(served.h, trade_at(SYMBOL, 1.0031, T0 + 5_000))  # and takes its profit
    served.service.beat()

    after = await scrape(served)
    assert after[("cryptoscalper_trades_total", (("exit_reason", "TP"),))] == 1
    assert after[("cryptoscalper_trade_pnl", (("exit_reason", "TP"),))] > 0
    assert after[("cryptoscalper_open_positions", ())] == 0
    assert after[("cryptoscalper_entries_paused", ())] == 1
    assert after[("cryptoscalper_healthy", ())] == 1


async def test_error_lines_are_counted_by_kind(served: Served) -> None:
    from loguru import logger

    try:
        raise TimeoutError("venue silent")
    except TimeoutError:
        logger.exception("something failed")
    logger.error("plain error")
    metrics = await scrape(served)
    assert metrics[("cryptoscalper_errors_total", (("kind", "TimeoutError"),))] == 1
    assert sum(v for (name, _), v in metrics.items() if name == "cryptoscalper_errors_total") == 2
