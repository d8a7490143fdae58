"""The operations' hazards estimated from the records' spells (learn/spells.py): the filter's terms, an exact
gradient, recovery of a known running length, and the forward runs reading what the fit wrote."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_intercept import synthetic
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.learn import spells as sp
from escalation_sim.learn.extract import quantal_everywhere
from escalation_sim.learn.fit import A, B, E, F, estimated, find_mode, log_posterior, prior_from
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import load_scenario
from escalation_sim.score.filter import spell_factors, spells
from escalation_sim.score.record import scored_days
from helpers import ROOT, shipped

WEIGHTS = ROOT / "src" / "escalation_sim" / "data" / "quantal_weights.json"
DEFAULTS = json.loads(WEIGHTS.read_text())["defaults"]


def geometric(n: int, days: float, change_days: float, horizon: int, seed: int, records: int = 1) -> sp.Spells:
    """`n` spells whose daily stop and change hazards are 1 / days and 1 / change_days (a change open every day),
    cut at `horizon` days (right-censored), scored against replay hazards of 1/14."""
    rng = np.random.default_rng(seed)
    h, hc = 1.0 / days, 1.0 / change_days
    quiet, changes, stopped = [], [], []
    for _ in range(n):
        q = c = 0
        ended = False
        for _day in range(horizon - 1):
            u = rng.random()
            if u < h:
                ended = True
                break
            c += u < h + hc
            q += u >= h + hc
        quiet.append(q)
        changes.append(c)
        stopped.append(ended)
    return sp.Spells(
        np.arange(n) % records, np.array(quiet, float), np.zeros(n), np.array(changes), np.array(stopped),
        np.full(n, 1 / 14), np.full(n, 1 / 14), records,
    )  # fmt: skip


def streams(chance: float, n: int, seed: int, records: int = 1, slopes: np.ndarray | None = None) -> sp.Streams:
    """`n` decided acts of each `STREAMS` action, each starting a stream with probability `chance` (with `slopes`:
    at covariates 0, the covariates drawn uniform on [0, 1] and moving the logit by slopes . x)."""
    rng = np.random.default_rng(seed)
    action = np.repeat(np.arange(len(sp.STREAMS)), n)
    if slopes is None:
        return sp.Streams(np.arange(len(action)) % records, action, rng.random(len(action)) < chance, records)
    x = rng.random((len(action), len(sp.COVARIATES)))
    p = 1.0 / (1.0 + np.exp(-(np.log(chance / (1.0 - chance)) + x @ slopes)))
    return sp.Streams(np.arange(len(action)) % records, action, rng.random(len(action)) < p, records, x)


def test_the_terms_are_the_filters() -> None:
    """gaza2014's spells scored by `spell_factors` (score/filter.py) at the replay's hazards and at others: the
    difference is the module's delta."""
    scenario = load_scenario(ROOT / "scenarios" / "library" / "gaza2014.yaml")  # a train case
    days = scored_days(scenario)
    found = sp.collect([scenario], [days])
    assert len(found) == 2 and found.stopped.all() and (found.quiet_open > 40).all()
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)

    def filter_terms(h: float, hc: float) -> float:
        total = 0.0
        for items in spells(scenario, days).values():
            for event, kept, stopped in items:
                actor = model.by_id[event.actor]
                actor.stop_hazard, actor.change_hazard = h, hc
                total += sum(
                    np.log(f.floored) for f in spell_factors(actor, event, kept, stopped) if f.key[1] == "timing"
                )
        return total

    a = np.array([-3.5, -5.0])
    h, hc = sp.hazards(a)
    assert sp.log_lik(found, a)[0].sum() == pytest.approx(filter_terms(h, hc) - filter_terms(1 / 14, 1 / 14))
    assert sp.durations(sp.logits(np.array([40.0, 300.0]))) == pytest.approx([40.0, 300.0])


def test_the_gradient_matches_finite_differences() -> None:
    t = synthetic(groups=4, days=20, sigma=0.0, engaged=0.5, seed=3)
    s = geometric(30, 40.0, 120.0, 200, seed=1, records=4)
    st = streams(0.3, 40, seed=1, records=4, slopes=np.linspace(-1.0, 1.0, len(sp.COVARIATES)))
    prior = estimated(prior_from(DEFAULTS, spells=s, streams=st), t)
    assert prior.free[A] and prior.free[A + 1] and prior.free[B:F].all()
    theta = prior.start() + np.random.default_rng(0).normal(0.0, 0.3, size=len(prior.start()))
    _, grad, _ = log_posterior(t, prior, theta)
    for i in (A, A + 1, B, E - 1, E, F - 1, len(theta) - 1):
        e = np.zeros_like(theta)
        e[i] = 1e-5
        numeric = (log_posterior(t, prior, theta + e)[0] - log_posterior(t, prior, theta - e)[0]) / 2e-5
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_a_known_running_length_is_recovered() -> None:
    """Spells of mean length 60 days (changes every 250) are read as such, though the prior centres on 14; without
    spells the hazards are not estimated and stay at the prior's centre."""
    t = synthetic(groups=4, days=20, sigma=0.0, engaged=0.5, seed=3)
    s = geometric(150, 60.0, 250.0, 400, seed=2, records=4)
    mode = find_mode(t, estimated(prior_from(DEFAULTS, spells=s), t))
    days = sp.durations(mode.theta[A : A + 2])
    assert 45.0 < days[0] < 80.0 and 150.0 < days[1] < 450.0
    plain = find_mode(t, estimated(prior_from(DEFAULTS), t))
    assert sp.durations(plain.theta[A : A + 2]) == pytest.approx([14.0, 14.0])
    streamed = find_mode(t, estimated(prior_from(DEFAULTS, streams=streams(0.4, 150, seed=5)), t))
    chances = np.array(list(sp.stream_chances(streamed.theta[B:E]).values()))
    assert (abs(chances - 0.4) < 0.1).all()  # one act in ten at the prior's centre; the data say four
    assert np.allclose(list(sp.stream_chances(plain.theta[B:E]).values()), 0.1)
    assert not streamed.theta[E:F].any()  # acts without covariates: no slope is estimated


