"""Proper scores of ordinal forecasts, per crisis, and the Monte Carlo error of a mean RPS.

Why per crisis: the cross-validation compares methods crisis by crisis, so a bootstrap over crises keeps each
crisis's scores together (a paired comparison; the interval is evaluation/metrics.py `mean_interval`). All three
scores are negatively oriented (lower is better).
"""

from __future__ import annotations

import numpy as np


def _onehot(y: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), np.asarray(y, dtype=int) - 1] = 1.0
    return out


def rps(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ranked probability score of each row: sum over the K-1 thresholds of (forecast CDF - observed CDF)^2,
    divided by K-1 (Epstein 1969; 0 perfect, 1 worst). Distance-sensitive: war forecast for no violence costs
    more than minor clashes forecast for it."""
    p = np.asarray(p, dtype=float)
    k = p.shape[1]
    gap = np.cumsum(p, axis=1) - np.cumsum(_onehot(y, k), axis=1)
    return (gap[:, :-1] ** 2).sum(axis=1) / (k - 1)


def log_score(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Negative log probability of the observed level (ignorance; natural log)."""
    p = np.asarray(p, dtype=float)
    return -np.log(np.clip(p[np.arange(len(y)), np.asarray(y, dtype=int) - 1], 1e-12, 1.0))


def brier(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Multi-category Brier score of each row: sum over levels of (p - observed)^2 (0 perfect, 2 worst)."""
    p = np.asarray(p, dtype=float)
    return ((p - _onehot(y, p.shape[1])) ** 2).sum(axis=1)


def rps_monte_carlo(p: np.ndarray, y: np.ndarray, runs: int) -> tuple[float, float]:
    """Monte Carlo error of a mean RPS whose forecasts are shares of `runs` runs: (the expected inflation of the
    mean RPS by sampling noise, its standard error), by the delta method on each crisis's cumulative shares
    F_k, with Var F_k = F_k (1 - F_k) / runs and Cov(F_j, F_k) = F_j (1 - F_k) / runs for j <= k (multinomial).
    Why: a grid point run fewer times scores worse by noise alone; this says how much."""
    p = np.asarray(p, dtype=float)
    k = p.shape[1]
    cdf = np.cumsum(p, axis=1)[:, :-1]
    gap = cdf - np.cumsum(_onehot(y, k), axis=1)[:, :-1]
    low = np.minimum(cdf[:, :, None], cdf[:, None, :])
    high = np.maximum(cdf[:, :, None], cdf[:, None, :])
    cov = low * (1.0 - high) / runs
    inflation = np.trace(cov, axis1=1, axis2=2) / (k - 1)
    variance = 4.0 * np.einsum("ij,ijk,ik->i", gap, cov, gap) / (k - 1) ** 2
    return float(inflation.mean()), float(np.sqrt(variance.sum()) / len(p))
