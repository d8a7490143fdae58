"""The surrogate log-likelihood of the records under the quantal rule, with its gradient (numpy, vectorised).

For decision n of replay p, with weights W[c, kind(n)] of latent class c, the option probabilities are
s = softmax(F[p, n] . W) over the real options; the pipeline makes them P = m . s (extract.py). Each decision is
scored as the particle filter scores it (score/filter.py): a day without an act by the floored probability of
holding; an act by the floored chance of acting (1 - P(hold)) times the floored chance of that option given
acting, each floor (1 - T) x + T / outcomes with T the filter's tremble (score/record.py TREMBLE).

An actor in a record (a group) belongs to one latent class for the whole record (a doctrine, Dal Bo & Frechette
2011); class shares pi[kind] are a softmax of `eta`. A record's likelihood is the mean over replays of the product
over its groups of the class mixture. One class is the plain conditional logit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..score.record import TREMBLE
from .extract import Tensor


@dataclass
class Value:
    """The log-likelihood, its gradients, and its pieces for reports."""

    total: float
    grad_w: np.ndarray  # (C, K, D)
    grad_eta: np.ndarray  # (K, C)
    per_record: np.ndarray  # (R,)
    responsibility: np.ndarray  # (C, G): posterior class of each group (averaged over replays)
    per_decision: np.ndarray  # (N,) log-probability of each decision, averaged over replays (class-weighted)
    floor_nats: float  # nats owed to the floor (filter's accounting), replay- and class-averaged


def _floor(x: np.ndarray, k: np.ndarray | float) -> np.ndarray:
    return (1.0 - TREMBLE) * np.clip(x, 0.0, 1.0) + TREMBLE / k


@dataclass
class Compact:
    """The tensor without its padding: one row per real option of each decision (E rows), for speed."""

    x: np.ndarray  # (P, E, D)
    m_obs: np.ndarray  # (P, E)
    m_hold: np.ndarray  # (P, E)
    owner: np.ndarray  # (E,) decision of each row
    starts: np.ndarray  # (N,) first row of each decision
    onehot: np.ndarray  # (E, K) the kind of each row's decision
    kind_e: np.ndarray  # (E,)


_COMPACT: dict[int, tuple[Tensor, Compact]] = {}


def compact(t: Tensor) -> Compact:
    """The compact form of `t` (cached while `t` lives)."""
    cached = _COMPACT.get(id(t))
    if cached is not None and cached[0] is t:
        return cached[1]
    n_idx, o_idx = np.nonzero(t.valid)
    K = int(t.kind.max()) + 1 if len(t.kind) else 1
    K = max(K, 4)
    kind_e = t.kind[n_idx]
    onehot = np.zeros((len(n_idx), K))
    onehot[np.arange(len(n_idx)), kind_e] = 1.0
    starts = np.searchsorted(n_idx, np.arange(t.valid.shape[0]))
    c = Compact(
        x=np.ascontiguousarray(t.feats[:, n_idx, o_idx]),
        m_obs=t.m_obs[:, n_idx, o_idx],
        m_hold=t.m_hold[:, n_idx, o_idx],
        owner=n_idx,
        starts=starts,
        onehot=onehot,
        kind_e=kind_e,
    )
    if len(_COMPACT) > 8:
        _COMPACT.clear()
    _COMPACT[id(t)] = (t, c)
    return c


def decision_terms(t: Tensor, w: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """For weights `w` (K, D) per kind: log-probability (P, N), per replay the coefficients (E,) whose product
    with the features is the gradient (d ll / d w = sum over a decision's options of coef x F), and the nats owed
    to the floor (P, N). Utilities for every kind come from one matrix product per replay; softmax and the rows
    of the pipeline are segment sums over the decisions' options."""
    c = compact(t)
    P = c.x.shape[0]
    owner, starts = c.owner, c.starts
    ll, floors, coefs = [], [], []
    act = t.act
    k = t.outcomes.astype(float)
    rows = np.arange(len(owner))
    for p in range(P):
        u = (c.x[p] @ w.T)[rows, c.kind_e]
        u = u - np.maximum.reduceat(u, starts)[owner]
        e = np.exp(u)
        s = e / np.add.reduceat(e, starts)[owner]
        p_hold = np.add.reduceat(c.m_hold[p] * s, starts)
        p_obs = np.add.reduceat(c.m_obs[p] * s, starts)
        a = 1.0 - p_hold
        ok = a > 1e-300
        safe_a = np.where(ok, a, 1.0)
        ch = np.where(ok, p_obs / safe_a, 0.0)
        fa, fc, fh = _floor(a, 2.0), _floor(ch, k), _floor(p_hold, 2.0)
        ll.append(np.where(act, np.log(fa) + np.log(fc), np.log(fh)))
        d_c = np.where((ch > 0.0) & (ch < 1.0), (1.0 - TREMBLE) / fc, 0.0)
        d_hold = np.where(act, -(1.0 - TREMBLE) / fa + d_c * ch / safe_a, (1.0 - TREMBLE) / fh)
        d_obs = np.where(act, d_c / safe_a, 0.0)
        coefs.append(s * (d_hold[owner] * (c.m_hold[p] - p_hold[owner]) + d_obs[owner] * (c.m_obs[p] - p_obs[owner])))
        half = TREMBLE / 2.0
        floors.append(np.where(act, half / fa * np.log(fa) + (TREMBLE / k) / fc * np.log(fc), half / fh * np.log(fh)))
    return np.array(ll), coefs, np.array(floors)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.exp(x - top).sum(axis=axis))


