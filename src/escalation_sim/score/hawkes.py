"""A self-exciting (Hawkes) event-count baseline per actor, fitted prequentially: do an actor's decisions come
in bursts that its own recent decisions predict, with no model of the crisis at all?

The process. An actor's number of decisions on day t, c_t, is Poisson with mean

    L_t = mu + alpha (1 - e^-beta) sum_{s<t} e^(-beta (t-1-s)) c_s,

a Hawkes process (Hawkes 1971) with the exponential kernel alpha beta e^(-beta u), each day's decisions placed at
the end of their day (when they are known) and the intensity integrated over day t: mu is the background rate
per day, alpha the branching ratio (how many later decisions one decision triggers on average; below 1 for a
stationary process), beta the decay per day. On a daily grid this is the Poisson autoregression by which
Kirchner (2016, "Hawkes and INAR(infinity) processes") approximates a Hawkes process.

The fit, for day t: maximum likelihood on days 0..t-1 only, log L = sum_s (c_s log L_s - L_s) (Poisson, the
constant log c_s! dropped), by scipy's L-BFGS-B from two starts (the previous day's optimum and a fixed one), with
mu >= 1/2 / (t + 1) (the Jeffreys rate of an event never seen in t days, so no day has probability 0),
0 <= alpha <= 0.95 and 0.05 <= beta <= 5 (a memory of a fifth of a day to twenty days).

The score of day t, on the model's event space: holding e^(-L_t) (no event in the day); each decision of the day
1 - e^(-L_t) (at least one). Fallback: while the actor has fewer than `MIN_DECISIONS` decisions before day t
(too few to fit three parameters), day t's timing is the prequential base rate's. The process has no marks: the
choice of option and the justification/accident observations are the prequential base rate's (a marked Hawkes
process with marks drawn from the frequencies of earlier days).

`tick` (the maintained Hawkes library) was tried first: version 0.8.0.2 installs on Python 3.12 but its
learners fail on construction (`HawkesExpKern(...)`: "object has no settable attribute 'events'"), and it
fits continuous time stamps, not the daily counts a record has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.signal import lfilter
from threadpoolctl import threadpool_limits

from .counts import JEFFREYS, Term, counted_terms
from .record import ActorDay

MIN_DECISIONS = 3
ALPHA_MAX = 0.95
BETA_BOUNDS = (0.05, 5.0)
START = (0.5, 0.5)  # alpha, beta of the fixed start; mu starts at the mean count


@dataclass(frozen=True, slots=True)
class HawkesFit:
    mu: float
    alpha: float
    beta: float
    log_likelihood: float


def excitation(counts: np.ndarray, beta: float) -> np.ndarray:
    """E_t = sum_{s<t} e^(-beta (t-1-s)) c_s for t = 0..len(counts) (one more than the counts: the next day)."""
    x = np.append(np.asarray(counts, dtype=float), 0.0)
    return lfilter([0.0, 1.0], [1.0, -math.exp(-beta)], x)


def rates(counts: np.ndarray, mu: float, alpha: float, beta: float) -> np.ndarray:
    """L_t for t = 0..len(counts): the expected decisions of each day given the days before it."""
    return mu + alpha * (1.0 - math.exp(-beta)) * excitation(counts, beta)


def log_likelihood(counts: np.ndarray, mu: float, alpha: float, beta: float) -> float:
    lam = rates(counts, mu, alpha, beta)[:-1]
    return float(np.sum(counts * np.log(lam) - lam))


def _negative_and_gradient(theta: np.ndarray, counts: np.ndarray) -> tuple[float, np.ndarray]:
    """-log L and its gradient in (mu, alpha, beta); dE/dbeta by the same recursion as E."""
    mu, alpha, beta = (float(v) for v in theta)
    q = math.exp(-beta)
    e = excitation(counts, beta)[:-1]
    de = lfilter([0.0, 1.0], [1.0, -q], -q * e)
    lam = mu + alpha * (1.0 - q) * e
    w = counts / lam - 1.0
    grad = np.array([w.sum(), (w * (1.0 - q) * e).sum(), (w * alpha * (q * e + (1.0 - q) * de)).sum()])
    return -float(np.sum(counts * np.log(lam) - lam)), -grad


def fit(counts: np.ndarray, start: HawkesFit | None = None) -> HawkesFit:
    """The maximum-likelihood Hawkes parameters of a daily count series (see the module's docstring)."""
    counts = np.asarray(counts, dtype=float)
    floor = JEFFREYS / (len(counts) + 1)
    bounds = [(floor, None), (0.0, ALPHA_MAX), BETA_BOUNDS]
    mean = max(floor, float(counts.mean()) if len(counts) else floor)
    starts = [(mean, *START)] + ([(max(floor, start.mu), start.alpha, start.beta)] if start else [])

    best: HawkesFit | None = None
    for x0 in starts:
        res = minimize(_negative_and_gradient, np.array(x0), (counts,), "L-BFGS-B", jac=True, bounds=bounds)
        mu, alpha, beta = (float(v) for v in res.x)
        candidate = HawkesFit(max(floor, mu), min(max(alpha, 0.0), ALPHA_MAX), beta, -float(res.fun))
        if best is None or candidate.log_likelihood > best.log_likelihood:
            best = candidate
    assert best is not None
    return best


def hawkes_terms(days: list[ActorDay], n: int, coins: tuple[str, ...]) -> list[Term]:
    """Each day's term: Hawkes timing fitted on the days before it; choice and coins of the prequential base rate."""
    base = counted_terms(days, n, coins, markov=False, prequential=True)
    counts = np.array([len(d.acts) for d in days], dtype=float)
    out, previous = [], None
    with threadpool_limits(1, user_api="blas"):  # L-BFGS-B's BLAS threads: 10x slower on a busy machine
        for t, (day, b) in enumerate(zip(days, base, strict=True)):
            past = counts[:t]
            if past.sum() < MIN_DECISIONS:
                out.append(b)
                continue
            previous = fit(past, previous)
            lam = float(rates(past, previous.mu, previous.alpha, previous.beta)[-1])
            act = len(day.acts) * math.log(-math.expm1(-lam)) if day.acts else -lam
            out.append(Term(act, b.coins, b.choice))
    return out
