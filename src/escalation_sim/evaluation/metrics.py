"""Scores of a predicted outcome distribution against the observed class, and the first response against history.

Brier score: sum over the three classes of (p_k - o_k)^2 (0 best, 2 worst). Log score: log p of the observed
class, in nats. A share of 0 in `n` runs would give log 0, so the log score uses Jeffreys smoothing of the
counts, (count + 1/2) / (n + 3/2); the always-"de-escalation" baseline is smoothed the same way, as if it had
answered "de-escalation" in all `n` runs, so the two are on the same footing. Brier scores are not smoothed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..results.outcomes import OUTCOMES

JEFFREYS = 0.5


def brier(shares: Mapping[str, float], observed: str) -> float:
    return float(sum((shares.get(k, 0.0) - (1.0 if k == observed else 0.0)) ** 2 for k in OUTCOMES))


def smoothed(counts: Mapping[str, int], n: int) -> dict[str, float]:
    """Jeffreys-smoothed class probabilities from counts over `n` runs."""
    return {k: (counts.get(k, 0) + JEFFREYS) / (n + JEFFREYS * len(OUTCOMES)) for k in OUTCOMES}


def log_score(counts: Mapping[str, int], n: int, observed: str) -> float:
    return math.log(smoothed(counts, n)[observed])


def always(cls: str, n: int) -> dict[str, int]:
    """The counts of a baseline that answers `cls` in every one of `n` runs."""
    return {k: (n if k == cls else 0) for k in OUTCOMES}