def evaluate(t: Tensor, w: np.ndarray, eta: np.ndarray | None = None) -> Value:
    """Log-likelihood of every record at class weights `w` (C, K, D) and class logits `eta` (K, C)."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 2:
        w = w[None]
    C, K, D = w.shape
    eta = np.zeros((K, C)) if eta is None else np.asarray(eta, dtype=float)
    log_pi = eta - _logsumexp(eta, 1)[:, None]
    cpt = compact(t)
    P, N = t.feats.shape[:2]
    G, R = len(t.groups), len(t.records)
    ll = np.empty((C, P, N))
    floors = np.empty((C, P, N))
    coefs = []
    for c in range(C):
        ll[c], coef, floors[c] = decision_terms(t, w[c])
        coefs.append(coef)
    group_ll = np.stack([[np.bincount(t.group, ll[c, p], G) for p in range(P)] for c in range(C)])
    group_kind = np.zeros(G, dtype=int)
    group_kind[t.group] = t.kind  # an actor has one kind in a record
    group_record = np.zeros(G, dtype=int)
    group_record[t.group] = t.record
    joint = log_pi[group_kind].T[:, None, :] + group_ll  # (C, P, G)
    marginal = _logsumexp(joint, 0)  # (P, G)
    resp = np.exp(joint - marginal[None])  # (C, P, G)
    rec = np.stack([np.bincount(group_record, marginal[p], R) for p in range(P)]) + t.other
    per_record = _logsumexp(rec, 0) - np.log(P)
    alpha = np.exp(rec - (per_record + np.log(P))[None])  # (P, R): each replay's weight in its record
    weight = alpha[:, group_record][None] * resp  # (C, P, G): weight of class c in replay p for group g
    wn = weight[:, :, t.group]  # (C, P, N)
    grad_w = np.zeros((C, K, D))
    for c in range(C):
        for p in range(P):
            scaled = (coefs[c][p] * wn[c, p][cpt.owner])[:, None] * cpt.onehot[:, :K]
            grad_w[c] += (cpt.x[p].T @ scaled).T
    pi = np.exp(log_pi)
    excess = weight.sum(axis=1).T - alpha[:, group_record].sum(axis=0)[:, None] * pi[group_kind]  # (G, C)
    grad_eta = np.stack([np.bincount(group_kind, excess[:, c], K) for c in range(C)], axis=1)
    return Value(
        total=float(per_record.sum()),
        grad_w=grad_w,
        grad_eta=grad_eta,
        per_record=per_record,
        responsibility=np.einsum("pg,cpg->cg", alpha[:, group_record], resp),
        per_decision=np.einsum("cpn,cpn->n", wn, ll),
        floor_nats=float(np.einsum("cpn,cpn->", wn, floors)),
    )
