"""The lab's gate (issue 16 item 4): open only on positive out-of-time evidence with DSR and PBO beyond the
thresholds; every failing test is named with its numbers."""

from __future__ import annotations

import math
from dataclasses import replace

from domain.lab_gate import GateEvidence, GateThresholds, judge_gate

PASSING = GateEvidence("holdout", trades=120, mean_net_pct=0.08, ci_low_pct=0.02, ci_high_pct=0.14,
                       deflated_sharpe=0.97, pbo=0.1)


def test_passing_evidence_opens_the_gate() -> None:
    verdict = judge_gate(PASSING, GateThresholds())
    assert verdict.open and verdict.failures == () and verdict.reason == "passed"


def test_no_evidence_keeps_it_closed_and_says_no_holdout_passed_with_the_known_figures() -> None:
    verdict = judge_gate(None, GateThresholds(), known="9 validation trades, mean -0.2997%")
    assert not verdict.open
    assert verdict.failures[0].startswith("no holdout passed")
    assert "9 validation trades, mean -0.2997%" in verdict.reason


def test_each_failing_test_is_named_with_its_numbers() -> None:
    cases = {
        "mean net return -0.0100% per trade over 120 trades (not above 0)":
            replace(PASSING, mean_net_pct=-0.01),
        "95% interval of the mean -0.0300%..+0.1400%": replace(PASSING, ci_low_pct=-0.03),
        "deflated Sharpe ratio 0.900 < 0.95": replace(PASSING, deflated_sharpe=0.9),
        "probability of backtest overfitting 0.350 > 0.2": replace(PASSING, pbo=0.35),
        "holdout: no trade": replace(PASSING, trades=0, mean_net_pct=math.nan, ci_low_pct=math.nan),
    }
    for expected, evidence in cases.items():
        verdict = judge_gate(evidence, GateThresholds())
        assert not verdict.open
        assert any(expected in failure for failure in verdict.failures), (expected, verdict.failures)


def test_undefined_figures_fail_rather_than_pass() -> None:
    verdict = judge_gate(replace(PASSING, deflated_sharpe=math.nan, pbo=math.nan), GateThresholds())
    assert verdict.failures == ("deflated Sharpe ratio n/a < 0.95",
                                "probability of backtest overfitting n/a > 0.2")


def test_the_thresholds_decide() -> None:
    assert not judge_gate(PASSING, GateThresholds(min_deflated_sharpe=0.99)).open
    assert not judge_gate(PASSING, GateThresholds(max_pbo=0.05)).open
    assert judge_gate(replace(PASSING, pbo=0.3), GateThresholds(max_pbo=0.5)).open
