"""The surrogate log-likelihood of the records under the quantal rule, with its gradient (numpy, vectorised).

For decision n of replay p, with weights W[c, kind(n)] of latent class c, the option probabilities are
s = softmax(F[p, n] . W) over the real options; the pipeline makes them P = m . s (extract.py). Each decision is
scored as the particle filter scores it (score/filter.py): a day without an act by the floored probability of
holding; an act by the floored chance of acting (1 - P(hold)) times the floored chance of that option given
acting, each floor (1 - T) x + T / outcomes with T the filter's tremble (score/record.py TREMBLE).

An actor in a record (a group) belongs to one latent class for the whole record (a doctrine, Dal Bo & Frechette
2011); class shares pi[kind] are a softmax of `eta`. A record's likelihood is the mean over replays of the product
over its groups of the class mixture. One class is the plain conditional logit.

The hazards' floors (early, news_floor; floors.py) enter through the pipeline rows: m = sum_j b_j(floors) m_j over
the four corner maps the replay kept, bilinear, so the probabilities and their gradient in the floors are exact.
Without floors the rows are the replay's own (its configured floors).

Crisis-level random intercepts on the utility of named option groups (intercept.py: force, settle, words) enter
as quadrature nodes: node q shifts every option of option group m in group g's decisions by b_gqm, and (class,
node) pairs are the mixture's components with the group's node weights, so a group's likelihood is the class
mixture of the quadrature over its intercepts. Without sigma there is one node at 0: the plain likelihood, the
same numbers as before the intercept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..score.record import TREMBLE
from .extract import Tensor
from .floors import bilinear
from .intercept import Grid, masks


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
    grad_floors: np.ndarray  # (2,) d total / d (early, news_floor) (zero without corner maps)
    grad_sigma: np.ndarray | None = None  # (K, M) d total / d sigma (the intercepts' sds; None: no intercept)
    intercept: np.ndarray | None = None  # (G, M) posterior mean of each group's intercepts (None: no intercept)
    intercept_sd: np.ndarray | None = None  # (G, M) their posterior sds


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
    by_kind: list[sparse.csr_matrix]  # per replay (U, K * D): unique row u's features in its kind's block
    unique_starts: np.ndarray  # first unique row of each distinct decision state
    unique_owner: np.ndarray  # (U,) distinct state of each unique row
    row_map: np.ndarray  # (E,) the unique row each row reads its option probability from
    acts: np.ndarray  # decisions that are acts (only they read the observed option's row)
    act_rows: np.ndarray  # their rows
    act_starts: np.ndarray  # where each act's rows start among them
    c_obs: np.ndarray | None  # (4, P, E) the rows at the corners of the hazards' floors, or None
    c_hold: np.ndarray | None
    force_e: np.ndarray  # (E,) 1.0 on a force option, else 0.0
    mask_e: np.ndarray  # (E, M) 1.0 on an option of each random intercept's option group (intercept.masks)
    mask_u: np.ndarray  # (U, M) the same on the unique rows
    kind_u: np.ndarray  # (U,) the kind of each unique row's decision
    group_u: np.ndarray  # (U,) the group of each unique row's decision (its first, where groups share one)


_COMPACT: dict[tuple[int, tuple[str, ...] | None], tuple[Tensor, Compact]] = {}


def compact(t: Tensor, groups: tuple[str, ...] | None = None) -> Compact:
    """The compact form of `t` (cached while `t` lives); with option `groups` (intercept.GROUPS), decisions share
    a softmax only within a group (an actor in a record, whose intercepts shift those options)."""
    cached = _COMPACT.get((id(t), groups))
    if cached is not None and cached[0] is t:
        return cached[1]
    n_idx, o_idx = np.nonzero(t.valid)
    K = int(t.kind.max()) + 1 if len(t.kind) else 1
    K = max(K, 4)
    kind_e = t.kind[n_idx]
    onehot = np.zeros((len(n_idx), K))
    onehot[np.arange(len(n_idx)), kind_e] = 1.0
    starts = np.searchsorted(n_idx, np.arange(t.valid.shape[0]))
    x = np.ascontiguousarray(t.feats[:, n_idx, o_idx])
    force = getattr(t, "force", None)  # a tensor pickled before the intercept has none
    force_e = np.zeros(len(n_idx)) if force is None else force[n_idx, o_idx].astype(float)
    mask_e = masks(x[0], force_e, groups or ())
    by_group = groups is not None
    rows, unique_starts, unique_owner, row_map = _distinct(x, starts, t.kind, mask_e, t.group if by_group else None)
    acts = np.flatnonzero(t.act)
    act_rows = np.flatnonzero(t.act[n_idx])
    act_starts = np.searchsorted(n_idx[act_rows], acts)
    c = Compact(
        x=x,
        m_obs=t.m_obs[:, n_idx, o_idx],
        m_hold=t.m_hold[:, n_idx, o_idx],
        owner=n_idx,
        starts=starts,
        onehot=onehot,
        kind_e=kind_e,
        by_kind=[_by_kind(xp[rows], kind_e[rows], K) for xp in x],
        unique_starts=unique_starts,
        unique_owner=unique_owner,
        row_map=row_map,
        acts=acts,
        act_rows=act_rows,
        act_starts=act_starts,
        c_obs=None if t.corners_obs is None else np.ascontiguousarray(t.corners_obs[:, :, n_idx, o_idx]),
        c_hold=None if t.corners_hold is None else np.ascontiguousarray(t.corners_hold[:, :, n_idx, o_idx]),
        force_e=force_e,
        mask_e=mask_e,
        mask_u=mask_e[rows],
        kind_u=kind_e[rows],
        group_u=t.group[n_idx][rows],
    )
    if len(_COMPACT) > 8:
        _COMPACT.clear()
    _COMPACT[(id(t), groups)] = (t, c)
    return c


def _distinct(
    x: np.ndarray, starts: np.ndarray, kind: np.ndarray, mask: np.ndarray, group: np.ndarray | None
) -> tuple[np.ndarray, ...]:
    """Decisions with the same kind, feature matrix in every replay and intercepts' options (and group, where given)
    share one softmax (a quiet actor-day is
    scored on both channels from one state: about half the decisions). Returns the rows of the first decision of
    each distinct state, where each distinct state starts among them, the state of each of them, and for every
    row the one it reads its probability from."""
    ends = np.append(starts[1:], x.shape[1])
    first: dict[tuple[int, bytes], int] = {}
    keep: list[int] = []  # distinct decisions, in order
    slot = np.empty(len(starts), dtype=int)  # each decision's distinct state
    for n, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        who = -1 if group is None else int(group[n])
        j = first.setdefault((int(kind[n]), who, x[:, a:b].tobytes() + mask[a:b].tobytes()), len(keep))
        if j == len(keep):
            keep.append(n)
        slot[n] = j
    sizes = ends - starts
    unique_starts = np.concatenate([[0], np.cumsum(sizes[keep])[:-1]]).astype(int)
    rows = np.concatenate([np.arange(starts[n], ends[n]) for n in keep]) if keep else np.zeros(0, dtype=int)
    unique_owner = np.repeat(np.arange(len(keep)), sizes[keep])
    offset = np.arange(x.shape[1]) - np.repeat(starts, sizes)  # each row's place among its decision's options
    row_map = unique_starts[np.repeat(slot, sizes)] + offset
    return rows, unique_starts, unique_owner, row_map


def _by_kind(x: np.ndarray, kind_e: np.ndarray, K: int) -> sparse.csr_matrix:
    """The (E, D) features as a sparse (E, K * D) matrix with each row in its kind's block: utilities of every
    kind's weights are one sparse product (about a fifth of the features are non-zero), and so is the gradient."""
    E, D = x.shape
    rows, cols = np.nonzero(x)
    return sparse.csr_matrix((x[rows, cols], (rows, kind_e[rows] * D + cols)), shape=(E, K * D))


