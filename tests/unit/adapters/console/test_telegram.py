"""Telegram commands round-trip through a local fake of the Bot API, answering only the configured chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from tests.support.fakes import T0, FakeModel, good, trade_at
from tests.support.harness import SYMBOL, Harness, build, feed
from tests.unit.adapters.console.fake_telegram import BOT_TOKEN, FakeTelegram

from adapters.console.config import TelegramConfig
from adapters.console.telegram_commands import TelegramCommands
from application.console_state import ConsoleState
from application.recent_trades import RecentTrades

OPERATOR, STRANGER = 4242, 666


@pytest.fixture
async def bot() -> AsyncIterator[tuple[FakeTelegram, Harness, TelegramCommands]]:
    api = FakeTelegram()
    await api.start()
    h = build(model=FakeModel(good))
    trades = RecentTrades(h.journal)
    h.loop.account._journal = trades
    state = ConsoleState(h.loop, trades, h.clock, venue="PAPER")
    commands = TelegramCommands(state, TelegramConfig(SecretStr(BOT_TOKEN), OPERATOR, api.base_url),
                                poll_timeout_sec=1)
    await h.loop.start()
    await commands.start()
    yield api, h, commands
    await commands.stop()
    await h.loop.stop()
    await api.stop()


async def answers(api: FakeTelegram, count: int, within_sec: float = 10.0) -> list[dict[str, Any]]:
    for _ in range(int(within_sec / 0.05)):
        if len(api.sent) >= count:
            break
        await asyncio.sleep(0.05)
    return api.sent


async def test_status_round_trips_through_the_fake_api(bot: Any) -> None:
    api, h, _ = bot
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    api.user_says(OPERATOR, "/status")
    sent = await answers(api, 1)
    assert sent[0]["chat_id"] == OPERATOR
    assert sent[0]["text"].startswith("backtest on PAPER: trading")
    assert SYMBOL in sent[0]["text"] and "OCO" in sent[0]["text"]


async def test_controls_and_force_exit(bot: Any) -> None:
    api, h, _ = bot
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 100))
    api.user_says(OPERATOR, "/stopentry")
    api.user_says(OPERATOR, f"/forceexit {SYMBOL}")
    api.user_says(OPERATOR, "/forceexit NOPEUSDT")
    sent = await answers(api, 3)
    assert h.loop.entries_paused
    assert [m["text"].split(":")[0] for m in sent[:1]] == ["entries paused"]
    assert sent[1]["text"] == f"closing {SYMBOL} at market" and "no open position" in sent[2]["text"]
    await feed(h, trade_at(SYMBOL, 1.0, T0 + 3_000))
    assert h.loop.open_positions() == ()
    api.user_says(OPERATOR, "/profit")
    api.user_says(OPERATOR, "/stop")
    sent = await answers(api, 5)
    assert sent[3]["text"].startswith("1 trade(s) since start") and h.loop.stopped


async def test_a_stranger_gets_no_answer_and_changes_nothing(bot: Any) -> None:
    api, h, _ = bot
    api.user_says(STRANGER, "/stop")
    api.user_says(STRANGER, "/balance")
    api.user_says(OPERATOR, "/balance")  # answered: the strangers' updates were read before it
    sent = await answers(api, 1)
    await asyncio.sleep(0.3)
    assert [m["chat_id"] for m in api.sent] == [OPERATOR] and sent[0]["text"].startswith("equity 100.00")
    assert not h.loop.stopped
