"""The crisis-level random intercept on force (learn/intercept.py): heterogeneity is not read as state dependence,
the quadrature is the integral, the gradient is exact, and a weights file without it runs as before."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import integrate
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.learn.extract import Tensor, quantal_everywhere
from escalation_sim.learn.fit import S, centred, estimated, find_mode, log_posterior, prior_from
from escalation_sim.learn.intercept import NODES as BY_DIMENSION
from escalation_sim.learn.likelihood import decision_terms, evaluate
from escalation_sim.model import EscalationModel
from escalation_sim.rules.features import INDEX, KINDS, NAMES
from escalation_sim.rules.quantal import Quantal, QuantalParams, intercept_sd
from helpers import ROOT, shipped

WEIGHTS = ROOT / "src" / "escalation_sim" / "data" / "quantal_weights.json"
DEFAULTS = json.loads(WEIGHTS.read_text())["defaults"]
STATE = KINDS.index("state")


def synthetic(groups: int, days: int, sigma: float, engaged: float, seed: int) -> Tensor:
    """Actors (one a record) choosing each day among holding, a signal and a strike, the strike's utility shifted
    by the actor's own intercept b ~ N(0, sigma^2) and by `engaged` x 0.5 ** (days since its last strike / 7)."""
    rng = np.random.default_rng(seed)
    D, N = len(NAMES), groups * days
    feats = np.zeros((1, N, 3, D))
    chosen = np.zeros(N, dtype=int)
    for g in range(groups):
        b, since = rng.normal(0.0, sigma), np.inf
        for d in range(days):
            n = g * days + d
            feats[0, n, 1, INDEX["signal"]] = 1.0
            feats[0, n, 2, INDEX["strike"]] = 1.0
            feats[0, n, 2, INDEX["engaged"]] = 0.5 ** (since / 7.0)
            u = np.array([0.0, -2.0, -2.5 + b + engaged * feats[0, n, 2, INDEX["engaged"]]])
            p = np.exp(u - u.max())
            chosen[n] = rng.choice(3, p=p / p.sum())
            since = 0.0 if chosen[n] == 2 else since + 1.0
    eye = np.eye(3)
    act = chosen != 0
    group = np.repeat(np.arange(groups), days)
    return Tensor(
        feats=feats, m_obs=np.where(act[:, None], eye[chosen], 0.0)[None], m_hold=eye[np.zeros(N, int)][None],
        valid=np.ones((N, 3), dtype=bool), act=act, words=np.zeros(N, dtype=bool), hold=np.zeros(N, dtype=int),
        outcomes=np.full(N, 2), kind=np.full(N, STATE), record=group, group=group,
        keys=[(f"r{g}", d, "a", "hold") for g in range(groups) for d in range(days)],
        records=[f"r{g}" for g in range(groups)], groups=[(f"r{g}", "a") for g in range(groups)],
        other=np.zeros((1, groups)), model_ll=np.zeros((1, N)), doctrine_probs=np.zeros((0, N, 3)), doctrines=[],
        force=np.tile([False, False, True], (N, 1)),
    )  # fmt: skip


def test_heterogeneity_is_not_read_as_state_dependence() -> None:
    t = synthetic(groups=40, days=60, sigma=1.5, engaged=0.0, seed=1)
    e = INDEX["engaged"]
    pooled = find_mode(t, estimated(prior_from(DEFAULTS), t))
    mixed = find_mode(t, estimated(prior_from(DEFAULTS, intercept=True), t))
    assert pooled.weights[STATE, e] > 1.0  # without the intercept, who fights reads as fighting begets fighting
    assert abs(mixed.weights[STATE, e]) < 0.5 < pooled.weights[STATE, e] - mixed.weights[STATE, e]
    assert mixed.sigma is not None and 0.9 < mixed.sigma[STATE] < 2.4
    assert mixed.log_posterior > pooled.log_posterior
    dynamic = synthetic(groups=40, days=60, sigma=0.0, engaged=1.5, seed=1)  # and true state dependence stays
    assert find_mode(dynamic, estimated(prior_from(DEFAULTS, intercept=True), dynamic)).weights[STATE, e] > 1.0