def _rows(c: Compact, p: int, hazard: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """Replay p's pipeline rows (hold, observed) at the floors `hazard`, and their derivatives in each floor (None
    when the rows are the replay's own)."""
    if hazard is None or c.c_hold is None or c.c_obs is None:
        return c.m_hold[p], c.m_obs[p], None, None
    b, b_e, b_f = bilinear(hazard)
    ch, co = c.c_hold[:, p], c.c_obs[:, p]
    return b @ ch, b @ co, np.stack([b_e @ ch, b_f @ ch]), np.stack([b_e @ co, b_f @ co])


def decision_terms(
    t: Tensor,
    w: np.ndarray,
    hazard: np.ndarray | None = None,
    offset: np.ndarray | None = None,
    groups: tuple[str, ...] = ("force",),
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """For weights `w` (K, D) per kind, hazard floors `hazard` (early, news_floor; None: the replay's own) and
    a shift `offset` (G, M) per group of the utility of the options of each of the option `groups` (M of
    intercept.GROUPS; a (G,) offset is one group's; None: none): log-probability (P, N), per replay the
    coefficients (E,) whose product with the features is the gradient (d ll / d w = sum over a decision's
    options of coef x F), the nats owed to the floor (P, N), d ll / d floors (P, 2, N) and d ll / d offset
    (P, N, M). Utilities for every kind come from one matrix product per replay; softmax and the rows of the
    pipeline are segment sums over the decisions' options."""
    if offset is not None:
        offset = np.asarray(offset, dtype=float).reshape(len(t.groups), len(groups))
    c = compact(t, groups if offset is not None else None)
    P = c.x.shape[0]
    owner, starts = c.owner, c.starts
    ll, floors, coefs, g_h, g_off = [], [], [], [], []
    act = t.act
    k = t.outcomes.astype(float)
    flat = np.zeros((c.onehot.shape[1], w.shape[1]))
    flat[: w.shape[0]] = w
    flat = flat.ravel()
    us, uo = c.unique_starts, c.unique_owner
    ar = c.act_rows
    for p in range(P):
        m_hold, m_obs, dm_hold, dm_obs = _rows(c, p, hazard)
        u = c.by_kind[p] @ flat
        if offset is not None:
            u = u + (offset[c.group_u] * c.mask_u).sum(axis=1)
        u = u - np.maximum.reduceat(u, us)[uo]
        e = np.exp(u)
        s = (e / np.add.reduceat(e, us)[uo])[c.row_map]
        p_hold = np.add.reduceat(m_hold * s, starts)
        p_obs = np.zeros(len(starts))
        if len(ar):
            p_obs[c.acts] = np.add.reduceat(m_obs[ar] * s[ar], c.act_starts)
        a = 1.0 - p_hold
        ok = a > 1e-300
        safe_a = np.where(ok, a, 1.0)
        ch = np.where(ok, p_obs / safe_a, 0.0)
        fa, fc, fh = _floor(a, 2.0), _floor(ch, k), _floor(p_hold, 2.0)
        ll.append(np.where(act, np.log(fa) + np.log(fc), np.log(fh)))
        d_c = np.where((ch > 0.0) & (ch < 1.0), (1.0 - TREMBLE) / fc, 0.0)
        d_hold = np.where(act, -(1.0 - TREMBLE) / fa + d_c * ch / safe_a, (1.0 - TREMBLE) / fh)
        d_obs = np.where(act, d_c / safe_a, 0.0)
        coef = s * d_hold[owner] * (m_hold - p_hold[owner])
        if len(ar):
            coef[ar] += s[ar] * d_obs[owner[ar]] * (m_obs[ar] - p_obs[owner[ar]])
        coefs.append(coef)
        g_off.append(
            np.add.reduceat(coef[:, None] * c.mask_e, starts) if offset is not None else np.zeros((len(starts), 0))
        )
        g = np.zeros((2, len(starts)))
        if dm_hold is not None and dm_obs is not None:
            for i in range(2):
                g[i] = d_hold * np.add.reduceat(dm_hold[i] * s, starts)
                if len(ar):
                    g[i, c.acts] += d_obs[c.acts] * np.add.reduceat(dm_obs[i][ar] * s[ar], c.act_starts)
        g_h.append(g)
        half = TREMBLE / 2.0
        floors.append(np.where(act, half / fa * np.log(fa) + (TREMBLE / k) / fc * np.log(fc), half / fh * np.log(fh)))
    return np.array(ll), coefs, np.array(floors), np.array(g_h), np.array(g_off)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.exp(x - top).sum(axis=axis))


def evaluate(
    t: Tensor,
    w: np.ndarray,
    eta: np.ndarray | None = None,
    hazard: np.ndarray | None = None,
    sigma: np.ndarray | None = None,
    grid: Grid | None = None,
    groups: tuple[str, ...] = ("force",),
) -> Value:
    """Log-likelihood of every record at class weights `w` (C, K, D), class logits `eta` (K, C), hazard floors
    `hazard` (early, news_floor; None: the replay's own), shared by the classes, and the sds `sigma` (K, M) per
    kind of the crisis-level intercepts on the option `groups` (M of intercept.GROUPS; a (K,) sigma is one
    group's), integrated over the nodes of `grid` (None: no intercept)."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 2:
        w = w[None]
    C, K, D = w.shape
    eta = np.zeros((K, C)) if eta is None else np.asarray(eta, dtype=float)
    log_pi = eta - _logsumexp(eta, 1)[:, None]
    G, R = len(t.groups), len(t.records)
    group_kind = np.zeros(G, dtype=int)
    group_kind[t.group] = t.kind  # an actor has one kind in a record
    group_record = np.zeros(G, dtype=int)
    group_record[t.group] = t.record
    mixed = sigma is not None and grid is not None
    M = len(groups)
    if mixed:
        sigma_k = np.asarray(sigma, dtype=float).reshape(-1, M)
        b, log_omega, d_sigma = grid.nodes(sigma_k[group_kind])  # (Q, G, M), (Q, G), (Q, G, M)
    else:
        b, log_omega, d_sigma = np.zeros((1, G, M)), np.zeros((1, G)), np.zeros((1, G, M))
    Q = len(b)
    cpt = compact(t, groups if mixed else None)
    P, N = t.feats.shape[:2]
    J = C * Q  # components: (class, node), class-major
    ll, floors, g_h = np.empty((J, P, N)), np.empty((J, P, N)), np.empty((J, P, 2, N))
    coefs = []
    for j in range(J):
        c, q = divmod(j, Q)
        ll[j], coef, floors[j], g_h[j], _ = decision_terms(t, w[c], hazard, b[q] if mixed else None, groups)
        coefs.append(coef)
    group_ll = np.stack([[np.bincount(t.group, ll[j, p], G) for p in range(P)] for j in range(J)])
    log_prior = (log_pi[group_kind][:, :, None] + log_omega.T[:, None, :]).reshape(G, J)  # class c, node q: c * Q + q
    joint = log_prior.T[:, None, :] + group_ll  # (J, P, G)
    marginal = _logsumexp(joint, 0)  # (P, G)
    resp = np.exp(joint - marginal[None])  # (J, P, G)
    rec = np.stack([np.bincount(group_record, marginal[p], R) for p in range(P)]) + t.other
    per_record = _logsumexp(rec, 0) - np.log(P)
    alpha = np.exp(rec - (per_record + np.log(P))[None])  # (P, R): each replay's weight in its record
    weight = alpha[:, group_record][None] * resp  # (J, P, G): weight of component j in replay p for group g
    wn = weight[:, :, t.group]  # (J, P, N)
    grad_w = np.zeros((C, K, D))
    blocks = cpt.onehot.shape[1]
    for j in range(J):
        for p in range(P):
            per_row = np.bincount(cpt.row_map, coefs[j][p] * wn[j, p][cpt.owner], len(cpt.unique_owner))
            grad_w[j // Q] += (cpt.by_kind[p].T @ per_row).reshape(blocks, D)[:K]
    pi = np.exp(log_pi)
    by_class = weight.reshape(C, Q, P, G).sum(axis=1)  # (C, P, G)
    excess = by_class.sum(axis=1).T - alpha[:, group_record].sum(axis=0)[:, None] * pi[group_kind]  # (G, C)
    grad_eta = np.stack([np.bincount(group_kind, excess[:, c], K) for c in range(C)], axis=1)
    value = Value(
        total=float(per_record.sum()),
        grad_w=grad_w,
        grad_eta=grad_eta,
        per_record=per_record,
        responsibility=np.einsum("pg,cpg->cg", alpha[:, group_record], resp.reshape(C, Q, P, G).sum(axis=1)),
        per_decision=np.einsum("jpn,jpn->n", wn, ll),
        floor_nats=float(np.einsum("jpn,jpn->", wn, floors)),
        grad_floors=np.einsum("jpn,jpin->i", wn, g_h),
    )
    if mixed:  # the nodes are fixed: sigma moves only their prior density (intercept.py)
        by_node = weight.reshape(C, Q, P, G).sum(axis=(0, 2))[:, :, None]  # (Q, G, 1): each node's posterior weight
        per_group = (by_node * d_sigma).sum(axis=0)  # (G, M)
        value.grad_sigma = np.stack([np.bincount(group_kind, per_group[:, m], K) for m in range(M)], axis=1)
        value.intercept = (by_node * b).sum(axis=0)
        value.intercept_sd = np.sqrt(np.maximum((by_node * b**2).sum(axis=0) - value.intercept**2, 0.0))
    return value
