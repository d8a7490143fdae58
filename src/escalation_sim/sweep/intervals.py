"""The Wilson score interval of a share of runs: beside every outcome share the package reports.

In the sweep layer (below the analysis layer that re-exports it) so that the tournament's standings, which the
command line ranks, use the same interval as the sweep summaries and figures.
"""

from __future__ import annotations

import math

from scipy.special import ndtri


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion, NaN for no trials.

    scipy's `binomtest(k, n).proportion_ci(method="wilson")` formula (Newcombe 1998) to the last bit, without
    importing scipy.stats (half a second at the start of `escalation-sim distribution`).
    """
    if trials == 0:
        return (float("nan"), float("nan"))
    k, n = int(successes), int(trials)
    p = k / n
    z = float(ndtri(0.5 + 0.5 * confidence))
    z2 = z * z
    denom = 2 * (n + z2)
    center = (2 * n * p + z2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z2)
    return (0.0 if k == 0 else center - delta, 1.0 if k == n else center + delta)
