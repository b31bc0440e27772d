"""Position: trailing-stop rule, which exit fires, and the completed trade's net PnL."""

from __future__ import annotations

import pytest

from domain.position import CompletedTrade, ExitPolicy, ExitReason, Position

T = 1_700_000_000_000
POLICY = ExitPolicy(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_sec=300,
                    trailing_activation_pct=0.002, trailing_distance_pct=0.0015)


def position(policy: ExitPolicy = POLICY, entry_fee: float = 0.006, take_profit: float = 100.3) -> Position:
    return Position("ETHUSDT", entry_price=100.0, quantity=0.06, entry_time_ms=T, stop_loss_price=99.6,
                    take_profit_price=take_profit, entry_fee_usdt=entry_fee, policy=policy)


# -- trailing stop --------------------------------------------------------------------------------------
def test_trailing_stays_off_below_the_activation_gain() -> None:
    moved = position().with_price(100.19)
    assert moved.trailing_stop_price is None and moved.highest_price == 100.19


def test_trailing_arms_at_activation_and_follows_the_high() -> None:
    armed = position().with_price(100.2)
    assert armed.trailing_stop_price == pytest.approx(100.2 * (1 - 0.0015))
    higher = armed.with_price(100.25)
    assert higher.trailing_stop_price == pytest.approx(100.25 * (1 - 0.0015))
    assert higher.highest_price == 100.25


def test_trailing_never_moves_down() -> None:
    armed = position().with_price(100.25)
    after_dip = armed.with_price(100.1)
    assert after_dip.trailing_stop_price == armed.trailing_stop_price
    assert after_dip.highest_price == 100.25
    assert after_dip is armed  # nothing changed: the same value comes back


def test_no_trailing_when_the_policy_has_none() -> None:
    plain = ExitPolicy(take_profit_pct=0.003, stop_loss_pct=0.004, timeout_sec=300)
    assert position(plain).with_price(101.0).trailing_stop_price is None


# -- exits ----------------------------------------------------------------------------------------------
def test_no_exit_inside_the_band_before_the_timeout() -> None:
    assert position().exit_due(T + 1000, low=99.9, high=100.2) is None


def test_stop_loss_take_profit_and_timeout() -> None:
    p = position()
    assert p.exit_due(T + 1000, low=99.6) is ExitReason.SL
    assert p.exit_due(T + 1000, low=100.0, high=100.3) is ExitReason.TP
    assert p.exit_due(T + 300_000, low=100.0, high=100.1) is ExitReason.TIMEOUT
    assert p.exit_due(T + 299_999, low=100.0, high=100.1) is None


def test_a_range_touching_both_stop_and_target_counts_as_the_stop() -> None:
    assert position().exit_due(T + 1000, low=99.5, high=100.5) is ExitReason.SL


def test_take_profit_needs_the_high_when_given() -> None:
    assert position().exit_due(T + 1000, low=100.0, high=100.29) is None


def test_trailing_exit_respects_the_minimum_hold() -> None:
    held = ExitPolicy(0.01, 0.004, 300, trailing_activation_pct=0.002, trailing_distance_pct=0.0015,
                      min_hold_sec=60)
    armed = position(held, take_profit=101.0).with_price(100.5)
    assert armed.exit_due(T + 30_000, low=100.3) is None
    assert armed.exit_due(T + 60_000, low=100.3) is ExitReason.TRAILING


def test_timeout_waits_for_a_minimum_hold_longer_than_it() -> None:
    odd = ExitPolicy(0.003, 0.004, timeout_sec=30, min_hold_sec=60)
    assert position(odd).exit_due(T + 45_000, low=100.0) is None
    assert position(odd).exit_due(T + 60_000, low=100.0) is ExitReason.TIMEOUT


# -- completed trade ------------------------------------------------------------------------------------
def test_close_gives_pnl_net_of_the_fees_of_both_legs() -> None:
    done = position(entry_fee=0.006).close(exit_price=100.3, exit_time_ms=T + 127_000, exit_fee_usdt=0.00602,
                                           reason=ExitReason.TP)
    gross = (100.3 - 100.0) * 0.06
    assert done.gross_pnl_usdt == pytest.approx(gross)
    assert done.fees_usdt == pytest.approx(0.01202)
    assert done.pnl_usdt == pytest.approx(gross - 0.01202)
    assert done.pnl_pct == pytest.approx((gross - 0.01202) / 6.0 * 100)
    assert done.duration_sec == 127.0 and done.exit_reason is ExitReason.TP


def test_a_partial_close_carries_its_share_of_the_entry_fee() -> None:
    done = position(entry_fee=0.006).close(exit_price=100.0, exit_time_ms=T + 1000, exit_fee_usdt=0.001,
                                           reason=ExitReason.MANUAL, quantity=0.03)
    assert done.quantity == 0.03
    assert done.fees_usdt == pytest.approx(0.003 + 0.001)


def test_a_round_trip_at_the_same_price_loses_the_fees() -> None:
    flat = CompletedTrade("ETHUSDT", 100.0, 100.0, 0.06, T, T + 1, 0.012, ExitReason.TIMEOUT)
    assert flat.pnl_usdt == pytest.approx(-0.012) and not flat.is_win


def test_exit_reasons_read_as_their_codes() -> None:
    assert f"{ExitReason.KILL_SWITCH}" == "KILL_SWITCH"
    assert ExitReason("TP") is ExitReason.TP


# -- copies ----------------------------------------------------------------------------------------------
def test_copies_keep_every_other_field_as_dataclasses_replace_would() -> None:
    from dataclasses import fields, replace
    full = Position("ETHUSDT", 100.0, 0.06, T, 99.6, 100.3, 0.006, POLICY, highest_price=100.1,
                    trailing_stop_price=None, oco_list_id=7, entry_order_id=11, score=0.8,
                    expected_net_return_pct=0.12)
    moved = full.with_price(100.25)
    expected = replace(full, highest_price=100.25, trailing_stop_price=100.25 * (1 - 0.0015))
    dropped = full.without_oco()
    for f in fields(Position):  # field by field: the NaN-able field is left out of ==
        assert getattr(moved, f.name) == getattr(expected, f.name), f.name
        assert getattr(dropped, f.name) == getattr(replace(full, oco_list_id=-1), f.name), f.name
    assert dropped.oco_list_id == -1 and dropped.without_oco() is dropped
