"""The hazards' floors as estimated parameters (issue 19, learn/floors.py): the pipeline is bilinear in them so the
corner maps give the model's own rows at any value, a record's likelihood moves with them and its gradient is
right, they are recovered from a synthetic record, and the forward model runs with the values the fit wrote."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest

from escalation_sim.cli.common import apply_decisions
from escalation_sim.learn import floors as hazard_floors
from escalation_sim.learn.extract import extract, quantal_everywhere
from escalation_sim.learn.fit import Prior, estimated, find_mode, log_posterior, prior_from
from escalation_sim.learn.likelihood import evaluate
from escalation_sim.learn.recovery import laplace_cov, resampled_floors
from escalation_sim.model import EscalationModel
from escalation_sim.rules.features import INDEX, KINDS, NAMES
from escalation_sim.scenario.hazards import CLASSES
from helpers import ROOT, shipped

WEIGHTS = ROOT / "src" / "escalation_sim" / "data" / "quantal_weights.json"


@pytest.fixture(scope="module")
def tensor():
    return extract({"jan2020": shipped("jan2020")}, particles=1, seed=3, doctrines=False)


@pytest.fixture(scope="module")
def prior():
    return prior_from(json.loads(WEIGHTS.read_text())["defaults"])


def fitted() -> np.ndarray:
    table = json.loads(WEIGHTS.read_text())["weights"]
    return np.array([[table[k].get(n, 0.0) for n in NAMES] for k in KINDS])


def test_corner_maps_give_the_replays_own_pipeline_and_probabilities(tensor) -> None:
    """At the floors the replay ran with, the bilinear mix of the four corner maps is the pipeline the model
    itself applied (exactly: the pipeline is bilinear in the floors), and the likelihood is the model's own."""
    own = hazard_floors.read()  # quantal_everywhere ran the replay at the package's floors
    b = hazard_floors.bilinear(own)[0]
    assert np.allclose(np.einsum("j,jpno->pno", b, tensor.corners_hold), tensor.m_hold, atol=1e-12)
    assert np.allclose(np.einsum("j,jpno->pno", b, tensor.corners_obs), tensor.m_obs, atol=1e-12)
    for corner in range(1, 4):  # the floors matter somewhere along jan2020
        assert not np.allclose(tensor.corners_hold[corner], tensor.corners_hold[0])
    value = evaluate(tensor, fitted(), hazard=own)
    assert np.allclose(value.per_decision, tensor.model_ll[0], atol=1e-9)


def test_a_records_likelihood_moves_with_the_floors_and_its_gradient_is_right(tensor, prior) -> None:
    w = fitted()
    low = evaluate(tensor, w, hazard=np.array([0.01, 0.01])).total
    high = evaluate(tensor, w, hazard=np.array([0.4, 0.4])).total
    assert abs(high - low) > 1.0  # nats: the floors change what the record is worth
    mine = estimated(prior, tensor)
    assert mine.free[-2:].all()  # both floors are identified by jan2020
    theta = prior.start() + np.random.default_rng(2).normal(0.0, 0.3, size=len(prior.start()))
    _, grad, _ = log_posterior(tensor, prior, theta)
    for i in (len(theta) - 2, len(theta) - 1):
        e = np.zeros_like(theta)
        e[i] = 1e-5
        numeric = (log_posterior(tensor, prior, theta + e)[0] - log_posterior(tensor, prior, theta - e)[0]) / 2e-5
        assert grad[i] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_the_floors_are_recovered_from_a_synthetic_record(tensor, prior) -> None:
    """Outcomes drawn on jan2020's states and pipeline at floors far from the prior's centre (0.05), the weights
    held at the truth: the fit brings both floors near the truth, inside their 90% Laplace intervals, with seeds
    fixed. (Signals weigh more than fitted so that stale-news statements are drawn often enough to inform the news
    floor: on the real records it is the statements made on old news that do. The joint recovery of weights and
    floors on simulated records is `escalation-sim learn`'s recovery.csv.)"""
    w = fitted()
    w[:, INDEX["signal"]] += 2.0
    truth = np.array([0.3, 0.3])
    held = prior.start()
    held[: len(NAMES)] = 0.0
    held[len(NAMES) : len(NAMES) * (1 + len(KINDS))] = w.ravel()  # mu = 0, delta_k = the truth's weights
    free = np.zeros(len(held), dtype=bool)
    free[-2:] = True
    floors_only = Prior(prior.mean, free, held)
    logit_truth = np.log(truth / (1 - truth))
    for seed in (11, 12):
        synthetic = resampled_floors(tensor, w, truth, seed=seed, copies=20)
        mode = find_mode(synthetic, floors_only, start=held)
        assert np.allclose(mode.weights, w)
        grad = partial(lambda x, t: log_posterior(t, floors_only, floors_only.unpack(x))[1][free], t=synthetic)
        cov = laplace_cov(grad, mode.theta[free])
        sd = np.sqrt(np.diag(cov))
        est = mode.theta[-2:]
        assert (np.abs(est - logit_truth) < 1.645 * sd).all(), (mode.floors, sd)
        assert (np.abs(est - logit_truth) < np.abs(hazard_floors.PRIOR_MEAN - logit_truth) / 2).all(), mode.floors
        assert (sd < hazard_floors.PRIOR_SD / 2).all()  # the record, not the prior, placed them


def test_the_forward_model_runs_with_the_floors_the_fit_wrote(tmp_path) -> None:
    data = json.loads(WEIGHTS.read_text())
    data["hazards"] = {"early": 0.3, "news_floor": 0.2}
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data))
    scenario = quantal_everywhere(shipped("jan2020"), str(path))
    model = EscalationModel(scenario=scenario, rng=0, collect=False)
    for actor in model.actors:
        h = scenario.actors[actor.actor_id].hazards
        assert h is not None and h.news_floor == 0.2
        assert all(h.lag(c).early == 0.3 for c in range(len(CLASSES)))
        assert actor.clock.news_floor == 0.2
        assert any(table and table[0] == pytest.approx(0.3) for table in actor.clock.tables)
    kh = scenario.actors["KH"].hazards
    assert kh is not None and kh.force.min_days == 0 and kh.force.scale_days == 1.0  # its own lags kept
    learned = apply_decisions(shipped("jan2020"), "learned", None)  # the CLI's learned model: the shipped file
    shipped_floors = hazard_floors.read()
    for spec in learned.actors.values():
        assert spec.hazards is not None and spec.hazards.news_floor == pytest.approx(shipped_floors[1])
        assert spec.hazards.words.early == pytest.approx(shipped_floors[0])
    assert apply_decisions(shipped("jan2020"), "doctrines", None) is shipped("jan2020")  # doctrines untouched


def test_a_bad_floor_in_the_weights_file_names_the_field(tmp_path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"weights": {}, "hazards": {"early": 1.5, "news_floor": 0.1}}))
    with pytest.raises(ValueError, match=r"hazards\.early"):
        hazard_floors.read(str(path))
