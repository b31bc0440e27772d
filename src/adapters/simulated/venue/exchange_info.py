"""exchangeInfo JSON for the venue's SymbolRules, in the structure of a 2026 production entry.

Recorded klines carry no filters: the venue's rules come from adapters.simulated.symbol_rules
(`default_rules_for(symbol, price)`) unless real ones are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.rules import SymbolRules

ORDER_TYPES = ("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
               "TAKE_PROFIT_LIMIT")
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
]


def _s(value: Decimal) -> str:
    return f"{value:.8f}"


def symbol_entry(rules: SymbolRules) -> dict[str, Any]:
    """One `symbols[]` entry of GET /api/v3/exchangeInfo; `SymbolRules.from_exchange_info` reads it back."""
    return {
        "symbol": rules.symbol, "status": rules.status, "baseAsset": rules.base_asset,
        "baseAssetPrecision": rules.base_asset_precision, "quoteAsset": rules.quote_asset,
        "quotePrecision": rules.quote_asset_precision, "quoteAssetPrecision": rules.quote_asset_precision,
        "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
        "orderTypes": list(rules.order_types or ORDER_TYPES), "icebergAllowed": True,
        "ocoAllowed": rules.oco_allowed, "otoAllowed": True, "opoAllowed": True,
        "quoteOrderQtyMarketAllowed": rules.quote_order_qty_market_allowed, "allowTrailingStop": True,
        "cancelReplaceAllowed": True, "amendAllowed": True, "pegInstructionsAllowed": True,
        "isSpotTradingAllowed": rules.spot_allowed, "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": _s(rules.min_price), "maxPrice": _s(rules.max_price),
             "tickSize": _s(rules.tick_size)},
            {"filterType": "LOT_SIZE", "minQty": _s(rules.min_qty), "maxQty": _s(rules.max_qty),
             "stepSize": _s(rules.step_size)},
            {"filterType": "ICEBERG_PARTS", "limit": 100},
            {"filterType": "MARKET_LOT_SIZE", "minQty": _s(rules.market_min_qty),
             "maxQty": _s(rules.market_max_qty), "stepSize": _s(rules.market_step_size)},
            {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000,
             "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
            {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
             "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
            {"filterType": "NOTIONAL", "minNotional": _s(rules.min_notional),
             "applyMinToMarket": rules.min_notional_applies_to_market, "maxNotional": _s(rules.max_notional),
             "applyMaxToMarket": rules.max_notional_applies_to_market, "avgPriceMins": 5},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
            {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10},
        ],
        "permissions": [], "permissionSets": [["SPOT"]], "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def exchange_info(rules: Iterable[SymbolRules], server_time_ms: int) -> dict[str, Any]:
    return {"timezone": "UTC", "serverTime": server_time_ms, "rateLimits": RATE_LIMITS,
            "exchangeFilters": [], "symbols": [symbol_entry(r) for r in rules], "sors": []}
