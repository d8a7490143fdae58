"""Crisis-level frailties on named option groups (learn/intercept.py: force, settle, words): the groups select
their options, the product quadrature is the integral, the gradient is exact for every group, and a frailty on
settling keeps which crises settle out of the weight on a crisis's age."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from test_intercept import DEFAULTS, STATE, synthetic
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.learn.extract import Tensor
from escalation_sim.learn.fit import K, S, centred, estimated, find_mode, identified, log_posterior, prior_from
from escalation_sim.learn.intercept import GROUPS, masks, option_groups
from escalation_sim.learn.likelihood import decision_terms, evaluate
from escalation_sim.rules.features import INDEX, NAMES

SETTLE = GROUPS.index("settle")
WORDS = GROUPS.index("words")


def crises(groups: int, sigma: tuple[float, float, float], age: float, seed: int, long: int = 150) -> Tensor:
    """Actors (one a record) choosing each day among holding, a signal, talks and a strike, each of the last three
    shifted by the actor's own intercept b ~ N(0, diag sigma^2) (force, settle, words), talks also by `age` x
    crisis_age (days / 60, capped at 1). An actor whose settle intercept is below 0 is in a crisis lasting `long`
    days, the others in one of 30: the long crises are those that rarely settle, as in the train records."""
    rng = np.random.default_rng(seed)
    rows, chosen, group = [], [], []
    for g in range(groups):
        b = rng.normal(0.0, 1.0, 3) * np.asarray(sigma)
        for d in range(30 if b[SETTLE] > 0 else long):
            f = np.zeros((4, len(NAMES)))
            f[1, INDEX["signal"]] = f[2, INDEX["deescalate"]] = f[3, INDEX["strike"]] = 1.0
            f[2, INDEX["crisis_age"]] = min(d / 60.0, 1.0)
            u = np.array([0.0, -2.0 + b[WORDS], -3.0 + b[SETTLE] + age * f[2, INDEX["crisis_age"]], -3.0 + b[0]])
            p = np.exp(u - u.max())
            rows.append(f)
            chosen.append(rng.choice(4, p=p / p.sum()))
            group.append(g)
    pick, who, N = np.array(chosen), np.array(group), len(chosen)
    eye, act = np.eye(4), np.array(chosen) != 0
    return Tensor(
        feats=np.array(rows)[None], m_obs=np.where(act[:, None], eye[pick], 0.0)[None],
        m_hold=eye[np.zeros(N, int)][None], valid=np.ones((N, 4), dtype=bool), act=act,
        words=np.zeros(N, dtype=bool), hold=np.zeros(N, dtype=int), outcomes=np.full(N, 3),
        kind=np.full(N, STATE), record=who, group=who, keys=[(f"r{g}", 0, "a", "hold") for g in who],
        records=[f"r{g}" for g in range(groups)], groups=[(f"r{g}", "a") for g in range(groups)],
        other=np.zeros((1, groups)), model_ll=np.zeros((1, N)), doctrine_probs=np.zeros((0, N, 4)), doctrines=[],
        force=np.tile([False, False, False, True], (N, 1)),
    )  # fmt: skip


def test_option_groups_are_named_and_select_their_options(tmp_path) -> None:
    assert option_groups(True) == ("force",) and option_groups(False) == option_groups("") == ()
    assert option_groups("words, settle") == ("settle", "words")  # theta's order, whatever the order named
    with pytest.raises(ValueError, match="unknown option group talks; choose from force, settle, words"):
        option_groups("settle,talks")
    t = crises(3, (1.0, 1.0, 1.0), 0.0, seed=0, long=40)
    got = masks(t.feats[0], t.force, ("force", "settle", "words"))  # (N, 4 options, 3 groups)
    assert (got[:, :, 0] == [0, 0, 0, 1]).all() and (got[:, :, 1] == [0, 0, 1, 0]).all()
    assert (got[:, :, 2] == [0, 1, 0, 0]).all()  # holding is in none: the intercepts are shifts against it
    # a signal was chosen: its likelihood rises with the words intercept and falls with the settle one
    n = int(np.flatnonzero(t.m_obs[0, :, 1] == 1)[0])
    g_off = decision_terms(t, np.zeros((4, len(NAMES))), None, np.zeros((3, 2)), ("settle", "words"))[4][0, n]
    assert g_off[1] > 0.0 > g_off[0]
    # sigma is identified for a kind where some decision has an option of the group: no talks in `synthetic`
    no_talks = identified(synthetic(groups=3, days=20, sigma=1.0, engaged=0.0, seed=0))[S : S + 3 * K]
    assert no_talks[STATE] and not no_talks[K * SETTLE + STATE] and no_talks[K * WORDS + STATE]
    prior = estimated(prior_from(DEFAULTS, intercept=("settle",)), t)
    free = prior.free[S : S + 3 * K].reshape(3, K)
    assert free[SETTLE, STATE] and free.sum() == 1  # only the named group's sigma, for the kind the records show
    refused = CliRunner().invoke(app, ["learn", "--frailty", "talks", "--mode-only", "--out", str(tmp_path)])
    assert refused.exit_code == 2 and "unknown option group talks" in refused.output
    shipped = CliRunner().invoke(app, ["learn", "--frailty", "settle", "--ship", "--out", str(tmp_path)])
    assert shipped.exit_code == 2 and "do not draw the settle and words frailties" in shipped.output


def test_the_product_quadrature_is_the_integral() -> None:
    t = crises(2, (0.0, 1.5, 1.2), 0.5, seed=2, long=40)
    groups = ("settle", "words")
    prior = prior_from(DEFAULTS, intercept=groups)
    w = prior.weights(prior.start())
    sigma = np.array([[1.5, 1.2], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    grid = centred(t, w, None, sigma, groups=groups)
    by_nodes = {}
    for nodes in (6, 12):
        grid.count = nodes
        by_nodes[nodes] = evaluate(t, w, sigma=sigma, grid=grid, groups=groups).per_record
    for g in range(2):
        c, s = grid.centre[g], grid.scale[g]
        top = decision_terms(t, w, None, np.tile(c, (2, 1)), groups)[0][0][t.group == g].sum()

        def f(y: float, x: float, g: int = g, top: float = top) -> float:
            ll = decision_terms(t, w, None, np.tile([x, y], (2, 1)), groups)[0][0][t.group == g].sum()
            prior_density = np.exp(-0.5 * (x / 1.5) ** 2 - 0.5 * (y / 1.2) ** 2) / (2.0 * np.pi * 1.5 * 1.2)
            return float(np.exp(ll - top) * prior_density)

        value, _ = integrate.dblquad(f, c[0] - 9 * s[0], c[0] + 9 * s[0], c[1] - 9 * s[1], c[1] + 9 * s[1], epsrel=1e-8)
        assert by_nodes[6][g] == pytest.approx(np.log(value) + top, abs=3e-3)  # the default for two groups
        assert by_nodes[12][g] == pytest.approx(np.log(value) + top, abs=1e-4)


@pytest.mark.parametrize("groups", [("settle",), ("settle", "words"), ("force", "settle", "words")])
def test_the_gradient_matches_finite_differences_for_every_group(groups: tuple[str, ...]) -> None:
    t = crises(4, (1.0, 1.5, 1.2), 0.5, seed=3, long=40)
    prior = prior_from(DEFAULTS, intercept=groups)
    theta = prior.start() + np.random.default_rng(0).normal(0.0, 0.3, size=len(prior.start()))
    prior.grid = centred(t, prior.weights(theta), None, prior.sigma(theta), groups=groups)
    _, grad, _ = log_posterior(t, prior, theta)
    for i in (
        INDEX["crisis_age"],
        INDEX["strike"],
        len(NAMES) + INDEX["signal"],
        *(S + m * K + STATE for m in range(3)),
    ):
        e = np.zeros_like(theta)
        e[i] = 1e-5
        numeric = (log_posterior(t, prior, theta + e)[0] - log_posterior(t, prior, theta - e)[0]) / 2e-5
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-7)
        named = i < S or GROUPS[(i - S) // K] in groups
        assert named or grad[i] == pytest.approx(-(theta[i] - 0.0))  # an unnamed group's sigma: its prior only


def test_a_frailty_on_settling_is_not_read_as_duration_dependence() -> None:
    t = crises(50, (0.0, 1.5, 0.0), 1.0, seed=1)  # settling rises with age in every crisis; the long ones rarely do
    a = INDEX["crisis_age"]
    pooled = find_mode(t, estimated(prior_from(DEFAULTS), t))
    mixed = find_mode(t, estimated(prior_from(DEFAULTS, intercept="settle"), t))
    assert pooled.weights[STATE, a] < -0.8  # which crises settle, read as settling falling with age
    assert mixed.weights[STATE, a] > 0.0 and mixed.log_posterior > pooled.log_posterior
    assert mixed.sigma is not None and 0.9 < mixed.sigma[STATE, 0] < 2.4
