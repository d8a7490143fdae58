"""Parameter recovery: records simulated by the quantal rule at known weights, refitted (issue 19, item 3).

Each synthetic record is one run of a train scenario with every actor under the quantal rule at the known
weights (calibrate/synthetic.py: history replayed to the branch, the model deciding after it, every act then a
dated event of a new record, scored to the horizon). The weights are refitted on it with the same prior, and
each kind's weights that the record informs are checked: does the 90% interval cover the truth? Intervals are
the Laplace approximation at the posterior mode (the inverse of the Hessian of the log-posterior, by central
differences of the analytic gradient), so twenty refits take minutes, not hours; `escalation-sim learn` compares
them with NUTS on the real fit.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.stats import norm

from ..calibrate.synthetic import synthetic_record
from ..rules.features import KINDS, NAMES
from ..scenario import Scenario
from . import floors as hazard_floors
from .extract import Tensor, extract
from .fit import Prior, find_mode, log_posterior

LEVEL = 0.90


def weights_file(weights: np.ndarray, folder: Path, floors: np.ndarray | None = None) -> str:
    """Write weights (K, D) and hazard floors (the prior's centre when None) as a quantal weights file; its
    path."""
    table = {k: {n: float(weights[i, d]) for d, n in enumerate(NAMES)} for i, k in enumerate(KINDS)}
    floors = hazard_floors.prior_floors() if floors is None else floors
    hazards = {n: float(v) for n, v in zip(hazard_floors.NAMES, floors, strict=True)}
    path = folder / "truth.json"
    path.write_text(json.dumps({"weights": table, "hazards": hazards}))
    return str(path)


def simulate(scenario: Scenario, weights: np.ndarray, seed: int, floors: np.ndarray | None = None) -> Scenario:
    """One synthetic record of `scenario` with every actor quantal at `weights` (K, D) and hazard floors
    `floors` (the prior's centre when None)."""
    floors = hazard_floors.prior_floors() if floors is None else floors
    with tempfile.TemporaryDirectory() as folder:
        path = weights_file(weights, Path(folder), floors)
        values = {f"actors.{a}.rule": {"name": "quantal", "weights_file": path} for a in scenario.actors}
        values |= hazard_floors.floor_edits(scenario, floors)
        record = synthetic_record(scenario, values, seed)
    return record.with_edits({f"actors.{a}.rule": {"name": "quantal"} for a in scenario.actors})


def laplace_cov(f: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Posterior covariance at the mode: the inverse of minus the Hessian (central differences of the gradient
    `f`)."""
    n = len(theta)
    hess = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = step
        hess[:, i] = (f(theta + e) - f(theta - e)) / (2 * step)
    hess = 0.5 * (hess + hess.T)
    return np.linalg.inv(-hess)


def weight_sd(cov: np.ndarray) -> np.ndarray:
    """(K, D) standard deviations of each kind's weights mu + delta_k under the covariance of (mu, delta)."""
    K, D = len(KINDS), len(NAMES)
    out = np.empty((K, D))
    for k in range(K):
        for d in range(D):
            j = D + k * D + d
            out[k, d] = np.sqrt(max(0.0, cov[d, d] + cov[j, j] + 2.0 * cov[d, j]))
    return out


@dataclass
class Recovery:
    seed: int
    decisions: int
    covered: int
    checked: int
    rows: list[dict[str, float | str | bool]]


def recover(
    scenario: Scenario, truth: np.ndarray, prior: Prior, seed: int, particles: int = 1, floors: np.ndarray | None = None
) -> Recovery:
    """Simulate one record at `truth` (K, D) and hazard floors `floors`, refit, and check the 90% intervals of
    the kinds it has and of the floors (on their logit scale, where the Laplace approximation is made)."""
    floors = hazard_floors.prior_floors() if floors is None else floors
    record = simulate(scenario, truth, seed, floors)
    t = extract({record.name: record}, particles, seed, doctrines=False, until="horizon")
    mode = find_mode(t, prior)
    cov = laplace_cov(lambda th: log_posterior(t, prior, th)[1], mode.theta)
    sd = weight_sd(cov)
    D = truth.shape[1]
    z = norm.ppf(0.5 + LEVEL / 2)
    seen = sorted(set(t.kind.tolist()))
    rows: list[dict[str, float | str | bool]] = []
    for k in seen:
        for d in range(D):
            est = mode.weights[k, d]
            width = z * sd[k, d]
            rows.append(
                {
                    "kind": KINDS[k],
                    "feature": NAMES[d],
                    "truth": float(truth[k, d]),
                    "estimate": float(est),
                    "low": float(est - width),
                    "high": float(est + width),
                    "covered": bool(abs(truth[k, d] - est) <= width),
                }
            )
    H = len(hazard_floors.NAMES)
    z_logit = np.log(floors / (1.0 - floors))
    for h, name in enumerate(hazard_floors.NAMES):
        j = len(prior.free) - H + h
        if not prior.free[j]:
            continue
        est, width = mode.theta[j], z * np.sqrt(max(0.0, cov[j, j]))
        rows.append(
            {
                "kind": "all",
                "feature": name,
                "truth": float(floors[h]),
                "estimate": float(mode.floors[h]),
                "low": float(1.0 / (1.0 + np.exp(-(est - width)))),
                "high": float(1.0 / (1.0 + np.exp(-(est + width)))),
                "covered": bool(abs(z_logit[h] - est) <= width),
            }
        )
    covered = sum(bool(r["covered"]) for r in rows)
    return Recovery(seed, len(t.keys), covered, len(rows), rows)


def resampled(t: Tensor, w: np.ndarray, seed: int, copies: int = 1) -> Tensor:
    """The decision states of `t` (first replay), each repeated `copies` times, with the observed choice drawn
    from the quantal rule at `w` (K, D) and no pipeline (each option stands alone): a synthetic record on real
    states, for a quick recovery check that needs no simulation."""
    rng = np.random.default_rng(seed)
    feats = np.repeat(t.feats[:1], copies, axis=1)
    valid = np.repeat(t.valid, copies, axis=0)
    kind = np.repeat(t.kind, copies)
    hold = np.repeat(t.hold, copies)
    N, width = valid.shape
    u = np.where(valid, np.einsum("nod,nd->no", feats[0], w[kind]), -np.inf)
    s = np.exp(u - u.max(axis=1, keepdims=True))
    s /= s.sum(axis=1, keepdims=True)
    chosen = np.array([rng.choice(width, p=row) for row in s])
    eye = np.eye(width)
    m_hold = eye[hold][None]
    act = chosen != hold
    m_obs = np.where(act[:, None], eye[chosen], 0.0)[None]
    groups = [(f"synthetic-{n}", str(kind[n])) for n in range(N)]  # no latent classes: one group per decision
    return replace(
        t,
        feats=feats,
        m_obs=m_obs,
        m_hold=m_hold,
        valid=valid,
        act=act,
        words=np.repeat(t.words, copies),
        hold=hold,
        outcomes=np.repeat(t.outcomes, copies),
        kind=kind,
        record=np.zeros(N, dtype=int),
        group=np.arange(N),
        keys=[t.keys[n // copies] for n in range(N)],
        records=["synthetic"],
        groups=groups,
        other=np.zeros((1, 1)),
        model_ll=np.zeros((1, N)),
        doctrine_probs=np.zeros((0, N, width)),
        doctrines=[],
        corners_obs=None,  # no pipeline: the floors do not enter
        corners_hold=None,
        force=None if t.force is None else np.repeat(t.force, copies, axis=0),
    )


def resampled_floors(t: Tensor, w: np.ndarray, floors: np.ndarray, seed: int, copies: int = 1) -> Tensor:
    """The decision states of `t` (first replay) with their pipeline's corner maps, each repeated `copies` times,
    the outcome drawn from the learned model at weights `w` (K, D) and hazard floors `floors`: holding, the
    option the record chose (where it acted), or any other act. A synthetic record on real states and the real
    pipeline, for checking that the floors are recovered (the other acts are one outcome: their rows are the
    channel's whole mass less holding and the recorded option)."""
    from .floors import bilinear

    assert t.corners_obs is not None and t.corners_hold is not None, "a tensor without corner maps"
    rng = np.random.default_rng(seed)
    rep = np.repeat(np.arange(len(t.keys)), copies)
    c_hold = t.corners_hold[:, :1, rep]
    c_obs = t.corners_obs[:, :1, rep]
    valid = t.valid[rep]
    c_other = np.where(valid[None, None], 1.0 - c_hold - c_obs, 0.0)
    b = bilinear(floors)[0]
    s_w = np.where(valid, np.einsum("nod,nd->no", t.feats[0, rep], w[t.kind[rep]]), -np.inf)
    s = np.exp(s_w - s_w.max(axis=1, keepdims=True))
    s /= s.sum(axis=1, keepdims=True)
    p_hold = (np.einsum("j,jno->no", b, c_hold[:, 0]) * s).sum(axis=1)
    p_obs = (np.einsum("j,jno->no", b, c_obs[:, 0]) * s).sum(axis=1)
    draw = rng.random(len(rep))
    hold = draw < p_hold
    chose = ~hold & (draw < p_hold + p_obs) & t.act[rep]
    corners_obs = np.where(chose[None, None, :, None], c_obs, np.where(hold[None, None, :, None], 0.0, c_other))
    N = len(rep)
    synthetic = replace(
        t,
        feats=t.feats[:1, rep],
        valid=valid,
        act=~hold,
        words=t.words[rep],
        hold=t.hold[rep],
        outcomes=t.outcomes[rep],
        kind=t.kind[rep],
        record=np.zeros(N, dtype=int),
        group=np.arange(N),
        keys=[t.keys[n] for n in rep],
        records=["synthetic"],
        groups=[(f"synthetic-{n}", str(t.kind[n])) for n in rep],
        other=np.zeros((1, 1)),
        model_ll=np.zeros((1, N)),
        doctrine_probs=np.zeros((0, N, valid.shape[1])),
        doctrines=[],
        corners_obs=corners_obs,
        corners_hold=c_hold,
        m_obs=np.einsum("j,jpno->pno", b, corners_obs),
        m_hold=np.einsum("j,jpno->pno", b, c_hold),
        force=None if t.force is None else t.force[rep],
    )
    return synthetic
