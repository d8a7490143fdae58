"""10-fold cross-validation over crises: the shared parameter fitted on nine folds by simulation, scored on the tenth.

Simulation-based fit (as in the speed issue's machinery): every crisis is simulated once per value of a grid of
`grievance_scale`, with the same seeds for every value (common random numbers, so values differ by the parameter,
not by luck). For each fold, the value with the lowest mean ranked probability score on the other nine folds is
chosen, and the tenth fold's predictions are the runs at that value. The base rate and the ordered logit are
fitted on the same nine folds. Folds are a seeded permutation of the crises (`fold_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .baselines import base_rate, covariates, ordered_logit
from .codebook import OUTCOME_FORMS, VIOLENCE_LEVELS, VIOLENCE_VARIABLE
from .data import IcbData
from .observe import summarise
from .predict import build_jobs
from .scores import rps
from .simulate import simulate

GRID = (0.0, 0.25, 0.5, 1.0, 2.0)
FOLDS = 10
P = [f"p_viol_{lv}" for lv in VIOLENCE_LEVELS]


@dataclass
class CrossValidation:
    table: pd.DataFrame  # one row per crisis: fold, observed codes, the three methods' level probabilities, ...
    thetas: dict[int, float]  # fold -> fitted grievance_scale
    theta_all: float  # fitted on every crisis (the default of `icb predict`)
    grid_rps: pd.DataFrame  # mean RPS of each grid value over all crises (for the record)


def fold_of(crisnos: np.ndarray, seed: int, folds: int = FOLDS) -> np.ndarray:
    """Fold 0..folds-1 of each crisis: a seeded permutation dealt round-robin (sizes differ by at most one)."""
    order = np.random.default_rng(seed).permutation(len(crisnos))
    out = np.empty(len(crisnos), dtype=int)
    out[order] = np.arange(len(crisnos)) % folds
    return out


def simulate_grid(
    data: IcbData, runs: int, seed: int, workers: int, progress: Callable[[int, int], None] | None = None
) -> dict[float, pd.DataFrame]:
    """Per grid value, one summary row per mappable crisis (index crisno), from `runs` runs with common seeds."""
    jobs = []
    for theta in GRID:
        found, reasons = build_jobs(data, theta, key=lambda c, t=theta: (t, c))
        if reasons:
            raise ValueError(f"crises that cannot be mapped cannot be cross-validated: {reasons}")
        jobs += found
    total = len(jobs) * runs
    frames = simulate(jobs, runs, seed, workers, (lambda n: progress(n, total)) if progress else None)
    out = {}
    for theta in GRID:
        rows = {crisno: summarise(frames[(theta, crisno)]) for crisno in data.crises["crisno"].astype(int)}
        out[theta] = pd.DataFrame.from_dict(rows, orient="index")
    return out


def cross_validate(data: IcbData, grid: dict[float, pd.DataFrame], seed: int) -> CrossValidation:
    """Fit and score, fold by fold, from the simulated grid (no new runs)."""
    crises = data.crises.set_index("crisno")
    index = crises.index.to_numpy()
    y = crises[VIOLENCE_VARIABLE].astype(int).to_numpy()
    folds = fold_of(index, seed)
    per_value = np.column_stack([rps(grid[t].loc[index, P].to_numpy(), y) for t in GRID])
    x = covariates(data).loc[index]
    table = pd.DataFrame({"crisno": index, "fold": folds, "y": y}).set_index("crisno")
    table["violent_cm"] = (crises["crismg"] == 8).astype(int).to_numpy()
    table["forout"] = crises["forout"].to_numpy()
    table["brexit"] = crises["brexit"].to_numpy()
    for col in ("base", "ologit", "model"):
        for lv in VIOLENCE_LEVELS:
            table[f"{col}_{lv}"] = np.nan
    thetas = {}
    extra = ["p_violent_cm", *[f"p_out_{f}" for f in OUTCOME_FORMS], "expected_days"]
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        best = GRID[int(np.argmin(per_value[train].mean(axis=0)))]
        thetas[k] = best
        rows = index[test]
        table.loc[rows, [f"model_{lv}" for lv in VIOLENCE_LEVELS]] = grid[best].loc[rows, P].to_numpy()
        for name in extra:
            table.loc[rows, name] = grid[best].loc[rows, name].to_numpy()
        table.loc[rows, "theta"] = best
        table.loc[rows, [f"base_{lv}" for lv in VIOLENCE_LEVELS]] = base_rate(y[train], int(test.sum()))
        table.loc[rows, [f"ologit_{lv}" for lv in VIOLENCE_LEVELS]] = ordered_logit(x[train], y[train], x[test])
        table.loc[rows, "base_violent_cm"] = table.loc[index[train], "violent_cm"].mean()
        table.loc[rows, "base_days"] = float(np.median(table.loc[index[train], "brexit"]))
    grid_rps = pd.DataFrame({"grievance_scale": GRID, "mean_rps_all_crises": per_value.mean(axis=0)})
    theta_all = GRID[int(np.argmin(per_value.mean(axis=0)))]
    return CrossValidation(table.reset_index(), thetas, theta_all, grid_rps)
