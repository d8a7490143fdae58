"""Leave-one-out over the library by Pareto-smoothed importance sampling (Vehtari, Gelman & Gabry 2017).

One calibration of the shared parameters on every case (the same sampler and settings as the train fit); at
`loo_draws` posterior draws (the second half of the chain, evenly thinned; each distinct point evaluated once),
each case's record log-likelihood by the particle filter, seeded from the point as the calibration seeds it, so
the cases' values add up to the chain's own log posterior at that point. `arviz.loo` on that draws x cases
matrix gives the expected log predictive density of each case left out, and the Pareto k that says whether the
importance weights can be trusted (k above arviz's threshold, min(1 - 1/log10 S, 0.7) for S draws: not; an exact
refit without the case would be needed).

Caveat, reported beside the numbers: the per-case values are particle-filter estimates (noisy, unbiased on the
likelihood scale), and the draws come from a short ensemble chain; both widen what PSIS already flags.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..calibrate import Param, calibrate
from ..calibrate.sampler import with_values
from ..scenario import Scenario
from ..score.filter import run_filter
from ..score.parallel import map_calls
from ..score.record import scored_days


def case_loglik(data: dict[str, Any], changes: dict[str, float], theta: list[float], particles: int) -> float:
    seed = int.from_bytes(hashlib.sha256(np.asarray(theta, dtype=float).tobytes()).digest()[:8], "little")
    scenario = with_values(data, changes)
    return run_filter(scenario, scored_days(scenario, "record"), particles, seed).log_likelihood


def loglik_matrix(
    cases: list[Scenario], draws: pd.DataFrame, names: list[str], s: Any, tick: Callable[[str, int, int], None]
) -> tuple[np.ndarray, int]:
    """Each case's record log-likelihood at each posterior draw (draws x cases), and how many distinct points
    were evaluated.

    A pseudo-marginal chain repeats a point until a proposal is accepted: each distinct point is evaluated
    once and its values repeated, as the draws repeat it (its filter is seeded from the point, as in the fit).
    """
    points = draws.drop_duplicates().reset_index(drop=True)
    datas = [c.model_dump(mode="json") for c in cases]
    calls = []
    for _, row in points.iterrows():
        theta = [float(row[n]) for n in names]
        changes = dict(zip(names, theta, strict=True))
        calls += [(d, changes, theta, s.loo_particles) for d in datas]
    count = [0]

    def one() -> None:
        count[0] += 1
        tick("LOO log-likelihoods", count[0], len(calls))

    values = map_calls(case_loglik, calls, "process", s.workers, done=one)
    unique = np.asarray(values, dtype=float).reshape(len(points), len(cases))
    index = {tuple(row): i for i, row in enumerate(points.to_numpy().tolist())}
    matrix = unique[[index[tuple(row)] for row in draws.to_numpy().tolist()]]
    return matrix, len(points)


def psis_loo(
    cases: list[Scenario], params: list[Param], folder: Path, s: Any, tick: Callable[[str, int, int], None]
) -> dict[str, Any]:
    import arviz as az

    done = [0]

    def cal_tick(n: int) -> None:
        done[0] += n
        tick("fit on all cases (LOO)", done[0], s.loo_steps)

    fit = calibrate(
        cases, params, folder, s.walkers, s.loo_steps, s.loo_particles, s.seed, "process", s.workers, progress=cal_tick
    )
    names = [p.name for p in params]
    post = pd.read_parquet(folder / "posterior.parquet")
    draws = post[names].reset_index(drop=True)
    if len(draws) > s.loo_draws:
        draws = draws.iloc[np.linspace(0, len(draws) - 1, s.loo_draws).round().astype(int)].reset_index(drop=True)
    if len(draws) < 25:  # arviz needs a Pareto tail of at least 5 draws: ceil(0.2 S) >= 5
        raise ValueError(
            f"PSIS-LOO: only {len(draws)} posterior draws in {folder}; Pareto smoothing needs more: raise --loo-steps"
        )
    matrix, distinct = loglik_matrix(cases, draws, names, s, tick)
    idata = az.from_dict(
        {
            "posterior": {n.replace(".", "_").replace("*", "all"): draws[n].to_numpy()[None, :] for n in names},
            "log_likelihood": {"record": matrix[None, :, :]},
        },
        dims={"record": ["case"]},
        coords={"case": [c.name for c in cases]},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the high-k warning: reported below, case by case
        loo = az.loo(idata, pointwise=True)
    good_k = float(getattr(loo, "good_k", 0.7))  # arviz >= 1: min(1 - 1/log10(S), 0.7) for S draws
    per_case = pd.DataFrame(
        {
            "case": [c.name for c in cases],
            "split": [c.split for c in cases],
            "observed": [c.observed_outcome for c in cases],
            "elpd_loo": np.asarray(loo.elpd_i).ravel(),
            "pareto_k": np.asarray(loo.pareto_k).ravel(),
            "mean_loglik": matrix.mean(axis=0),
            "sd_loglik": matrix.std(axis=0, ddof=1),
        }
    )
    per_case.to_csv(folder.parent / "loo.csv", index=False, float_format="%.6g", lineterminator="\n")
    pd.DataFrame(matrix, columns=[c.name for c in cases]).to_parquet(folder.parent / "loo_loglik.parquet", index=False)
    k = per_case["pareto_k"]
    return {
        "done": True,
        "method": "PSIS-LOO (arviz.loo) over a fit on all cases",
        "draws": len(draws),
        "distinct_draws": distinct,
        "elpd_loo": float(loo.elpd),
        "se": float(loo.se),
        "p_loo": float(loo.p),
        "good_k": good_k,
        "pareto_k_max": float(k.max()),
        "pareto_k_over_good": int((k > good_k).sum()),
        "pareto_k_over_0_7": int((k > 0.7).sum()),
        # NaN: arviz could not fit the tail (ties: a pseudo-marginal chain repeats points): not to be trusted
        "pareto_k_undefined": int(k.isna().sum()),
        "fit": {
            n: {"median": p["median"], "low": p["low"], "high": p["high"], "rhat": p["rhat"]}
            for n, p in fit["parameters"].items()
        },
        "fit_acceptance": fit.get("acceptance"),
    }
