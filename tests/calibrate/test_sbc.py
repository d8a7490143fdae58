"""The grid posterior and simulation-based calibration on toy simulators whose posterior is known (issue 20,
item 3): the machinery must find uniform ranks when the posterior is right and reject them when it is not."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from escalation_sim.calibrate.sampler import Param
from escalation_sim.calibrate.sbc import Grid, log_posterior, posterior_draws, rank_test, sbc_ranks, summary, tabulate

UNIT = (Param("p", 0.0, 1.0),)


def bernoulli_table(grid: Grid, cases: int, temper: float = 1.0) -> np.ndarray:
    """Each case's outcome is class 1 with probability theta, class 0 otherwise (three classes, the third never
    happens): the posterior of theta after k ones in n cases, uniform prior, is Beta(k + 1, n - k + 1).
    `temper` raises the likelihood to a power: a wrong (over- or under-confident) posterior."""

    def log_proba(centres: np.ndarray, case: int) -> np.ndarray:
        p = centres[:, 0]
        with np.errstate(divide="ignore"):
            return temper * np.log(np.column_stack([1 - p, p, np.zeros_like(p)]))

    return tabulate(grid, log_proba, cases)


def test_the_grid_posterior_matches_the_analytic_beta_posterior() -> None:
    grid = Grid(UNIT, 400)
    outcomes = np.array([1, 1, 0, 1, 0, 1, 1, 1, 0, 1])  # 7 ones in 10
    sample = posterior_draws(grid, log_posterior(bernoulli_table(grid, 10), outcomes), 40_000, np.random.default_rng(1))
    beta = stats.beta(8, 4)
    s = summary(sample, UNIT)["p"]
    assert s["mean"] == pytest.approx(beta.mean(), abs=0.004)
    assert s["low"] == pytest.approx(beta.ppf(0.05), abs=0.006)
    assert s["high"] == pytest.approx(beta.ppf(0.95), abs=0.006)
    assert stats.kstest(sample[:, 0], beta.cdf).pvalue > 0.001


def simulate_toy(truths: np.ndarray, cases: int, rng: np.random.Generator) -> np.ndarray:
    return (rng.random((len(truths), cases)) < truths[:, :1]).astype(int)


def test_sbc_ranks_are_uniform_for_the_right_posterior_and_not_for_a_wrong_one() -> None:
    rng = np.random.default_rng(7)
    grid, cases, replications, draws = Grid(UNIT, 200), 8, 600, 99
    truths = rng.random((replications, 1))
    outcomes = simulate_toy(truths, cases, rng)
    right = rank_test(sbc_ranks(grid, bernoulli_table(grid, cases), truths, outcomes, draws, rng), draws)[0]
    assert right["p_value"] > 0.01, right
    assert sum(right["counts"]) == replications
    narrow = rank_test(sbc_ranks(grid, bernoulli_table(grid, cases, 4.0), truths, outcomes, draws, rng), draws)[0]
    wide = rank_test(sbc_ranks(grid, bernoulli_table(grid, cases, 0.25), truths, outcomes, draws, rng), draws)[0]
    assert narrow["p_value"] < 1e-4 and wide["p_value"] < 1e-4
    # an over-confident posterior leaves the truth in its tails (a U), an under-confident one in its middle
    edges = lambda c: c[0] + c[-1]  # noqa: E731
    assert edges(narrow["counts"]) > 2 * edges(right["counts"]) > 2 * edges(wide["counts"])


def test_two_parameters_three_classes_on_the_grid() -> None:
    """A softmax toy in two parameters with case-specific slopes: SBC uniform on both parameters."""
    params = (Param("a", -1.0, 1.0), Param("b", 0.0, 2.0))
    slopes = np.array([[2.0, -1.0], [-1.5, 2.5], [0.5, 1.0], [3.0, 0.0]])

    def probs(theta: np.ndarray, case: int) -> np.ndarray:
        eta = np.column_stack([np.zeros(len(theta)), theta @ slopes[case], theta[:, 1] - theta[:, 0]])
        return np.exp(eta - np.logaddexp.reduce(eta, axis=1, keepdims=True))

    grid = Grid(params, 60)
    table = tabulate(grid, lambda c, case: np.log(probs(c, case)), len(slopes))
    rng = np.random.default_rng(3)
    lows, highs = np.array([-1.0, 0.0]), np.array([1.0, 2.0])
    truths = lows + (highs - lows) * rng.random((400, 2))
    outcomes = np.empty((400, len(slopes)), dtype=int)
    for case in range(len(slopes)):
        cum = probs(truths, case).cumsum(axis=1)
        outcomes[:, case] = (rng.random((400, 1)) > cum).sum(axis=1)
    result = rank_test(sbc_ranks(grid, table, truths, outcomes, 49, rng), 49, bins=5)
    assert all(r["p_value"] > 0.01 for r in result), result


def test_rank_bins_must_split_evenly_and_impossible_data_is_refused() -> None:
    with pytest.raises(ValueError, match="equal bins"):
        rank_test(np.zeros((5, 1), dtype=int), 100, bins=10)
    grid = Grid(UNIT, 10)
    table = bernoulli_table(grid, 2)
    with pytest.raises(ValueError, match="probability 0"):
        posterior_draws(grid, log_posterior(table, np.array([2, 2])), 10, np.random.default_rng(0))
