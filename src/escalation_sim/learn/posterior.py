"""One estimated parameter's row in the fit's tables: the weights, the floors, the intercept's sd and the
operations' hazards are all summarised the same way (learn/run.py writes them)."""

from __future__ import annotations

import numpy as np


def summary(mode: float, values: np.ndarray, rhat: float, ess: float) -> dict[str, float]:
    """Mode, posterior mean, sd, 5% and 95% of a parameter's draws `values` (S,) on its natural scale, with the
    R-hat and bulk ESS of the quantity sampled (e.g. its logit)."""
    return {
        "mode": float(mode),
        "mean": float(values.mean()),
        "sd": float(values.std(ddof=1)),
        "q05": float(np.quantile(values, 0.05)),
        "q95": float(np.quantile(values, 0.95)),
        "rhat": float(rhat),
        "ess_bulk": float(ess),
    }
