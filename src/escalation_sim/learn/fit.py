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
- log sigma_km ~ Normal(0, 1), with `intercept` naming option group m (force, settle, words): the sd per kind of
  a crisis-level random intercept on the utility of the group's options (intercept.py, integrated out of the
  likelihood; docs/model.md, "The learned decision"). Without it sigma is 0 and the likelihood is the plain one.
- a_stop, a_change ~ Normal(log(1/12), 1.5), with `spells`: the logits of a running operation's daily stop and
  change hazards (spells.py, estimated from the records' spells); without them the scenario's hazards stand.
- b_x ~ Normal(logit(0.1), 1.5) per strike or harassment action x, with `streams`: the logit of the chance that
  a decided act of x starts a stream (spells.py); without them no act does.
- beta_c ~ Normal(0, 1) per stream covariate c (rules/streams.py), with streams that carry covariates: its slope
  on that logit (no direction assumed; a covariate's full [0, 1] range moves the odds by e^2 at 2 sd).
Theta is (mu, delta, log sigma (K per option group, intercept.GROUPS's order), spell logits, stream logits,
stream slopes, floor logits), the floors last.
Only identified parameters are estimated (`identified`): where a feature never differs between the options of any
decision of a kind in the records, the likelihood cannot see that kind's deviation (a softmax reads differences
only), so delta_kd stays at its prior mean 0 (the kind uses the shared weight) and, where no kind sees the feature,
mu_d stays at its default; sampling such a coordinate would only draw its prior. The posterior mode is found with
L-BFGS-B on the analytic gradient. NUTS (Hoffman & Gelman 2014) runs through
nutpie's `from_pyfunc` on the same numpy log-density and gradient; R-hat and bulk ESS from arviz.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import minimize

from ..rules.features import KINDS, NAMES
from . import floors as hazard_floors
from . import intercept as random_intercept
from . import spells as operation_spells
from .extract import Tensor
from .intercept import GROUPS, Grid, masks, option_groups, plain
from .likelihood import Value, decision_terms, evaluate
from .spells import Spells, Streams

MU_SD, DELTA_SD = 2.0, 1.0
K, D = len(KINDS), len(NAMES)
H = len(hazard_floors.NAMES)  # the hazards' floors, last in theta on the logit scale
S = D + K * D  # where the intercepts' log sigma (K per option group of intercept.GROUPS) start in theta
A = S + K * len(GROUPS)  # where the operations' hazard logits (a_stop, a_change) start
B = A + len(operation_spells.NAMES)  # where the stream chances' logits (one per spells.STREAMS action) start
E = B + len(operation_spells.STREAMS)  # where the stream covariates' slopes (rules/streams.py NAMES) start
F = E + len(operation_spells.COVARIATES)  # where the floors' logits start
SIZE = F + H


@dataclass
class Prior:
    """Normal priors on (mu, delta) around the reasoned defaults, on the floors' logits and (with `intercept`)
    on the log sd of the crisis-level intercept on force."""

    mean: np.ndarray  # (D,) the defaults' shared weights
    free: np.ndarray = field(default_factory=lambda: np.ones(SIZE, dtype=bool))  # estimated parameters
    held: np.ndarray | None = None  # the full theta the parameters not estimated are read from (None: prior means)
    intercept: tuple[str, ...] | bool = ()  # option groups with a crisis-level random intercept (True: force)
    grid: Grid | None = None  # where its quadrature nodes sit (None: centred at 0, scale 1; find_mode centres them)
    spells: Spells | None = None  # the records' spells: estimate the operations' hazards from them (None: not)
    streams: Streams | None = None  # the records' decided strikes: estimate the stream chances (None: not)

    def __post_init__(self) -> None:
        self.free = self.free.copy()
        self.intercept = option_groups(self.intercept)
        for m, group in enumerate(GROUPS):
            if group not in self.intercept:  # sigma is 0, not estimated
                self.free[S + m * K : S + (m + 1) * K] = False
        if self.spells is None or not len(self.spells):  # the scenario's own hazards stand
            self.free[A : A + 2] = False
        seen = np.zeros(E - B, dtype=bool)
        if self.streams is not None:
            seen[np.unique(self.streams.action)] = True
        self.free[B:E] &= seen  # an action no record shows is held at its prior
        if self.streams is None or self.streams.x is None:  # no covariates: the slopes stay 0
            self.free[E:F] = False

    def sigma(self, theta: np.ndarray) -> np.ndarray | None:
        """The intercepts' sds (K, M) per kind and selected option group (None without an intercept)."""
        if not self.intercept:
            return None
        return np.exp(theta[S:A].reshape(len(GROUPS), K)[list(map(GROUPS.index, self.intercept))].T)

    def weights(self, theta: np.ndarray) -> np.ndarray:
        """(K, D) weights from the flat parameter vector."""
        mu, delta = theta[:D], theta[D : D + K * D].reshape(K, D)
        return mu[None] + delta

    def floors(self, theta: np.ndarray) -> np.ndarray:
        """(early, news_floor) from the flat parameter vector (their logits are its last H entries)."""
        return 1.0 / (1.0 + np.exp(-theta[F:]))

    def durations(self, theta: np.ndarray) -> np.ndarray | None:
        """(operation_days, change_days) from the flat parameter vector (None: not estimated)."""
        return operation_spells.durations(theta[A : A + 2]) if self.spells is not None else None

    def stream_chances(self, theta: np.ndarray) -> dict[str, float] | None:
        """Per `spells.STREAMS` action, the chance a decided act starts a stream (None: not estimated)."""
        return operation_spells.stream_chances(theta[B:E]) if self.streams is not None else None

    def stream_slopes(self, theta: np.ndarray) -> dict[str, float] | None:
        """Per covariate (rules/streams.py), its slope on the stream chance's logit (None: not estimated)."""
        if self.streams is None or self.streams.x is None:
            return None
        return {n: float(v) for n, v in zip(operation_spells.COVARIATES, theta[E:F], strict=True)}

    def logp(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        mu, delta, logits = theta[:D], theta[D:S], theta[F:]
        z_mu = (mu - self.mean) / MU_SD
        z_d = delta / DELTA_SD
        z_h = (logits - hazard_floors.PRIOR_MEAN) / hazard_floors.PRIOR_SD
        value, g_s = random_intercept.log_prior(theta[S:A])
        v_a, g_a = operation_spells.log_prior(theta[A : A + 2])
        z_b = (theta[B:E] - operation_spells.STREAM_PRIOR_MEAN) / operation_spells.STREAM_PRIOR_SD
        z_c = theta[E:F] / operation_spells.SLOPE_PRIOR_SD
        value += v_a - 0.5 * float(z_mu @ z_mu + z_d @ z_d + z_h @ z_h + z_b @ z_b + z_c @ z_c)
        g_b = -z_b / operation_spells.STREAM_PRIOR_SD
        g_c = -z_c / operation_spells.SLOPE_PRIOR_SD
        grad = np.concatenate([-z_mu / MU_SD, -z_d / DELTA_SD, g_s, g_a, g_b, g_c, -z_h / hazard_floors.PRIOR_SD])
        return value, grad

    def start(self) -> np.ndarray:
        log_sigma = np.full(K * len(GROUPS), random_intercept.PRIOR_MEAN)
        spell = np.full(len(operation_spells.NAMES), operation_spells.PRIOR_MEAN)
        stream = np.full(E - B, operation_spells.STREAM_PRIOR_MEAN)
        slopes = np.zeros(F - E)
        return np.concatenate([self.mean, np.zeros(K * D), log_sigma, spell, stream, slopes, hazard_floors.PRIOR_MEAN])

    def unpack(self, x: np.ndarray) -> np.ndarray:
        """The full parameter vector from the estimated ones (the rest at their prior means)."""
        theta = self.start() if self.held is None else self.held.copy()
        theta[self.free] = x
        return theta


def identified(t: Tensor) -> np.ndarray:
    """Which of (mu, delta, log sigma, floors) the records can inform: delta_kd where feature d differs between two
    options of some decision of kind k (in any replay), mu_d where some kind's delta is, sigma_km where some
    decision of kind k has an option of option group m, a floor where moving it moves some pipeline row (a tensor
    with corner maps); the operations' hazards are not the tensor's (`estimated` frees them where the prior has
    spells)."""
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
    grouped = masks(c.x[0], c.force_e, GROUPS)
    forceful = np.concatenate([np.bincount(c.kind_e, grouped[:, m], K)[:K] > 0 for m in range(len(GROUPS))])
    spell = np.zeros(F - A, dtype=bool)
    return np.concatenate([varies.any(axis=0), varies.ravel(), forceful, spell, moves])


def estimated(prior: Prior, t: Tensor) -> Prior:
    """`prior` estimating only what `t` (and, for the operations' hazards, its spells) identifies."""
    free = identified(t)
    free[A : A + 2] = prior.spells is not None and len(prior.spells) > 0
    free[B:F] = True  # where the prior's streams show the action and have covariates (Prior's own check)
    return Prior(prior.mean, free, intercept=prior.intercept, spells=prior.spells, streams=prior.streams)


def prior_from(
    defaults: dict[str, dict[str, float]],
    intercept: tuple[str, ...] | bool = (),
    spells: Spells | None = None,
    streams: Streams | None = None,
) -> Prior:
    """The shared weights' prior mean: the kinds' defaults averaged feature by feature."""
    mean = np.array([np.mean([defaults[k].get(n, 0.0) for k in KINDS]) for n in NAMES])
    return Prior(mean, intercept=intercept, spells=spells, streams=streams)


def operations_shift(prior: Prior, theta: np.ndarray) -> np.ndarray | None:
    """Per record, what the operations' hazards and the stream chances at `theta` add to its log-likelihood
    (None where neither is estimated)."""
    if prior.spells is None and prior.streams is None:
        return None
    out = np.zeros(prior.spells.records if prior.spells is not None else prior.streams.records)  # type: ignore[union-attr]
    if prior.spells is not None:
        out += operation_spells.log_lik(prior.spells, theta[A : A + 2])[0]
    if prior.streams is not None:
        out += operation_spells.stream_log_lik(prior.streams, theta[B:E], theta[E:F])[0]
    return out


def log_posterior(t: Tensor, prior: Prior, theta: np.ndarray) -> tuple[float, np.ndarray, Value]:
    """Log-posterior (up to a constant) and its gradient in theta."""
    floors, sigma = prior.floors(theta), prior.sigma(theta)
    groups = option_groups(prior.intercept)
    grid = None if sigma is None else prior.grid or plain(len(t.groups), len(groups))
    value = evaluate(t, prior.weights(theta), hazard=floors, sigma=sigma, grid=grid, groups=groups)
    gw = value.grad_w[0]  # (K, D)
    g_sigma = np.zeros((len(GROUPS), K))  # d / d log sigma, group-major as in theta
    if sigma is not None and value.grad_sigma is not None:
        g_sigma[list(map(GROUPS.index, groups))] = (value.grad_sigma * sigma).T
    g_a = np.zeros(2)
    if prior.spells is not None:  # the same shift of every replay of a record: added to its log-likelihood
        delta, d_a = operation_spells.log_lik(prior.spells, theta[A : A + 2])
        value.total += float(delta.sum())
        value.per_record = value.per_record + delta
        g_a = d_a.sum(axis=0)
    g_b = np.zeros(F - B)
    if prior.streams is not None:  # which decided strikes started a stream: the same in every replay
        extra, d_b = operation_spells.stream_log_lik(prior.streams, theta[B:E], theta[E:F])
        value.total += float(extra.sum())
        value.per_record = value.per_record + extra
        g_b = d_b.sum(axis=0)
    g_h = value.grad_floors * floors * (1.0 - floors)
    grad_lik = np.concatenate([gw.sum(axis=0), gw.ravel(), g_sigma.ravel(), g_a, g_b, g_h])
    lp, gp = prior.logp(theta)
    return value.total + lp, grad_lik + gp, value


@dataclass
class Mode:
    theta: np.ndarray
    weights: np.ndarray  # (K, D)
    floors: np.ndarray  # (early, news_floor)
    sigma: np.ndarray | None  # (K, M) the intercepts' sds per kind and option group (None: no intercept)
    grid: Grid | None  # the intercept's quadrature nodes at the mode (None: no intercept)
    log_posterior: float
    value: Value
    seconds: float
    iterations: int
    converged: bool


def find_mode(t: Tensor, prior: Prior, start: np.ndarray | None = None, rounds: int = 6) -> Mode:
    """The posterior mode (penalised maximum likelihood) by L-BFGS-B on the analytic gradient. With the intercept,
    its quadrature nodes are centred on each group's posterior of b at the mode found and the mode found again,
    until no centre moves by more than a tenth of its scale (at most `rounds` times)."""
    began = time.perf_counter()
    theta = prior.start() if start is None else start
    nit, ok = 0, True
    for _ in range(rounds if prior.intercept else 1):
        theta, n, ok = _optimise(t, prior, theta)
        nit += n
        if not prior.intercept:
            break
        grid = centred(t, prior.weights(theta), prior.floors(theta), prior.sigma(theta), groups=prior.intercept)
        settled = prior.grid is not None and bool(
            np.all(np.abs(grid.centre - prior.grid.centre) < 0.1 * grid.scale)
            & np.all(np.abs(np.log(grid.scale / prior.grid.scale)) < 0.1)
        )
        prior = replace(prior, grid=grid)
        if settled:
            break
    lp, _, value = log_posterior(t, prior, theta)
    return Mode(
        theta,
        prior.weights(theta),
        prior.floors(theta),
        prior.sigma(theta),
        prior.grid,
        lp,
        value,
        time.perf_counter() - began,
        nit,
        ok,
    )


def _optimise(t: Tensor, prior: Prior, start: np.ndarray) -> tuple[np.ndarray, int, bool]:
    free = prior.free

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        lp, grad, _ = log_posterior(t, prior, prior.unpack(x))
        return -lp, -grad[free]

    result = minimize(objective, start[free], jac=True, method="L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-6})
    return prior.unpack(result.x), int(result.nit), bool(result.success)


def centred(
    t: Tensor,
    w: np.ndarray,
    hazard: np.ndarray | None,
    sigma: np.ndarray,
    steps: int = 12,
    groups: tuple[str, ...] = ("force",),
) -> Grid:
    """Each group's quadrature centre and rotation: the mode of its intercepts' posterior (Newton on the sum of its
    decisions' log-probabilities plus the Normal(0, diag sigma^2) prior, for the option `groups`; the Hessian by
    differences of the exact slope, its eigenvalues held at or below half the prior's precision so that a step
    always climbs) and the Cholesky factor of minus its inverse there (Liu & Pierce 1994)."""
    G, M = len(t.groups), len(groups)
    kind = np.zeros(G, dtype=int)
    kind[t.group] = t.kind
    precision = 1.0 / np.asarray(sigma, dtype=float).reshape(-1, M)[kind] ** 2  # (G, M)
    ceiling = -0.5 * precision.min(axis=1)  # (G,)

    def slope(b: np.ndarray) -> np.ndarray:
        g_off = decision_terms(t, w, hazard, b, groups)[4].mean(axis=0)  # (N, M): replays averaged
        return np.stack([np.bincount(t.group, g_off[:, m], G) for m in range(M)], axis=1) - b * precision

    def hessian(b: np.ndarray, d1: np.ndarray) -> np.ndarray:
        h = np.stack([(slope(b + 1e-4 * np.eye(M)[j]) - d1) / 1e-4 for j in range(M)], axis=2)  # (G, M, M)
        values, vectors = np.linalg.eigh(0.5 * (h + np.swapaxes(h, 1, 2)))
        values = np.minimum(values, ceiling[:, None])  # concave at least as half the prior is
        return np.einsum("gij,gj,gkj->gik", vectors, values, vectors)

    b = np.zeros((G, M))
    for _ in range(steps):
        d1 = slope(b)
        b = b + np.clip(-np.linalg.solve(hessian(b, d1), d1[:, :, None])[:, :, 0], -2.0, 2.0)
    cov = np.linalg.inv(-hessian(b, slope(b)))
    return Grid(b, np.linalg.cholesky(0.5 * (cov + np.swapaxes(cov, 1, 2))))
