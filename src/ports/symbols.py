from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class SymbolUniverse(Protocol):
    """Which pairs to scan: USDT spot pairs that trade, liquid enough, no stablecoins or leveraged tokens."""

    async def tradable_symbols(self) -> Sequence[str]:
        """Best first (24 h quote volume), at most the configured count."""
        ...
