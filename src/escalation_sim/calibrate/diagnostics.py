"""What a chain says: posterior samples after burn-in, intervals, and convergence diagnostics (arviz).

Why these: the split R-hat and bulk effective sample size of Vehtari et al. (2021), as arviz computes them,
treating each walker as a chain. Walkers of an ensemble sampler are not independent, so R-hat here is a
warning light (above 1.1: run longer), not a proof of convergence; emcee's integrated autocorrelation time is
reported beside it. The first half of the chain is discarded as burn-in.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

INTERVAL = 0.90  # central posterior interval reported (and used for the recovery check)


def posterior(chain: pd.DataFrame) -> pd.DataFrame:
    """The second half of the chain (burn-in dropped)."""
    steps = int(chain["step"].max()) + 1
    return chain[chain["step"] >= steps // 2].reset_index(drop=True)


def summarize(chain: pd.DataFrame, names: list[str]) -> dict[str, Any]:
    """Per parameter: mean, median, the 90% interval, R-hat, bulk ESS, autocorrelation time; and the best point."""
    import arviz as az
    import emcee

    post = posterior(chain)
    walkers = int(post["walker"].nunique())
    out: dict[str, Any] = {
        "interval": INTERVAL,
        "samples": len(post),
        "walkers": walkers,
        "steps": int(chain["step"].max()) + 1,
        "burn_in": int(chain["step"].max() + 1) // 2,
        "parameters": {},
    }
    tail = (1 - INTERVAL) / 2
    for name in names:
        grid = post.pivot(index="walker", columns="step", values=name).to_numpy()  # (walkers, steps)
        with warnings.catch_warnings():  # more walkers than steps is normal for a short ensemble chain
            warnings.simplefilter("ignore")
            tree = az.from_dict({"posterior": {"x": grid}})
        rhat = float(az.rhat(tree)["x"].values) if grid.shape[1] >= 4 else math.nan
        ess = float(az.ess(tree)["x"].values) if grid.shape[1] >= 4 else math.nan
        try:
            tau = float(emcee.autocorr.integrated_time(grid.T[:, :, None], quiet=True)[0])
        except Exception:  # too short a chain to say
            tau = math.nan
        values = post[name].to_numpy()
        out["parameters"][name] = {
            "mean": float(values.mean()),
            "median": float(np.median(values)),
            "low": float(np.quantile(values, tail)),
            "high": float(np.quantile(values, 1 - tail)),
            "rhat": rhat,
            "ess_bulk": ess,
            "autocorr_steps": tau,
        }
    best = chain.loc[chain["log_posterior"].idxmax()]
    out["best"] = {name: float(best[name]) for name in names} | {"log_posterior": float(best["log_posterior"])}
    out["acceptance"] = _acceptance(chain, names)
    return out


def _acceptance(chain: pd.DataFrame, names: list[str]) -> float:
    """Share of walker-steps that moved."""
    ordered = chain.sort_values(["walker", "step"])
    moved = ordered.groupby("walker")[names].diff().abs().sum(axis=1) > 0
    first = ordered.groupby("walker").cumcount() == 0
    return float(moved[~first].mean()) if (~first).any() else math.nan
