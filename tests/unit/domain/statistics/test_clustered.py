"""Clustered means against statsmodels, the sign-flip test, the bootstrap and the detectable effect."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.statistics.block_bootstrap import block_bootstrap_mean
from domain.statistics.clustered import (
    clustered_mean,
    minimum_detectable_effect,
    sign_flip_p,
    t_quantile,
)
from domain.time_units import DAY_MS


def _clustered_sample(seed: int, clusters: int = 12, per: int = 40, shift: float = 0.0
                      ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(clusters), per)
    values = rng.normal(0, 1, clusters)[group] + rng.normal(0, 0.5, len(group)) + shift
    return values, group.astype(np.int64)


def test_the_standard_error_is_statsmodels_cluster_robust_ols() -> None:
    sm = pytest.importorskip("statsmodels.api")
    values, group = _clustered_sample(3)
    fit = sm.OLS(values, np.ones(len(values))).fit(cov_type="cluster", cov_kwds={"groups": group})
    ours = clustered_mean(values, group)
    assert ours.mean == pytest.approx(float(fit.params[0]))
    assert ours.se == pytest.approx(float(fit.bse[0]), rel=1e-10)
    assert ours.clusters == 12 and ours.df == 11
    half = t_quantile(0.975, 11) * ours.se
    assert (ours.ci_low, ours.ci_high) == pytest.approx((ours.mean - half, ours.mean + half))


def test_clustering_widens_the_interval_of_correlated_trades() -> None:
    values, group = _clustered_sample(4)
    naive = values.std(ddof=1) / math.sqrt(len(values))
    assert clustered_mean(values, group).se > 2 * naive


def test_one_cluster_has_no_interval() -> None:
    result = clustered_mean(np.array([1.0, 2.0]), np.array([5, 5]))
    assert result.mean == 1.5 and math.isnan(result.se) and math.isnan(result.ci_low)


def test_sign_flip_is_exact_for_few_clusters() -> None:
    """Four clusters all positive: only the all-plus and all-minus patterns reach |total|: p = 2/16."""
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert sign_flip_p(values, np.arange(4)) == pytest.approx(2 / 16)


def test_a_planted_edge_is_found_and_nothing_is_not() -> None:
    edge, group = _clustered_sample(5, clusters=30, shift=1.5)
    nothing, group0 = _clustered_sample(6, clusters=30)
    found = clustered_mean(edge, group)
    assert found.ci_low > 0 and found.p_value < 0.01 and sign_flip_p(edge, group, seed=1) < 0.01
    null = clustered_mean(nothing, group0)
    assert null.ci_low < 0 < null.ci_high and sign_flip_p(nothing, group0, seed=1) > 0.05


def test_the_detectable_effect_is_about_2_8_standard_errors_with_many_clusters() -> None:
    assert minimum_detectable_effect(0.1, 10_000) == pytest.approx(0.28016, abs=1e-3)
    assert minimum_detectable_effect(0.1, 4) > minimum_detectable_effect(0.1, 40)
    assert math.isnan(minimum_detectable_effect(math.nan, 4))


def test_the_block_bootstrap_brackets_the_mean_and_sees_a_planted_edge() -> None:
    rng = np.random.default_rng(8)
    time = np.sort(rng.integers(0, 60 * DAY_MS, 3000)).astype(np.int64)
    day_shock = rng.normal(0, 0.5, 60)[time // DAY_MS]
    for shift, has_edge in ((0.6, True), (0.0, False)):
        values = day_shock + rng.normal(0, 1, len(time)) + shift
        interval = block_bootstrap_mean(values, time, seed=3)
        assert interval.low < values.mean() < interval.high
        assert (interval.low > 0) is has_edge
