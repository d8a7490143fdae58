"""Doctrines as latent classes: a finite mixture of weight vectors per actor kind (issue 19, item 2).

Each actor in each record follows one of C weight vectors of its kind for the whole record (a strategy, as in
strategy-frequency estimation: Dal Bo & Frechette 2011; the stratEst package, Dvorak 2023); the class shares are
estimated per kind. The marginal likelihood (classes summed out) is maximised with L-BFGS-B over the class
weights and share logits together (the direct route to the estimate EM reaches), from several starts around the
one-class mode; the best is kept. Priors: each class's weights Normal(mu0, 2) as the one-class model's shared
weights (fit.py), share logits Normal(0, 1).

Each class is labelled by the named doctrine whose choices it resembles most: over the kind's scored decision
states, the mean Kullback-Leibler divergence from the doctrine's policy (its own rule, default parameters, in the
same replayed state) to the class's, over the states where some doctrine would rather act than hold (a role's
own doctrine, `host_nation` or `militia`, labels that role only). Each actor's posterior class per record is the
responsibility.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from ..rules.features import KINDS
from .extract import Tensor
from .fit import MU_SD, Prior
from .likelihood import Value, evaluate

ETA_SD = 1.0


@dataclass
class Mixture:
    weights: np.ndarray  # (C, K, D)
    shares: np.ndarray  # (K, C)
    value: Value
    log_posterior: float
    labels: list[list[str]]  # per class, per kind: the doctrine it resembles most ("" if none was scored)
    divergence: np.ndarray  # (C, K, doctrines) mean KL from each doctrine to each class


def _unpack(theta: np.ndarray, C: int, D: int) -> tuple[np.ndarray, np.ndarray]:
    K = len(KINDS)
    w = theta[: C * K * D].reshape(C, K, D)
    eta = np.concatenate([np.zeros((K, 1)), theta[C * K * D :].reshape(K, C - 1)], axis=1)
    return w, eta


def fit_mixture(
    t: Tensor,
    prior: Prior,
    start: np.ndarray,
    classes: int,
    seed: int,
    hazard: np.ndarray | None = None,
    starts: int = 3,
) -> Mixture:
    """The posterior mode of a `classes`-class mixture, from `starts` jittered copies of `start` (K, D), with the
    hazards' floors held at `hazard` (the one-class mode's: they are shared by the classes)."""
    K, D = start.shape
    rng = np.random.default_rng(seed)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, eta = _unpack(theta, classes, D)
        value = evaluate(t, w, eta, hazard)
        z = (w - prior.mean[None, None]) / MU_SD
        ze = eta[:, 1:] / ETA_SD
        lp = value.total - 0.5 * float((z * z).sum() + (ze * ze).sum())
        gw = value.grad_w - z / MU_SD
        ge = value.grad_eta[:, 1:] - ze / ETA_SD
        return -lp, -np.concatenate([gw.ravel(), ge.ravel()])

    best = None
    for _ in range(starts):
        w0 = start[None] + rng.normal(0.0, 0.5, size=(classes, K, D))
        x0 = np.concatenate([w0.ravel(), np.zeros(K * (classes - 1))])
        result = minimize(objective, x0, jac=True, method="L-BFGS-B", options={"maxiter": 1000})
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    w, eta = _unpack(best.x, classes, D)
    value = evaluate(t, w, eta, hazard)
    shares = np.exp(eta - eta.max(axis=1, keepdims=True))
    shares /= shares.sum(axis=1, keepdims=True)
    divergence = doctrine_divergence(t, w)
    labels = [[closest(t.doctrines, divergence[c, k], KINDS[k]) for k in range(K)] for c in range(classes)]
    return Mixture(w, shares, value, -float(best.fun), labels, divergence)


ROLE_DOCTRINES = {"host_nation": "host", "militia": "armed_group"}  # a role's own doctrine labels only that role


def closest(names: list[str], divergence: np.ndarray, kind: str) -> str:
    """The doctrine nearest a class of `kind` (a role's own doctrine is a candidate for that role only)."""
    allowed = np.array([ROLE_DOCTRINES.get(n, kind) == kind for n in names]) & np.isfinite(divergence)
    if not allowed.any():
        return ""
    return names[int(np.argmin(np.where(allowed, divergence, np.inf)))]


def doctrine_divergence(t: Tensor, w: np.ndarray) -> np.ndarray:
    """(C, K, doctrines): mean KL(doctrine || class) over the first replay's decision states of each kind where
    some doctrine would rather act than hold (on quiet days every doctrine settles, and they say nothing); a day's
    two channels share one state, read once."""
    C, K, _ = w.shape
    feats = t.feats[0]
    holding = t.doctrine_probs[:, np.arange(len(t.hold)), t.hold]  # (doctrines, N), NaN where not read
    contested = (np.where(np.isnan(holding), np.inf, holding) < 0.5).any(axis=0)
    out = np.full((C, K, len(t.doctrines)), np.nan)
    for c in range(C):
        u = np.einsum("nod,nd->no", feats, w[c][t.kind])
        u = np.where(t.valid, u, -np.inf)
        log_s = u - np.logaddexp.reduce(u, axis=1, keepdims=True)
        for j in range(len(t.doctrines)):
            q = t.doctrine_probs[j]  # (N, O), NaN rows where the doctrine does not apply
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(q > 0.0, q * (np.log(np.where(q > 0.0, q, 1.0)) - log_s), 0.0)
            kl = terms.sum(axis=1)
            kl[np.isnan(q).any(axis=1)] = np.nan
            for k in range(K):
                rows = (t.kind == k) & np.isfinite(kl) & contested
                if rows.any():
                    out[c, k, j] = float(kl[rows].mean())
    return out