def test_known_stream_slopes_are_recovered() -> None:
    """Stream starts whose logit rises by 2.5 with the first covariate and falls by 2.5 with the second (the rest
    0): the mode finds the signs and sizes through the Normal(0, 1) prior's pull toward 0."""
    t = synthetic(groups=4, days=20, sigma=0.0, engaged=0.5, seed=3)
    truth = np.zeros(len(sp.COVARIATES))
    truth[:2] = (2.5, -2.5)
    mode = find_mode(t, estimated(prior_from(DEFAULTS, streams=streams(0.2, 400, seed=6, slopes=truth)), t))
    slopes = mode.theta[E:F]
    assert 1.5 < slopes[0] < 3.2 and -3.2 < slopes[1] < -1.5 and (abs(slopes[2:]) < 0.6).all(), slopes


def _records(scenario, seed: int) -> list:
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    model.run_model()
    return model.records


def test_the_forward_runs_read_the_fitted_hazards(tmp_path) -> None:
    data = json.loads(WEIGHTS.read_text())
    long, bad = tmp_path / "long.json", tmp_path / "bad.json"
    long.write_text(json.dumps(data | {"hazards": data["hazards"] | {"operation_days": 90.0, "change_days": 500.0}}))
    bad.write_text(json.dumps(data | {"hazards": data["hazards"] | {"operation_days": 0.5, "change_days": 500.0}}))
    assert sp.read(None) is None  # the package's file: the scenarios' own hazards stand
    model = EscalationModel(scenario=quantal_everywhere(shipped("jan2020"), str(long)), rng=0, collect=False)
    assert all(
        a.stop_hazard == pytest.approx(1 / 90) and a.change_hazard == pytest.approx(1 / 500) for a in model.actors
    )
    plain = EscalationModel(scenario=quantal_everywhere(shipped("jan2020")), rng=0, collect=False)
    assert all(a.stop_hazard == pytest.approx(1 / 14) for a in plain.actors)
    streamy = tmp_path / "streams.json"
    streamy.write_text(json.dumps(data | {"hazards": data["hazards"] | {"streams": dict.fromkeys(sp.STREAMS, 1.0)}}))
    started = [
        r.reason
        for seed in range(3)
        for r in _records(quantal_everywhere(shipped("jan2020"), str(streamy)), seed)
        if "starts operation" in r.reason
    ]
    assert any(any(f"-{a} " in why for a in sp.STREAMS) for why in started), started  # a strike stream started
    assert not any(
        any(f"-{a} " in r.reason for a in sp.STREAMS) and "starts operation" in r.reason
        for seed in range(3)
        for r in _records(quantal_everywhere(shipped("jan2020")), seed)
    )
    with pytest.raises(ValueError, match=r"hazards\.operation_days must be a number of days in \[1, 3660\], got 0.5"):
        sp.read(str(bad))
    refused = CliRunner().invoke(app, ["forward-check", "jan2020", "--weights", str(bad), "--out", str(tmp_path)])
    assert refused.exit_code == 2 and "hazards.operation_days" in refused.output


def test_nuts_samples_the_hazards_with_the_weights() -> None:
    from escalation_sim.learn.bayes import sample

    t = synthetic(groups=4, days=20, sigma=0.0, engaged=0.5, seed=3)
    s = geometric(60, 60.0, 250.0, 400, seed=4, records=4)
    prior = estimated(prior_from(DEFAULTS, spells=s), t)
    mode = find_mode(t, prior)
    post = sample(t, prior, mode.theta, draws=30, tune=30, chains=2, seed=1)
    assert np.isfinite(post.rhat[A : A + 2]).all() and post.divergences == 0
    days = np.array([sp.durations(a) for a in post.draws[..., A : A + 2].reshape(-1, 2)])
    assert days[:, 0].std() > 0.0 and 30.0 < np.median(days[:, 0]) < 120.0  # sampled around the truth, 60


def test_the_stream_chance_reads_the_situation() -> None:
    """A real jan2020 actor: the stream chance of its strike is `streams` at covariates 0 and moves with the
    slopes (here: provocation, an unanswered blow of severity 5 against none); none for a sustained action."""
    from escalation_sim.mechanics.operations import stream_chance

    model = EscalationModel(scenario=quantal_everywhere(shipped("jan2020")), rng=0, collect=False)
    usa = model.by_id["USA"]
    strike = next(o for o in usa.options if o.action in sp.STREAMS and o.target is not None)
    usa.streams, usa.stream_slopes = {strike.action: 0.2}, {}
    assert stream_chance(usa, strike) == pytest.approx(0.2)
    usa.stream_slopes = {"provocation": 3.0}
    usa.outstanding[strike.target_index], usa.last_killed[strike.target_index] = 0.0, 0
    assert stream_chance(usa, strike) == pytest.approx(0.2)
    usa.outstanding[strike.target_index] = 5.0
    assert stream_chance(usa, strike) == pytest.approx(1.0 / (1.0 + 4.0 * np.exp(-1.5)))
    usa.sustained = {strike.action: 1.0}
    assert stream_chance(usa, strike) == 0.0
