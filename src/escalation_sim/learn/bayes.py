"""The posterior of the weights by NUTS (nutpie), with arviz's R-hat and bulk ESS.

nutpie (the PyMC project's Rust NUTS, Hoffman & Gelman 2014 with nutpie's mass-matrix adaptation) samples any
log-density given as a Python function returning (value, gradient): here fit.log_posterior on the surrogate
likelihood, so no second implementation of the model is needed. Chains start at the posterior mode plus a little
jitter, so warm-up spends its time adapting, not finding the bulk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .extract import Tensor
from .fit import Prior, log_posterior


@dataclass
class Posterior:
    draws: np.ndarray  # (chains, draws, parameters): theta = (mu, delta)
    seconds: float
    rhat: np.ndarray  # per parameter
    ess_bulk: np.ndarray
    divergences: int


def sample(
    t: Tensor,
    prior: Prior,
    start: np.ndarray,
    draws: int = 250,
    tune: int = 300,
    chains: int = 4,
    seed: int = 0,
    progress: bool = False,
) -> Posterior:
    """NUTS draws of theta, started around `start`; their R-hat and bulk ESS (rank-normalised, arviz)."""
    import arviz as az
    import nutpie
    from nutpie.compiled_pyfunc import from_pyfunc

    n = len(start)
    rng = np.random.default_rng(seed)

    def make_logp(*_: Any) -> Any:
        def logp(x: np.ndarray, **__: Any) -> tuple[float, np.ndarray]:
            value, grad, _ = log_posterior(t, prior, np.asarray(x, dtype=float))
            return value, grad

        return logp

    def make_expand(*_: Any) -> Any:
        def expand(x: np.ndarray, **__: Any) -> dict[str, np.ndarray]:
            return {"theta": np.asarray(x, dtype=np.float64).copy()}

        return expand

    def initial(*_: Any) -> np.ndarray:
        return start + rng.normal(0.0, 0.05, size=n)

    model = from_pyfunc(
        n, make_logp, make_expand, [np.dtype("float64")], [(n,)], ["theta"], make_initial_point_fn=initial
    )
    began = time.perf_counter()
    trace = nutpie.sample(
        model, draws=draws, tune=tune, chains=chains, cores=1, seed=seed, progress_bar=progress, adaptation="low_rank"
    )
    seconds = time.perf_counter() - began
    theta = np.asarray(trace.posterior["theta"])  # (chains, draws, n)
    data = {"theta": theta}
    rhat = np.asarray(az.rhat(az.convert_to_dataset(data))["theta"])
    ess = np.asarray(az.ess(az.convert_to_dataset(data), method="bulk")["theta"])
    divergences = int(np.asarray(trace.sample_stats["diverging"]).sum()) if "diverging" in trace.sample_stats else 0
    return Posterior(theta, seconds, rhat, ess, divergences)
