"""Scores of a predicted outcome distribution against the observed class, and the first response against history.

Brier score: sum over the three classes of (p_k - o_k)^2 (0 best, 2 worst). Ranked probability score (Epstein
1969; Murphy 1971): the classes are ordered (de-escalation < protracted < war), and RPS = 1/(K-1) sum over
k < K of (P_k - O_k)^2 with P_k, O_k the cumulative forecast and observed shares of the first k classes (0 best,
1 worst): a forecast of "protracted" for a war is penalised less than one of "de-escalation". Log score: log p
of the observed class, in nats. A share of 0 in `n` runs would give log 0, so the log score uses Jeffreys
smoothing of the counts, (count + 1/2) / (n + 3/2); the always-"de-escalation" baseline is smoothed the same
way, as if it had answered "de-escalation" in all `n` runs, so the two are on the same footing. Brier and
ranked probability scores are not smoothed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..results.outcomes import OUTCOMES

JEFFREYS = 0.5


def brier(shares: Mapping[str, float], observed: str) -> float:
    return float(sum((shares.get(k, 0.0) - (1.0 if k == observed else 0.0)) ** 2 for k in OUTCOMES))


def rps(shares: Mapping[str, float], observed: str) -> float:
    """The ranked probability score of a distribution over the ordered classes `OUTCOMES`."""
    forecast = observation = total = 0.0
    for k in OUTCOMES[:-1]:
        forecast += shares.get(k, 0.0)
        observation += 1.0 if k == observed else 0.0
        total += (forecast - observation) ** 2
    return total / (len(OUTCOMES) - 1)


def mean_interval(values: Sequence[float], level: float = 0.9, seed: int = 0) -> tuple[float, float]:
    """A percentile bootstrap interval of the mean over cases resampled with replacement (scipy.stats.bootstrap,
    9,999 resamples, seeded). The one interval of the project: the protocol's gains over library cases and the ICB
    cross-validation's paired score differences over crises (icb/report.py, icb/compare.py) both use it. NaNs with
    fewer than two cases (nothing to resample); values without spread give that value at both ends."""
    import numpy as np
    from scipy.stats import bootstrap

    data = np.asarray(values, dtype=float)
    if len(data) < 2:
        return math.nan, math.nan
    res = bootstrap(
        (data,),
        np.mean,
        confidence_level=level,
        method="percentile",
        n_resamples=9999,
        random_state=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def uniform() -> dict[str, float]:
    return {k: 1.0 / len(OUTCOMES) for k in OUTCOMES}


def class_frequencies(observed: Sequence[str]) -> dict[str, float]:
    """The share of each class among observed outcomes (climatology); uniform if there are none."""
    if not observed:
        return uniform()
    return {k: sum(o == k for o in observed) / len(observed) for k in OUTCOMES}


def smoothed(counts: Mapping[str, int], n: int) -> dict[str, float]:
    """Jeffreys-smoothed class probabilities from counts over `n` runs."""
    return {k: (counts.get(k, 0) + JEFFREYS) / (n + JEFFREYS * len(OUTCOMES)) for k in OUTCOMES}


def log_score(counts: Mapping[str, int], n: int, observed: str) -> float:
    return math.log(smoothed(counts, n)[observed])


def always(cls: str, n: int) -> dict[str, int]:
    """The counts of a baseline that answers `cls` in every one of `n` runs."""
    return {k: (n if k == cls else 0) for k in OUTCOMES}
