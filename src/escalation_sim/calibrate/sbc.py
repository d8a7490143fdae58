"""The emulator's posterior on a grid, and its check by simulation-based calibration (Talts et al. 2018).

Posterior. With one observed outcome class y_c per case and a uniform prior on the box,

    p(theta | y) propto prod_c q(y_c | theta, c)

evaluated at the centres of a regular grid of G cells per parameter (G^d cells); a draw picks a cell with
probability proportional to its posterior value and a point uniformly inside it (the surface is taken flat
within a cell). Why a grid and not emcee: three parameters, a likelihood that costs one table look-up per case
once the emulator's log-probabilities are tabulated on the grid, so the posterior of each of hundreds of SBC
replications is exact up to the grid and costs microseconds, with no chain to converge.

SBC. Draw theta* from the prior, simulate one outcome per case at theta* (the same data-generating process as
the record: one outcome per crisis), compute the posterior from the emulator and record, for each parameter,
the rank of theta* among L independent posterior draws: the number of draws below it, 0..L. If the posterior
is right (emulator and grid included), the ranks are uniform on 0..L over replications (Talts et al. 2018,
Theorem 1). Ranks are grouped into B equal bins and tested against uniform by Pearson's chi-square (B - 1
degrees of freedom); a U shape says the posterior is too narrow, a hump too wide, a slope biased.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .sampler import Param


@dataclass(frozen=True)
class Grid:
    """G cells per parameter over the boxes: the cells' centres (G^d, d) and the widths (d,)."""

    params: tuple[Param, ...]
    cells: int

    @property
    def widths(self) -> np.ndarray:
        return np.array([(p.high - p.low) / self.cells for p in self.params])

    @property
    def centres(self) -> np.ndarray:
        axes = [p.low + (np.arange(self.cells) + 0.5) * (p.high - p.low) / self.cells for p in self.params]
        return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(self.params))


def tabulate(grid: Grid, log_proba: Callable[[np.ndarray, int], np.ndarray], cases: int) -> np.ndarray:
    """log q(class | centre, case) for every case, centre and class: (cases, G^d, classes)."""
    centres = grid.centres
    return np.stack([log_proba(centres, c) for c in range(cases)])


def log_posterior(table: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """log p(cell | y) up to a constant (uniform prior): sum over cases of the observed class's log q, (G^d,)."""
    outcomes = np.asarray(outcomes, dtype=int)
    return table[np.arange(len(outcomes)), :, outcomes].sum(axis=0)


def posterior_draws(grid: Grid, logpost: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """`draws` independent points from the grid posterior (cell by its weight, uniform within the cell)."""
    if not np.isfinite(logpost).any():
        raise ValueError("the outcomes have probability 0 at every grid cell under the emulator")
    weights = np.exp(logpost - logpost.max())
    cells = rng.choice(len(weights), size=draws, p=weights / weights.sum())
    return grid.centres[cells] + (rng.random((draws, len(grid.params))) - 0.5) * grid.widths


def summary(samples: np.ndarray, params: Sequence[Param], level: float = 0.90) -> dict[str, dict[str, float]]:
    """Per parameter: mean, median and the central `level` interval of posterior draws."""
    tail = (1 - level) / 2
    return {
        p.name: {
            "mean": float(samples[:, j].mean()),
            "median": float(np.median(samples[:, j])),
            "low": float(np.quantile(samples[:, j], tail)),
            "high": float(np.quantile(samples[:, j], 1 - tail)),
        }
        for j, p in enumerate(params)
    }


def sbc_ranks(
    grid: Grid, table: np.ndarray, truths: np.ndarray, outcomes: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """For each replication r (truth theta*_r, outcomes (cases,) simulated at it): the rank of theta*_r among
    `draws` posterior draws, per parameter: (replications, d) integers in 0..draws."""
    ranks = np.empty(truths.shape, dtype=int)
    for r in range(len(truths)):
        sample = posterior_draws(grid, log_posterior(table, outcomes[r]), draws, rng)
        ranks[r] = (sample < truths[r][None, :]).sum(axis=0)
    return ranks


def rank_test(ranks: np.ndarray, draws: int, bins: int = 10) -> list[dict[str, float | list[int]]]:
    """Per parameter: the rank counts in `bins` equal bins of 0..draws, Pearson's chi-square against uniform and
    its p-value (bins - 1 degrees of freedom). (draws + 1) must be a multiple of `bins`."""
    if (draws + 1) % bins:
        raise ValueError(f"draws + 1 = {draws + 1} ranks do not split into {bins} equal bins")
    out = []
    for j in range(ranks.shape[1]):
        counts = np.bincount(ranks[:, j] * bins // (draws + 1), minlength=bins)
        test = stats.chisquare(counts)
        out.append({"counts": counts.tolist(), "chi2": float(test.statistic), "p_value": float(test.pvalue)})
    return out
