"""The requests the adapter signs on its event loop are byte for byte the ones binance-connector would send:
same method, path, parameter order and encoding, same HMAC-SHA256 signature, the signature pair last."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from binance.error import ParameterRequiredError
from binance.spot import Spot

from adapters.binance import order_params
from adapters.binance.rest_request import Signer, rest_request
from adapters.binance.signed_rest import wire
from domain.orders import OrderRequest, OrderType, TimeInForce
from domain.values import Side

SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
NOW_MS = 1_775_001_600_123


class ConnectorWire(Spot):  # type: ignore[misc]
    """The connector itself, stopped where it would hand the request to `requests`."""

    def send_request(self, http_method: str, url_path: str, payload: dict[str, Any] | None = None) -> Any:
        query = self._prepare_params(payload or {})
        return http_method, f"{url_path}?{query}" if query else url_path


@pytest.fixture
def connector(monkeypatch: pytest.MonkeyPatch) -> ConnectorWire:
    monkeypatch.setattr("binance.api.get_timestamp", lambda: NOW_MS)
    return ConnectorWire("key", SECRET)


def ours(method: str, **params: Any) -> tuple[str, str]:
    request = rest_request(method, params)
    return request.http_method, Signer(SECRET).path_and_query(request, NOW_MS)


def order_args(request: OrderRequest) -> dict[str, Any]:
    args = {name: wire(value) for name, value in order_params.order(request).items() if value is not None}
    return {**args, "recvWindow": 5000}


@pytest.mark.parametrize("request_", [
    OrderRequest("BTCUSDT", Side.BUY, OrderType.MARKET, "cs-run7-BTCUSDT-12", quote_quantity=Decimal("10.5")),
    OrderRequest("XRPUSDT", Side.SELL, OrderType.LIMIT, "cs:x/1.a_b", quantity=Decimal("1E+1"),
                 price=Decimal("0.5000"), time_in_force=TimeInForce.IOC),
])
def test_an_order_is_signed_and_encoded_as_the_connector_does(connector: ConnectorWire,
                                                               request_: OrderRequest) -> None:
    args = order_args(request_)
    method, target = ours("new_order", **args)
    assert (method, target) == connector.new_order(**args)
    assert method == "POST" and target.startswith("/api/v3/order?symbol=")
    assert target.split("&")[-2] == f"timestamp={NOW_MS}" and target.split("&")[-1].startswith("signature=")


def test_queries_and_unsigned_calls_match_the_connector(connector: ConnectorWire) -> None:
    assert ours("get_order", symbol="XRPUSDT", origClientOrderId="a b", recvWindow=5000) == \
        connector.get_order(symbol="XRPUSDT", origClientOrderId="a b", recvWindow=5000)
    assert ours("cancel_order", symbol="XRPUSDT", orderId=7, recvWindow=5000) == \
        connector.cancel_order(symbol="XRPUSDT", orderId=7, recvWindow=5000)
    assert ours("time") == ("GET", "/api/v3/time") == connector.time()
    assert ours("exchange_info") == connector.exchange_info()


def test_the_connector_checks_still_refuse_a_request_before_it_is_built() -> None:
    with pytest.raises(ParameterRequiredError):
        rest_request("new_order", {"symbol": "XRPUSDT", "side": "BUY", "type": ""})
