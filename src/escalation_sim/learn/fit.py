"""The weights' prior, posterior mode (scipy) and posterior (NUTS via nutpie), on the surrogate likelihood.

Parameters: a weight vector shared by all kinds, `mu` (D), and each kind's deviation from it, `delta` (K, D), so
that kind k's weights are mu + delta_k (partial pooling: a kind seen in few records borrows from the others).
Priors, with reasons (docs/validation.md, "The learned decision"):
- mu_d ~ Normal(default_d, 2): centred on the reasoned defaults of data/quantal_weights.json; every feature is
  scaled to [0, ~1], so a standard deviation of 2 lets one unit of a feature move the odds by up to e^4 (x55)
  either way at 2 sd: wide enough for the data to speak, narrow enough to keep a weight finite where a record
  never shows the feature (separation would send a maximum-likelihood weight to infinity).
- delta_kd ~ Normal(0, 1): kinds differ, but by less than the spread of the shared weights.
- logit(early), logit(news_floor) ~ Normal(logit(0.05), 1.5): the hazards' floors (floors.py), shared by every
  kind and class, on the logit scale so a floor stays in (0, 1); docs/model.md section 1a gives the reasons.
Only identified parameters are estimated (`identified`): where a feature never differs between the options of any
decision of a kind in the records, the likelihood cannot see that kind's deviation (a softmax reads differences
only), so delta_kd stays at its prior mean 0 (the kind uses the shared weight) and, where no kind sees the feature,
mu_d stays at its default; sampling such a coordinate would only draw its prior. The posterior mode is found with
L-BFGS-B on the analytic gradient. NUTS (Hoffman & Gelman 2014) runs through
nutpie's `from_pyfunc` on the same numpy log-density and gradient; R-hat and bulk ESS from arviz.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from ..rules.features import KINDS, NAMES
from . import floors as hazard_floors
from .extract import Tensor
from .likelihood import Value, evaluate

MU_SD, DELTA_SD = 2.0, 1.0
K, D = len(KINDS), len(NAMES)
H = len(hazard_floors.NAMES)  # the hazards' floors, last in theta on the logit scale


@dataclass
class Prior:
    """Normal priors on (mu, delta) around the reasoned defaults, and on the floors' logits."""

    mean: np.ndarray  # (D,) the defaults' shared weights
    free: np.ndarray = field(default_factory=lambda: np.ones(D + K * D + H, dtype=bool))  # estimated parameters
    held: np.ndarray | None = None  # the full theta the parameters not estimated are read from (None: prior means)

    def weights(self, theta: np.ndarray) -> np.ndarray:
        """(K, D) weights from the flat parameter vector."""
        mu, delta = theta[:D], theta[D : D + K * D].reshape(K, D)
        return mu[None] + delta

    def floors(self, theta: np.ndarray) -> np.ndarray:
        """(early, news_floor) from the flat parameter vector (their logits are its last H entries)."""
        return 1.0 / (1.0 + np.exp(-theta[D + K * D :]))

    def logp(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        mu, delta, logits = theta[:D], theta[D : D + K * D], theta[D + K * D :]
        z_mu = (mu - self.mean) / MU_SD
        z_d = delta / DELTA_SD
        z_h = (logits - hazard_floors.PRIOR_MEAN) / hazard_floors.PRIOR_SD
        value = -0.5 * float(z_mu @ z_mu + z_d @ z_d + z_h @ z_h)
        grad = np.concatenate([-z_mu / MU_SD, -z_d / DELTA_SD, -z_h / hazard_floors.PRIOR_SD])
        return value, grad

    def start(self) -> np.ndarray:
        return np.concatenate([self.mean, np.zeros(K * D), hazard_floors.PRIOR_MEAN])

    def unpack(self, x: np.ndarray) -> np.ndarray:
        """The full parameter vector from the estimated ones (the rest at their prior means)."""
        theta = self.start() if self.held is None else self.held.copy()
        theta[self.free] = x
        return theta


def identified(t: Tensor) -> np.ndarray:
    """Which of (mu, delta, floors) the records can inform: delta_kd where feature d differs between two options
    of some decision of kind k (in any replay), mu_d where some kind's delta is, a floor where moving it moves some
    pipeline row (a tensor with corner maps)."""
    from .likelihood import compact

    c = compact(t)
    varies = np.zeros((K, D), dtype=bool)
    for x in c.x:
        spread = np.maximum.reduceat(x, c.starts, axis=0) - np.minimum.reduceat(x, c.starts, axis=0)  # (N, D)
        for k in range(K):
            varies[k] |= (spread[t.kind == k] > 1e-12).any(axis=0)
    moves = np.zeros(H, dtype=bool)
    if c.c_hold is not None and c.c_obs is not None:
        for corners in (c.c_hold, c.c_obs):
            apart = [np.abs(corners[i] - corners[j]).max() > 1e-12 for i, j in ((1, 0), (3, 2), (2, 0), (3, 1))]
            moves[0] |= bool(apart[0] or apart[1])
            moves[1] |= bool(apart[2] or apart[3])
    return np.concatenate([varies.any(axis=0), varies.ravel(), moves])


def estimated(prior: Prior, t: Tensor) -> Prior:
    """`prior` estimating only what `t` identifies."""
    return Prior(prior.mean, identified(t))


def prior_from(defaults: dict[str, dict[str, float]]) -> Prior:
    """The shared weights' prior mean: the kinds' defaults averaged feature by feature."""
    return Prior(np.array([np.mean([defaults[k].get(n, 0.0) for k in KINDS]) for n in NAMES]))


def log_posterior(t: Tensor, prior: Prior, theta: np.ndarray) -> tuple[float, np.ndarray, Value]:
    """Log-posterior (up to a constant) and its gradient in theta."""
    floors = prior.floors(theta)
    value = evaluate(t, prior.weights(theta), hazard=floors)
    gw = value.grad_w[0]  # (K, D)
    grad_lik = np.concatenate([gw.sum(axis=0), gw.ravel(), value.grad_floors * floors * (1.0 - floors)])
    lp, gp = prior.logp(theta)
    return value.total + lp, grad_lik + gp, value


@dataclass
class Mode:
    theta: np.ndarray
    weights: np.ndarray  # (K, D)
    floors: np.ndarray  # (early, news_floor)
    log_posterior: float
    value: Value
    seconds: float
    iterations: int
    converged: bool


def find_mode(t: Tensor, prior: Prior, start: np.ndarray | None = None) -> Mode:
    """The posterior mode (penalised maximum likelihood) by L-BFGS-B on the analytic gradient."""
    began = time.perf_counter()

    free = prior.free

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        lp, grad, _ = log_posterior(t, prior, prior.unpack(x))
        return -lp, -grad[free]

    x0 = (prior.start() if start is None else start)[free]
    result = minimize(objective, x0, jac=True, method="L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-6})
    theta = prior.unpack(result.x)
    lp, _, value = log_posterior(t, prior, theta)
    return Mode(
        theta,
        prior.weights(theta),
        prior.floors(theta),
        lp,
        value,
        time.perf_counter() - began,
        int(result.nit),
        bool(result.success),
    )
