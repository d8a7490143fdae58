"""Numbers for people: probabilities that never print a nonzero chance as 0.00.

Shared by the command line, the classroom's briefings and debriefs, and decision reasons: a choice the rule
gave 0.0027 reads p=2.7e-03, not p=0.00 (which a student reads as "impossible").
"""

from __future__ import annotations

import math

SMALL = 0.01  # below this, two decimals would round a real chance to 0.00: scientific notation instead


def format_probability(p: float | None, digits: int = 2) -> str:
    """`0.42`, `2.7e-03` for small nonzero values, `0` for zero, `-` for missing (None or NaN)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    if p == 0:
        return "0"
    if abs(p) < SMALL:
        return f"{p:.1e}"
    return f"{p:.{digits}f}"
