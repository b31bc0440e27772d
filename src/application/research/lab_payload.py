"""The lab's report as plain data (the JSON for machines; the HTML report draws from the same dict)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from application.research.judge_candidates import Candidate
from application.research.regime_figures import RegimeFigures
from application.research.study_figures import StudyOverfitting
from domain.lab_gate import GateThresholds
from domain.research_trials import TrialRecord
from domain.statistics.clustered import ClusteredMean


def _num(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def clustered(c: ClusteredMean) -> dict[str, Any]:
    return {"count": c.count, "clusters": c.clusters, "mean_pct": _num(c.mean), "se_pct": _num(c.se),
            "ci_low_pct": _num(c.ci_low), "ci_high_pct": _num(c.ci_high), "p_value": _num(c.p_value),
            "df": c.df}


def regimes_payload(figures: RegimeFigures | None) -> dict[str, Any] | None:
    """The market regimes at entry: drift, volatility and both, each {regime: clustered figures}."""
    if figures is None:
        return None
    return {"rule": figures.rule,
            **{part: {name: clustered(m) for name, m in getattr(figures, part)}
               for part in ("drift", "volatility", "combined")}}


def candidate_payload(c: Candidate) -> dict[str, Any]:
    t = c.trust
    return {
        "trial": c.record.number, "params": c.params.as_dict(), "passed": c.passed,
        "failures": list(c.failures),
        "count": t.count, "mean_net_pct": _num(t.mean_pct), "clustered_by": t.cluster_by,
        "clustered": clustered(t.weekly), "daily": clustered(t.daily), "sign_flip_p": _num(t.sign_flip_p),
        "block_bootstrap": {"low_pct": _num(t.bootstrap.low), "high_pct": _num(t.bootstrap.high),
                            "block_days": _num(t.bootstrap.block_days, 2),
                            "resamples": t.bootstrap.resamples},
        "min_detectable_effect_pct": _num(t.detectable_pct),
        "per_period": {name: clustered(m) for name, m in t.per_period},
        "per_regime": regimes_payload(c.regimes),
        "without_best_5_days": clustered(t.without_best_days),
        "market_drift_benchmark_mean_pct": _num(t.benchmark_mean_pct),
        "excess_over_drift": clustered(t.excess),
        "daily_sharpe": _num(c.sharpe.sharpe), "days": c.sharpe.observations,
        "skewness": _num(c.sharpe.skewness), "kurtosis": _num(c.sharpe.kurtosis),
        "deflated_sharpe": _num(c.deflated_sharpe),
        "break_even_round_trip_pct": _num(t.break_even.round_trip_pct),
        "priced_round_trip_pct": _num(t.break_even.priced_at_pct),
        "fee_tiers": [{"tier": v.tier, "round_trip_pct": _num(v.round_trip_pct),
                       "mean_net_pct": _num(v.mean_net_pct), "pays": v.pays} for v in t.break_even.tiers],
        "paying_tier": t.break_even.cheapest_paying,
    }


def verdict(candidates: Sequence[Candidate], study: StudyOverfitting) -> str:
    passed = [c for c in candidates if c.passed]
    if passed:
        best = passed[0]
        return (f"CANDIDATE PASSES: trial {best.record.number}, mean {best.trust.mean_pct:+.4f}% per trade "
                f"(weekly 95% CI {best.trust.weekly.ci_low:+.4f}..{best.trust.weekly.ci_high:+.4f}), DSR "
                f"{best.deflated_sharpe:.3f} over {study.trials} trials, PBO {study.pbo.pbo:.2f}: "
                f"freeze it and test it once on holdout data")
    if not candidates:
        return f"NO EDGE: none of {study.trials} trials traded enough to be judged"
    best = candidates[0]
    return (f"NO EDGE: the best of {study.trials} trials (trial {best.record.number}, mean "
            f"{best.trust.mean_pct:+.4f}% per trade over {best.trust.count} trades) fails: "
            + "; ".join(best.failures))


def lab_payload(meta: Mapping[str, Any], records: Sequence[TrialRecord], study: StudyOverfitting,
                candidates: Sequence[Candidate], thresholds: GateThresholds) -> dict[str, Any]:
    states = {s: sum(r.state == s for r in records) for s in ("complete", "pruned", "failed")}
    return {
        **meta, "verdict": verdict(candidates, study), "trials": states,
        "study": {"trials_counted": study.trials, "complete": study.complete,
                  "sharpe_variance": _num(study.sharpe_variance, 9), "pbo": _num(study.pbo.pbo),
                  "pbo_blocks": study.blocks, "pbo_splits": study.pbo.splits},
        "thresholds": {"min_deflated_sharpe": thresholds.min_deflated_sharpe, "max_pbo": thresholds.max_pbo},
        "trial_values": [{"trial": r.number, "state": r.state, "mean_net_pct": _num(r.value),
                          "count": r.count, "interval_minutes": r.params.get("interval_minutes"),
                          # what it learned and traded (a record made before these dimensions: the defaults)
                          "target": r.params.get("target", "outcome"),
                          "universe": r.params.get("universe", "all"),
                          "quote_asset": r.params.get("quote_asset", "all")}
                         for r in records],
        "candidates": [candidate_payload(c) for c in candidates],
    }
