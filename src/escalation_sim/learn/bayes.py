"""The posterior of the weights by NUTS (nutpie), with arviz's R-hat and bulk ESS.

nutpie (the PyMC project's Rust NUTS, Hoffman & Gelman 2014 with nutpie's mass-matrix adaptation) samples any
log-density given as a Python function returning (value, gradient): here fit.log_posterior on the surrogate
likelihood, so no second implementation of the model is needed.

The sampler runs in whitened coordinates: theta = mode + L z, with L L' the Laplace covariance at the posterior mode
(the inverse of minus the Hessian, central differences of the analytic gradient). A linear change of variables
changes nothing in the posterior; it removes the ridges the shared weight and each kind's deviation make together
(the data fix mu + delta_k, not each), which a diagonal mass matrix cannot follow, so NUTS takes unit-scale steps
in nearly independent directions (the dense-metric idea of Betancourt 2017, estimated once from the mode rather
than adapted from warm-up draws). Chains start at independent draws of the Laplace approximation (z ~ N(0, I)),
dispersed as the posterior is, so R-hat compares chains that did not start together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .extract import Tensor
from .fit import Prior, log_posterior
from .recovery import laplace_cov


@dataclass
class Posterior:
    draws: np.ndarray  # (chains, draws, parameters): theta = (mu, delta)
    seconds: float
    rhat: np.ndarray  # per parameter (NaN where not estimated: held at its prior mean)
    ess_bulk: np.ndarray
    divergences: int
    steps: float = float("nan")  # mean leapfrog steps per draw (gradient evaluations)


def sample(
    t: Tensor,
    prior: Prior,
    start: np.ndarray,
    draws: int = 250,
    tune: int = 300,
    chains: int = 4,
    seed: int = 0,
    progress: bool = False,
    cores: int = 2,
) -> Posterior:
    """NUTS draws of theta around the mode `start`; their R-hat and bulk ESS (rank-normalised, arviz), for the
    parameters `prior` estimates."""
    import arviz as az
    import nutpie
    from nutpie.compiled_pyfunc import from_pyfunc

    began = time.perf_counter()  # the fit's time includes the whitening's Hessian
    free = prior.free
    centre = start[free]
    n = len(centre)
    rng = np.random.default_rng(seed)

    def grad_of(x: np.ndarray) -> np.ndarray:
        return log_posterior(t, prior, prior.unpack(x))[1][free]

    chol = whitening(grad_of, centre)

    def make_logp(*_: Any) -> Any:
        def logp(z: np.ndarray, **__: Any) -> tuple[float, np.ndarray]:
            value, grad, _ = log_posterior(t, prior, prior.unpack(centre + chol @ np.asarray(z, dtype=float)))
            return value, chol.T @ grad[free]

        return logp

    def make_expand(*_: Any) -> Any:
        def expand(z: np.ndarray, **__: Any) -> dict[str, np.ndarray]:
            return {"theta": prior.unpack(centre + chol @ np.asarray(z, dtype=np.float64))}

        return expand

    def initial(*_: Any) -> np.ndarray:
        return rng.normal(0.0, 1.0, size=n)

    full = len(start)
    model = from_pyfunc(
        n, make_logp, make_expand, [np.dtype("float64")], [(full,)], ["theta"], make_initial_point_fn=initial
    )
    trace = nutpie.sample(
        model,
        draws=draws,
        tune=tune,
        chains=chains,
        cores=cores,
        seed=seed,
        progress_bar=progress,
        adaptation="low_rank",
    )
    seconds = time.perf_counter() - began
    theta = np.asarray(trace.posterior["theta"])  # (chains, draws, n)
    data = {"theta": theta[:, :, free]}
    rhat, ess = np.full(full, np.nan), np.full(full, np.nan)
    rhat[free] = np.asarray(az.rhat(az.convert_to_dataset(data))["theta"])
    ess[free] = np.asarray(az.ess(az.convert_to_dataset(data), method="bulk")["theta"])
    divergences = int(np.asarray(trace.sample_stats["diverging"]).sum()) if "diverging" in trace.sample_stats else 0
    stats = trace.sample_stats
    steps = float(np.asarray(stats["n_steps"]).mean()) if "n_steps" in stats else float("nan")
    return Posterior(theta, seconds, rhat, ess, divergences, steps)


def whitening(grad_of: Any, centre: np.ndarray) -> np.ndarray:
    """L with L L' the Laplace covariance at `centre` (minus the Hessian's eigenvalues kept above 1e-6, so an
    almost flat direction gets a wide, not an infinite, scale)."""
    cov = laplace_cov(grad_of, centre)
    values, vectors = np.linalg.eigh(0.5 * (cov + cov.T))
    precision = np.clip(1.0 / np.where(values > 0, values, np.inf), 1e-6, None)
    return vectors * np.sqrt(1.0 / precision)[None]
