"""Exchange work per symbol, each on its own (issue 14): a slow answer holds only its own symbol.

In paper and live, managing a position (its price reactions, its tick: timeout, OCO poll, exit) runs as a
task of its symbol's lane; the loop goes on with the market, the other symbols and the kill switch. A
symbol whose lane is still busy is skipped until it is free (its next tick tries again): one symbol never
has two exchange conversations at once. News the exchange pushed (an OCO that filled) is not skipped: it
waits for the lane to be free (`run_next`). A lane starts before `run` returns, so an exit decided on an
event leaves before the next event is taken. A backtest runs everything inline, in order, as before (the
same trades). The kill switch and stop wait for the lanes first, so nothing else races their closing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class SymbolLanes:
    def __init__(self, *, concurrent: bool) -> None:
        self.concurrent = concurrent
        self._tasks: dict[str, asyncio.Task[object]] = {}

    def busy(self, symbol: str) -> bool:
        task = self._tasks.get(symbol)
        return task is not None and not task.done()

    async def run(self, symbol: str, work: Callable[[], Awaitable[object]]) -> None:
        """Do `work` for `symbol`: at once inline, else as the lane's task (skipped while one runs)."""
        if not self.concurrent:
            await work()
            return
        if self.busy(symbol):
            return

        async def lane() -> object:
            return await work()

        task = asyncio.get_running_loop().create_task(lane(), name=f"lane {symbol}")
        self._tasks[symbol] = task
        task.add_done_callback(lambda done: self._forget(symbol, done))
        # One turn of the loop: the lane's first step (up to its order on the wire) runs before the caller
        # goes on with the feed's backlog (Python 3.11 has no eager tasks).
        await asyncio.sleep(0)

    async def run_next(self, symbol: str, work: Callable[[], Awaitable[object]]) -> None:
        """Do `work` for `symbol` as soon as its lane is free: after the work it is doing, never skipped
        (news the exchange pushed: an OCO that filled)."""
        if not self.concurrent:
            await work()
            return
        before = self._tasks.get(symbol)

        async def lane() -> object:
            if before is not None and not before.done():
                await asyncio.wait([before])
            return await work()

        task = asyncio.get_running_loop().create_task(lane(), name=f"lane {symbol}")
        self._tasks[symbol] = task
        task.add_done_callback(lambda done: self._forget(symbol, done))

    def _forget(self, symbol: str, task: asyncio.Task[object]) -> None:
        if self._tasks.get(symbol) is task:
            del self._tasks[symbol]

    async def drain(self) -> None:
        """Wait until every lane is idle (their errors are the guard's: each work is guarded)."""
        while running := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.gather(*running, return_exceptions=True)
