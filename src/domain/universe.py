"""Which pairs to scan (spec 2.3, 4.2): liquid quote-asset spot pairs, no stablecoins, no leveraged tokens.

Stablecoins and fiat (a fixed list, PEGGED_BASES): USD stablecoins past and present, euro/other fiat
stablecoins, Binance fiat pairs (EUR, GBP, AUD, TRY, BRL, ...) and gold tokens (PAXG, XAUT): they barely
move, so a 0.1%-per-side fee cannot be scalped back. USTC (ex-UST, unpegged since 2022) is not in the
list: it trades like any volatile token.

Leveraged tokens (Binance's BTCUP/BTCDOWN, the older ETHBULL/ETHBEAR, and BULL/BEAR themselves for
BTC): a base ending in UP, DOWN, BULL or BEAR whose stem is itself a base asset listed on the exchange
(BTCUP -> BTC). So JUP ("J" is no asset), SUPER, SYRUP and "UP" alone are kept. A real token named like
"<listed asset>UP" would be wrongly excluded: none is known; add it to LEVERAGED_LOOKALIKES if one
appears. Binance also marks leveraged tokens as not spot-tradable (permission "LEVERAGED"), which the
spot-allowed filter catches on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from domain.rules import SymbolRules

PEGGED_BASES = frozenset({
    # USD stablecoins
    "USDT", "USDC", "BUSD", "TUSD", "FDUSD", "DAI", "USDP", "PAX", "UST", "USDD", "PYUSD", "SUSD", "USDS",
    "USDSB", "USDE", "USD1", "RLUSD", "XUSD", "BFUSD", "GUSD", "LUSD", "FRAX", "HUSD", "USDJ", "USDK",
    "USDX", "BKRW", "BIDR", "IDRT", "BVND",
    # fiat and fiat stablecoins
    "EUR", "EURI", "EURC", "AEUR", "GBP", "AUD", "TRY", "BRL", "RUB", "UAH", "NGN", "ZAR", "JPY", "ARS",
    "MXN", "PLN", "RON", "CZK", "COP",
    # gold
    "PAXG", "XAUT",
})
LEVERAGED_SUFFIX = re.compile(r"^(?P<stem>[A-Z0-9]+?)(?P<suffix>UP|DOWN|BULL|BEAR)$")
LEVERAGED_BTC = frozenset({"BULL", "BEAR"})  # Binance's first leveraged tokens: 3x long/short BTC
LEVERAGED_LOOKALIKES: frozenset[str] = frozenset()  # real tokens that merely end in UP/DOWN/BULL/BEAR


def is_leveraged_token(base: str, listed_bases: frozenset[str]) -> bool:
    if base in LEVERAGED_LOOKALIKES:
        return False
    if base in LEVERAGED_BTC:
        return True
    match = LEVERAGED_SUFFIX.match(base)
    return match is not None and match.group("stem") in listed_bases


def quoted_in(symbol: str, quotes: Sequence[str]) -> bool:
    """True when `symbol` is a pair of one of these quote assets (BTCUSDC in USDC, not USDC itself)."""
    return any(symbol.endswith(q) and len(symbol) > len(q) for q in quotes)


def _rules(entry: SymbolRules | Mapping[str, Any]) -> SymbolRules:
    return entry if isinstance(entry, SymbolRules) else SymbolRules.from_exchange_info(entry)


def select_universe(exchange_symbols: Sequence[SymbolRules | Mapping[str, Any]],
                    quote_volumes: Mapping[str, float], *, quote_asset: str = "USDT",
                    min_quote_volume: float, max_pairs: int) -> list[str]:
    """Trading, spot-allowed `quote_asset` pairs with a 24 h quote volume >= `min_quote_volume`, without
    stablecoins, fiat or leveraged tokens; most traded first (ties by name), at most `max_pairs`.
    `exchange_symbols` are exchangeInfo `symbols[]` entries, raw or as SymbolRules."""
    if max_pairs < 0:
        raise ValueError(f"max_pairs must be >= 0, got {max_pairs}")
    symbols = [_rules(e) for e in exchange_symbols]
    listed_bases = frozenset(s.base_asset for s in symbols)
    chosen = [
        s.symbol for s in symbols
        if s.quote_asset == quote_asset and s.status == "TRADING" and s.spot_allowed
        and s.base_asset not in PEGGED_BASES and not is_leveraged_token(s.base_asset, listed_bases)
        and quote_volumes.get(s.symbol, 0.0) >= min_quote_volume
    ]
    chosen.sort(key=lambda symbol: (-quote_volumes.get(symbol, 0.0), symbol))
    return list(dict.fromkeys(chosen))[:max_pairs]
