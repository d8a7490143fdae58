"""Crisis-level random intercepts (frailties) on the utility of named option groups, integrated out by adaptive
Gauss-Hermite quadrature.

Pooled weights read a crisis where force is common as force begetting force: the onset features (`engaged`,
`mobilised`) are high exactly where an actor's propensity to use force is high for reasons the features do not
see, so a weight that stands for WHICH crises are fights is read as state dependence (Heckman 1981). The same
confound runs the other way on settling and speaking: the long fights hold most of the late and most of the
high-grievance actor-days, and their actors rarely settle or speak, so pooled `crisis_age` (on de-escalation) and
`grievance` (on signals) come out negative though within records both rise (docs/model.md, "Why the fitted
crisis_age is negative"). The remedy is the mixed logit's (Train 2009, ch. 6): each actor in a record (a group)
has its own shift b_m of the utility of every option of option group m, b_m ~ Normal(0, sigma_km^2) for its kind
k, independent across option groups, the same on all its decisions in the record; the group's likelihood is the
integral over b of the product of its decisions' probabilities. The weights then explain what changes within a
crisis, and sigma what differs between crises. Option groups (GROUPS): `force` (ladder actions with `force:
true`), `settle` (the de-escalation group: talks, stand-down, assurances, restraint orders) and `words` (the
signal group: denunciations, demands, threats, warnings, shows of force; none of them force).

The integral over the M selected groups is a tensor product of adaptive Gauss-Hermite rules (Liu & Pierce 1994;
Pinheiro & Bates 1995): with a group's centre c (M,) and the Cholesky factor L of its b's posterior covariance at
the mode (the inverse of minus the Hessian), b_q = c + sqrt(2) L x_q for the product nodes x_q of Q points a
dimension, and
    int L(b) N(b; 0, S) db = sum_q (prod_m omega_qm exp(x_qm^2)) 2^(M/2) |L| L(b_q) N(b_q; 0, S),
exact for a Gaussian times a polynomial of degree < 2Q in each coordinate of x. Centred and rotated nodes sit on a
group's narrow posterior, which fixed nodes (c = 0, L = S^(1/2)) would straddle; that is what lets few nodes a
dimension suffice (Liu & Pierce: one node is the Laplace approximation). The cost is Q^M components, each one pass
over every decision, so the default nodes fall with the dimension (NODES: 12 for one group, 6 a dimension for
two, 4 for three; tests/learn/test_intercept.py and test_frailty.py set the one- and two-dimensional rules against
scipy's adaptive integration, and the real fit's log-likelihood was compared at more nodes, docs/validation.md).
The grid (c, L per group) is a fixed argument of the likelihood: the fit recentres it at each mode it finds and
refits until it stops moving, and NUTS keeps the one at the mode. With the grid fixed, b_q does not depend on
the parameters: sigma enters only through N(b_q; 0, S), so the likelihood's gradient is exact (checked by finite
differences in the tests). Each node is one more component of the latent-class mixture in likelihood.py.

Prior: log sigma_km ~ Normal(log 1, 1) per actor kind and option group (docs/model.md, "The learned decision",
gives the reasons).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..rules.features import INDEX, KINDS
from .posterior import summary

GROUPS = ("force", "settle", "words")  # option groups a random intercept can shift (their order in theta)
NODES = {1: 12, 2: 6, 3: 4}  # Gauss-Hermite nodes a dimension by the number of groups (docs/validation.md)
PRIOR_MEAN = 0.0  # log sigma: a median sd of 1 logit unit on the utility of the group's options
PRIOR_SD = 1.0  # log sigma: 90% of the prior between sd 0.19 and 5.2


def option_groups(value: bool | str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The option groups named by `value`, in GROUPS's order: True is `force` (the first intercept), False or
    None none, a string is comma-separated names; an unknown name raises ValueError."""
    if value is True:
        return ("force",)
    if not value:
        return ()
    names = [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)
    unknown = sorted(set(names) - set(GROUPS))
    if unknown:
        raise ValueError(f"unknown option group {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    return tuple(g for g in GROUPS if g in names)


def masks(feats: np.ndarray, force: np.ndarray | None, groups: tuple[str, ...]) -> np.ndarray:
    """(..., M) 1.0 where an option (rows of `feats` (..., D), `force` (...,)) is in each of `groups`: force by
    the ladder's flag, settle and words by the option's group intercept (rules/features.py)."""
    out = np.zeros((*feats.shape[:-1], len(groups)))
    for m, g in enumerate(groups):
        if g == "force":
            out[..., m] = 0.0 if force is None else force.astype(float)
        else:
            out[..., m] = (feats[..., INDEX["deescalate" if g == "settle" else "signal"]] > 0).astype(float)
    return out


@dataclass
class Grid:
    """Where each group's quadrature nodes sit: b_q = centre + sqrt(2) chol x_q."""

    centre: np.ndarray  # (G, M)
    chol: np.ndarray  # (G, M, M) lower-triangular
    count: int = 0  # nodes a dimension (0: NODES by the dimension)

    @property
    def dims(self) -> int:
        return self.centre.shape[1]

    @property
    def scale(self) -> np.ndarray:
        """(G, M) the posterior sd of each coordinate of b (the rows' norms of chol)."""
        return np.sqrt((self.chol**2).sum(axis=2))

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """The product rule's standard nodes x (Q^M, M) and their log weights plus x^2 (Q^M,)."""
        x, w = np.polynomial.hermite.hermgauss(self.count or NODES[self.dims])
        grid = np.array(list(itertools.product(x, repeat=self.dims)))
        log_w = np.array([sum(c) for c in itertools.product(np.log(w) + x**2, repeat=self.dims)])
        return grid, log_w

    def nodes(self, sigma_g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each group's sds `sigma_g` (G, M): the intercepts at each node (Q, G, M), the log weight of each
        node (Q, G) including the prior density N(b; 0, diag sigma^2), and that log weight's derivative in each
        sigma (Q, G, M)."""
        x, log_w = self.points()
        b = self.centre[None] + np.sqrt(2.0) * np.einsum("gmn,qn->qgm", self.chol, x)
        log_det = self.dims * 0.5 * np.log(2.0) + np.log(np.abs(np.diagonal(self.chol, axis1=1, axis2=2))).sum(1)
        z = b / sigma_g[None]
        log_prior = (-0.5 * z**2 - np.log(sigma_g[None]) - 0.5 * np.log(2.0 * np.pi)).sum(axis=2)
        return b, log_w[:, None] + log_det[None] + log_prior, (z**2 - 1.0) / sigma_g[None]


def plain(groups: int, dims: int = 1) -> Grid:
    """Nodes centred at 0 with scale 1 (the prior's median sd): where a fit starts before it centres them."""
    return Grid(np.zeros((groups, dims)), np.tile(np.eye(dims), (groups, 1, 1)))


def log_prior(log_sigma: np.ndarray) -> tuple[float, np.ndarray]:
    """The log-sigma prior's log-density (up to a constant) and gradient."""
    z = (np.asarray(log_sigma) - PRIOR_MEAN) / PRIOR_SD
    return -0.5 * float(z @ z), -z / PRIOR_SD


def table(
    mode: np.ndarray, log_sigma: np.ndarray, rhat: np.ndarray, ess: np.ndarray, free: np.ndarray
) -> dict[str, Any]:
    """Per kind one option group's intercept sd: mode, posterior mean, sd, 5% and 95% (from draws of log sigma
    (S, K)), R-hat and bulk ESS; None for a kind the records give no option of the group."""
    sigma = np.exp(log_sigma)
    return {kind: summary(mode[k], sigma[:, k], rhat[k], ess[k]) if free[k] else None for k, kind in enumerate(KINDS)}
