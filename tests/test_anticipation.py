"""Anticipation (anticipation.py, cost_benefit lookahead): a pure forecast, and lookahead 0 is the old rule."""

from __future__ import annotations

import copy
import dataclasses
import math

import pytest

from escalation_sim.minds.anticipation import Forecaster
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Scenario
from helpers import shipped

MYOPIC = {"name": "cost_benefit", "temperature": 0.15}


def events(scenario: Scenario, seed: int) -> list[tuple[object, ...]]:
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    model.run_model()
    return [(r.day, r.actor, r.action, r.target, r.probability, r.reason, r.killed) for r in model.records]


def iran(lookahead: int | None, beliefs: bool = False, us_rule: str | None = None) -> Scenario:
    rule = dict(MYOPIC) if lookahead is None else {**MYOPIC, "lookahead": lookahead}
    edits: dict[str, object] = {"actors.IRN.rule": rule}
    if not beliefs:
        edits["actors.IRN.beliefs"] = {}
    if us_rule is not None:
        edits["actors.USA.rule"] = {"name": us_rule}
    return shipped("jan2020").with_edits(edits)


@pytest.mark.parametrize("seed", [0, 1, 2, 5, 11])
def test_lookahead_0_without_beliefs_is_the_plain_rule(seed: int) -> None:
    plain, explicit = iran(None), iran(0)
    assert plain.sha256() == explicit.sha256()  # lookahead 0 is not part of the scenario's identity
    assert events(plain, seed) == events(explicit, seed)


def branch_day_model(us_rule: str) -> EscalationModel:
    """jan2020 stepped to the branch day's start, Iran anticipating the US's true rule."""
    model = EscalationModel(scenario=iran(1, us_rule=us_rule), rng=0, collect=False)
    while model.day + 1 < model.branch_day:
        model.step()
    return model


def test_forecast_sees_the_doctrine_the_target_follows() -> None:
    answers = {}
    for us_rule in ("massive_retaliation", "restraint"):
        model = branch_day_model(us_rule)
        irn = model.by_id["IRN"]
        forecasts = irn.forecasts()
        assert forecasts is not None
        strike = next(o for o in irn.options if o.action == "calibrated_strike")
        answers[us_rule] = forecasts[strike.index]
    assert answers["massive_retaliation"].rung > answers["restraint"].rung + 3
    assert answers["massive_retaliation"].deaths > 10 * max(answers["restraint"].deaths, 0.1)
    assert answers["massive_retaliation"].escalate > 0.5 > answers["restraint"].escalate


def snapshot(model: EscalationModel) -> object:
    """Everything a forecast could touch: every actor's state (its records included), the shared readings of
    resolve and credibility, every belief's posterior, the queues, the record and both generators."""
    actors = []
    for actor in model.actors:
        plain = {k: copy.deepcopy(v) for k, v in vars(actor).items() if isinstance(v, (int, float, str, list, tuple))}
        beliefs = {j: list(state.posterior) for j, state in actor.beliefs.items()}
        actors.append((plain, dataclasses.asdict(actor.proxy), dataclasses.asdict(actor.host), beliefs))
    shared = (list(model.resolve_of), list(model.credibility_of), repr(model.signals), repr(model.orders))
    return (
        actors,
        shared,
        repr(model.late_blame),
        len(model.records),
        model.random.getstate(),
        model.rng.bit_generator.state,
    )


@pytest.mark.parametrize("beliefs", [False, True])
def test_forecasting_changes_nothing_in_the_model(beliefs: bool) -> None:
    """Forecasts for every option of every actor that looks ahead (the shipped Iran, with and without its beliefs
    about the US) leave every actor and the shared belief and credibility state as they were."""
    model = EscalationModel(scenario=iran(1, beliefs=beliefs), rng=0, collect=False)
    while model.day + 1 < model.branch_day:
        model.step()
    model.step()  # a provoked day after the branch: forecasts are asked for in earnest
    lookers = [a for a in model.actors if a.forecaster is not None]
    assert lookers and all(a.forecaster is not None for a in lookers)
    before = snapshot(model)
    for actor in lookers:
        forecasts = Forecaster(actor, model).forecasts()  # a fresh one: nothing cached from the day's decisions
        assert len(forecasts) == len(actor.options)
    assert snapshot(model) == before


def test_forecasts_are_cached_until_something_happens() -> None:
    model = branch_day_model("red_line")
    irn = model.by_id["IRN"]
    assert irn.forecasts() is irn.forecasts()
    myopic = EscalationModel(scenario=iran(0), rng=0, collect=False)
    assert myopic.by_id["IRN"].forecasts() is None


def test_anticipating_iran_is_deterred_by_massive_retaliation_not_by_restraint() -> None:
    """A small version of benchmarks/deterrence_arms.py: 60 common seeds per arm."""

    def force_share(scenario: Scenario) -> tuple[float, int]:
        force = acted = 0
        for seed in range(60):
            model = EscalationModel(scenario=scenario, rng=seed, collect=False)
            model.run_model()
            first = next((r for r in model.records if r.actor == "IRN" and r.origin == "model"
                          and scenario.actions[r.action].is_hostile), None)  # fmt: skip
            if first is not None:
                acted += 1
                force += scenario.actions[first.action].force and first.rung >= 6
        return force / acted, acted

    (held, _), (deterred, _) = (
        force_share(iran(1, us_rule="restraint")),
        force_share(iran(1, us_rule="massive_retaliation")),
    )
    assert held - deterred > 0.3
    # myopic: no real gap (0.0 points at 1,000 seeds, benchmarks/deterrence_arms.json); on 60 seeds allow the
    # sampling error, three standard errors of a difference of two shares (about 0.2 at shares near 0.8)
    (a, n_a), (b, n_b) = force_share(iran(0, us_rule="restraint")), force_share(iran(0, us_rule="massive_retaliation"))
    pooled = (a * n_a + b * n_b) / (n_a + n_b)
    assert abs(a - b) < 3.0 * math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))


def test_a_supposed_act_is_remembered_as_the_act_it_is() -> None:
    """The forecast lays the act at the actor's door with perception's own `blame`: the target's supposed view
    remembers which act it was, that it hit the target itself, and whether it was words only (it used to fall
    through to the real actor's values for these three)."""
    model = branch_day_model("restore_deterrence")
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    real = (list(usa.last_act_of), list(usa.own_hit), list(usa.words_only))
    forecaster = Forecaster(irn, model)
    for opt in (o for o in irn.options if o.hostile and o.target == "USA"):
        view = forecaster.suppose(usa, opt, 0.0)
        assert view.last_act_of[irn.index] == opt.action and view.own_hit[irn.index]
        assert view.words_only[irn.index] == (
            model.ladder[opt.action].verbal and (usa.outstanding[irn.index] == 0.0 or usa.words_only[irn.index])
        )
    assert (list(usa.last_act_of), list(usa.own_hit), list(usa.words_only)) == real