@pytest.mark.parametrize(("nodes", "within"), [(BY_DIMENSION[1], 1e-4), (30, 1e-6)])
def test_the_quadrature_is_the_integral(nodes: int, within: float) -> None:
    t = synthetic(groups=5, days=40, sigma=1.5, engaged=0.5, seed=2)
    prior = prior_from(DEFAULTS, intercept=True)
    w = prior.weights(prior.start())
    sigma = np.array([1.7, 1.0, 1.0, 1.0])
    grid = centred(t, w, None, sigma)
    grid.count = nodes
    quadrature = evaluate(t, w, sigma=sigma, grid=grid).per_record
    for g in range(5):
        top = decision_terms(t, w, None, np.full(5, grid.centre[g, 0]))[0][0][t.group == g].sum()

        def f(b: float, g: int = g, top: float = top) -> float:
            ll = decision_terms(t, w, None, np.full(5, b))[0][0][t.group == g].sum()
            return float(np.exp(ll - top - 0.5 * (b / sigma[STATE]) ** 2) / (sigma[STATE] * np.sqrt(2 * np.pi)))

        # scipy's adaptive quadrature, told where the integrand peaks (a narrow peak far out is missed otherwise)
        value, _ = integrate.quad(f, -15.0, 15.0, points=[grid.centre[g, 0]], epsabs=1e-13, epsrel=1e-10, limit=400)
        assert quadrature[g] == pytest.approx(np.log(value) + top, abs=within)


def test_the_gradient_matches_finite_differences() -> None:
    t = synthetic(groups=6, days=30, sigma=1.0, engaged=0.5, seed=3)
    prior = prior_from(DEFAULTS, intercept=True)
    theta = prior.start() + np.random.default_rng(0).normal(0.0, 0.3, size=len(prior.start()))
    prior.grid = centred(t, prior.weights(theta), None, prior.sigma(theta))
    _, grad, _ = log_posterior(t, prior, theta)
    for i in (INDEX["strike"], INDEX["engaged"], len(NAMES) + INDEX["signal"], S + STATE):
        e = np.zeros_like(theta)
        e[i] = 1e-5
        numeric = (log_posterior(t, prior, theta + e)[0] - log_posterior(t, prior, theta - e)[0]) / 2e-5
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def _run(path: str | None, seed: int = 4) -> list[tuple[int, str | None, str, str | None, str]]:
    scenario = quantal_everywhere(shipped("jan2020"), path)
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    model.run_model()
    return [(e.day, e.actor, e.action, e.target, repr(e.probability)) for e in model.records]


def test_a_file_without_sigma_runs_as_before_and_with_sigma_draws_once_per_actor(tmp_path) -> None:
    data = json.loads(WEIGHTS.read_text())
    zero, wide, bad = tmp_path / "zero.json", tmp_path / "wide.json", tmp_path / "bad.json"
    zero.write_text(json.dumps(data | {"intercept_sd": dict.fromkeys(KINDS, 0.0)}))
    wide.write_text(json.dumps(data | {"intercept_sd": dict.fromkeys(KINDS, 3.0)}))
    bad.write_text(json.dumps(data | {"intercept_sd": dict.fromkeys(KINDS, 0.0) | {"host": -1}}))
    assert not Quantal(QuantalParams(weights_file=str(zero))).traits().keeps_state
    assert _run(None) == _run(str(zero))  # no draw, no shift: the plain rule's runs
    assert Quantal(QuantalParams(weights_file=str(wide))).traits().keeps_state
    assert _run(str(wide)) == _run(str(wide))  # seeded
    assert any(_run(str(wide), s) != _run(None, s) for s in (4, 5, 6))
    with pytest.raises(ValueError, match=r"intercept_sd\.host must be a finite number >= 0, got -1"):
        intercept_sd(str(bad))
    refused = CliRunner().invoke(app, ["forward-check", "jan2020", "--weights", str(bad), "--out", str(tmp_path)])
    assert refused.exit_code == 2 and "intercept_sd.host" in refused.output


def test_nuts_samples_sigma_on_the_modes_nodes() -> None:
    from dataclasses import replace

    from escalation_sim.learn.bayes import sample

    t = synthetic(groups=12, days=40, sigma=1.5, engaged=0.0, seed=4)
    prior = estimated(prior_from(DEFAULTS, intercept=True), t)
    mode = find_mode(t, prior)
    post = sample(t, replace(prior, grid=mode.grid), mode.theta, draws=30, tune=30, chains=2, seed=1)
    assert prior.free[S + STATE] and np.isfinite(post.rhat[S + STATE]) and post.divergences == 0
    sigma = np.exp(post.draws[..., S + STATE])
    assert np.isfinite(sigma).all() and sigma.std() > 0.0  # the sd is sampled, not held
