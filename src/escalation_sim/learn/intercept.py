"""A crisis-level random intercept on the utility of force, integrated out by adaptive Gauss-Hermite quadrature.

Pooled weights read a crisis where force is common as force begetting force: the onset features (`engaged`,
`mobilised`) are high exactly where an actor's propensity to use force is high for reasons the features do not
see, so a weight that stands for WHICH crises are fights is read as state dependence (Heckman 1981). The remedy is
the mixed logit's (Train 2009, ch. 6): each actor in a record (a group) has its own shift b of the utility of every
force option, b ~ Normal(0, sigma_k^2) for its kind k, the same on all its decisions in the record; the group's
likelihood is the integral over b of the product of its decisions' probabilities. The weights then explain what
changes within a crisis, and sigma what differs between crises.

The integral is adaptive Gauss-Hermite (Liu & Pierce 1994; Pinheiro & Bates 1995): with a group's centre c and
scale s (the mode and curvature of its b's posterior), b_q = c + sqrt(2) s x_q and
    int L(b) N(b; 0, sigma^2) db = sum_q omega_q exp(x_q^2) sqrt(2) s L(b_q) N(b_q; 0, sigma^2),
exact for a Gaussian times a polynomial of degree < 2Q. A group with many decisions has a narrow posterior of b,
which fixed nodes (c = 0, s = sigma) would straddle; centred nodes sit on it. The grid (c, s per group) is a fixed
argument of the likelihood: the fit recentres it at each mode it finds and refits until it stops moving, and NUTS
keeps the one at the mode. With the grid fixed, b_q does not depend on the parameters: sigma enters only through
N(b_q; 0, sigma^2), so the likelihood's gradient is exact (tests/learn/test_intercept.py checks it by finite
differences and the quadrature against scipy's adaptive integration). Each node is one more component of the
latent-class mixture in likelihood.py.

Prior: log sigma_k ~ Normal(log 1, 1) per actor kind (docs/model.md, "The learned decision", gives the reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..rules.features import KINDS
from .posterior import summary

NODES = 12  # Gauss-Hermite nodes per group: within 1e-4 nats of scipy's adaptive quad (tests/learn/test_intercept.py)
PRIOR_MEAN = 0.0  # log sigma: a median sd of 1 logit unit on the utility of force
PRIOR_SD = 1.0  # log sigma: 90% of the prior between sd 0.19 and 5.2


@dataclass
class Grid:
    """Where each group's quadrature nodes sit: b_q = centre + sqrt(2) scale x_q."""

    centre: np.ndarray  # (G,)
    scale: np.ndarray  # (G,)
    count: int = NODES  # nodes per group

    def nodes(self, sigma_g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each group's sd `sigma_g` (G,): the intercept at each node (Q, G), the log weight of each node
        (Q, G) including the prior density N(b; 0, sigma^2), and that log weight's derivative in sigma (Q, G)."""
        x, w = np.polynomial.hermite.hermgauss(self.count)
        b = self.centre[None] + np.sqrt(2.0) * self.scale[None] * x[:, None]
        log_prior = -0.5 * (b / sigma_g[None]) ** 2 - np.log(sigma_g[None]) - 0.5 * np.log(2.0 * np.pi)
        log_w = np.log(w)[:, None] + (x**2)[:, None] + np.log(np.sqrt(2.0) * self.scale)[None] + log_prior
        return b, log_w, ((b / sigma_g[None]) ** 2 - 1.0) / sigma_g[None]


def plain(groups: int) -> Grid:
    """Nodes centred at 0 with scale 1 (the prior's median sd): where a fit starts before it centres them."""
    return Grid(np.zeros(groups), np.ones(groups))


def log_prior(log_sigma: np.ndarray) -> tuple[float, np.ndarray]:
    """The log-sigma prior's log-density (up to a constant) and gradient."""
    z = (np.asarray(log_sigma) - PRIOR_MEAN) / PRIOR_SD
    return -0.5 * float(z @ z), -z / PRIOR_SD


def table(
    mode: np.ndarray, log_sigma: np.ndarray, rhat: np.ndarray, ess: np.ndarray, free: np.ndarray
) -> dict[str, Any]:
    """Per kind the intercept's sd: mode, posterior mean, sd, 5% and 95% (from draws of log sigma (S, K)), R-hat and
    bulk ESS; None for a kind the records give no force option."""
    sigma = np.exp(log_sigma)
    return {kind: summary(mode[k], sigma[:, k], rhat[k], ess[k]) if free[k] else None for k, kind in enumerate(KINDS)}
