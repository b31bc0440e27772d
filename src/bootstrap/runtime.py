"""Running a trading loop as a long-lived process: signals, a bounded duration, the venue's clock.

SIGINT / SIGTERM (Ctrl-C, `kill`, systemd, `docker stop`) ask the loop to stop after its current step:
it then reports the open positions (their OCO stays on the exchange), flushes the journal and logs the
final stats line. If no market event arrives to end that step within `grace_sec`, or a second signal
comes, the loop is cancelled where it waits; its stop still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from loguru import logger

from application.trading_loop import TradingLoop

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_until_stopped(loop: TradingLoop, *, duration_sec: float | None = None,
                            grace_sec: float = 15.0) -> str:
    """Run the loop until its feed ends, it halts, a stop signal arrives or `duration_sec` (wall clock)
    passes. Returns why it stopped. Start-up errors (ExchangeError, ConfigurationError) propagate."""
    running = asyncio.get_running_loop()
    task = asyncio.ensure_future(loop.run_until_feed_ends())
    stop_asked = asyncio.Event()

    def ask_stop(reason: str) -> None:
        if stop_asked.is_set():
            logger.warning("{}: stopping now", reason)
            task.cancel()
            return
        logger.info("{}: stopping after the current step", reason)
        loop.request_stop(reason)
        stop_asked.set()

    for sig in STOP_SIGNALS:
        running.add_signal_handler(sig, ask_stop, f"{sig.name} received")
    timer = running.call_later(duration_sec, ask_stop, f"duration of {duration_sec:g} s reached") \
        if duration_sec is not None else None
    try:
        waiter = asyncio.ensure_future(stop_asked.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not task.done():
            done, _ = await asyncio.wait({task}, timeout=grace_sec)
            if not done:
                logger.warning("no market event within {:g} s of the stop request: stopping now", grace_sec)
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            return await task
        return loop.stopped_reason or "stopped"
    finally:
        if timer is not None:
            timer.cancel()
        for sig in STOP_SIGNALS:
            running.remove_signal_handler(sig)
