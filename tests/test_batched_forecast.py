"""A forecast imagines all of one target's answers at once (minds/anticipation.py `forecast_many`): each answer is
the one a fresh imagined view gives, bit for bit, under every doctrine type a forecaster can believe in, on jan2020
and two train cases of the library, with the shipped learned model (every actor quantal, every actor forecasting)."""

from __future__ import annotations

import pytest

from escalation_sim.learn.extract import quantal_everywhere
from escalation_sim.mechanics.signals import meets
from escalation_sim.minds.anticipation import Forecaster
from escalation_sim.minds.beliefs import BeliefState
from escalation_sim.minds.supposed import Supposed
from escalation_sim.model import EscalationModel
from escalation_sim.rules import Forecast, Option
from escalation_sim.scenario import load_scenario
from escalation_sim.scenario.beliefs import Belief, BeliefType, uninformed
from escalation_sim.state.actor import ActorState
from helpers import SCENARIO_DIR

CASES = ("jan2020", "library/gaza2014", "library/cuba1962")  # the shipped case and two train cases


def learned(case: str, seed: int, after: int) -> EscalationModel:
    """The learned model of `case` stepped to `after` days past its branch (decisions made, the state moved)."""
    scenario = quantal_everywhere(load_scenario(SCENARIO_DIR / f"{case}.yaml"))
    model = EscalationModel(scenario=scenario, rng=seed, branch_date=scenario.branch_date, collect=False)
    while model.running and model.day < model.branch_day + after:
        model.step()
    return model


def doctrine_types(model: EscalationModel) -> list[BeliefType]:
    """Every type a forecaster of the model can hold: the uninformed prior's and those its scenario declares."""
    types = list(uninformed().types)
    for spec in model.crisis.actors.values():
        for belief in spec.beliefs.values():
            types += [t for t in belief.types if t not in types]
    return types


def believing(actor: ActorState, model: EscalationModel, kind: BeliefType) -> Forecaster:
    """A fresh forecaster of `actor` that believes every other actor is of the one type `kind`."""
    forecaster = Forecaster(actor, model)
    single = Belief(types=[BeliefType(rule=kind.rule, resolve=kind.resolve, prior=1.0)])
    for other in model.actors:
        if other is not actor:
            forecaster._priors[other.index] = BeliefState(actor, other, single)
    return forecaster


def fresh(forecaster: Forecaster, opt: Option) -> Forecast:
    """The forecast of one option with each branch imagined in a view reset anew (`suppose`): what a forecast
    was before the batch, the reference the batch must equal."""
    target = forecaster.model.actors[opt.target_index]
    p_kill, toll = forecaster.kill_odds(opt, target)
    threat = forecaster.threat_of(target)
    deaths = rung = rung_sq = escalate = 0.0
    for weight, killed in ((1.0 - p_kill, 0.0), (p_kill, toll)):
        if weight <= 0.0:
            continue
        view = forecaster.suppose(target, opt, killed)
        deeds, words = forecaster.answer(target, view)
        if threat is not None and (threat.live or meets(threat.terms, opt.rung, opt.force, killed)):
            deeds = forecaster.bound(target, deeds, max(float(opt.rung), view.outstanding[forecaster.actor.index]))
            d, r, r2, e = forecaster.tally(target, deeds, words, opt.rung)
        else:
            d, r, r2, e = forecaster.tally_mixed(target, deeds, words, opt.rung)
        deaths += weight * d
        rung += weight * r
        rung_sq += weight * r2
        escalate += weight * e
    return Forecast(deaths, rung, rung_sq, escalate, p_kill * toll)


def state(view: Supposed) -> dict[str, object]:
    """Every slot of a view, lists copied."""
    out = {}
    for name in type(view).__slots__:
        value = getattr(view, name)
        out[name] = list(value) if isinstance(value, list) else value
    return out


@pytest.mark.parametrize("case", CASES)
def test_batched_answers_equal_the_one_by_one_answers_under_every_doctrine_type(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = learned(case, seed=0, after=2)
    lookers = [a for a in model.actors if a.forecaster is not None]
    assert lookers, "the learned model forecasts"
    types = doctrine_types(model)
    assert len(types) >= len(uninformed().types)
    imagined = unanswerable = 0
    for actor in lookers:
        monkeypatch.setattr(actor, "beliefs", {})  # its answers come from the one type below
        aimed: dict[int, list[Option]] = {}
        for opt in actor.options:
            if opt.hostile and opt.target_index >= 0:
                aimed.setdefault(opt.target_index, []).append(opt)
        for kind in types:
            batch, single, reference = (believing(actor, model, kind) for _ in range(3))
            for j, opts in aimed.items():
                together = batch.forecast_many(j, opts)
                assert repr(together) == repr([single.forecast(opt) for opt in opts])  # bit for bit (repr: a -0.0
                assert repr(together) == repr([fresh(reference, opt) for opt in opts])  # is not a 0.0 here)
                # the view the batch imagined in is left as anyone can know it today (none is made for a target
                # with nothing aimed at the forecaster: `unanswerable`)
                if j in batch._views:
                    assert state(batch._views[j]) == state(Supposed(model.actors[j]))
                    imagined += len(opts)
                else:
                    unanswerable += len(opts)
        monkeypatch.undo()
    assert imagined > 50
    if case == "jan2020":
        assert unanswerable > 0  # Iraq has nothing aimed at Iran: its answers to Iraq's acts are not imagined


@pytest.mark.parametrize("case", CASES)
def test_a_run_forecasts_as_each_option_alone_would(case: str) -> None:
    """`forecasts()` (batched by target, the forecaster's own beliefs or prior) equals its options' forecasts one
    by one, on a few days of a learned run."""
    model = learned(case, seed=3, after=0)
    checked = 0
    for _ in range(3):
        if not model.running:
            break
        for actor in model.actors:
            if actor.forecaster is None:
                continue
            batched = Forecaster(actor, model).forecasts()
            alone = Forecaster(actor, model)
            for opt, forecast in zip(actor.options, batched, strict=True):
                if opt.hostile and opt.target_index >= 0:
                    assert repr(forecast) == repr(fresh(alone, opt))
                    checked += 1
        model.step()
    assert checked > 20


def test_restore_undoes_what_an_imagined_act_changes() -> None:
    """`Supposed.mark`/`restore`: after an act is imagined in the view (its culprit's column, the mood), restoring
    gives back the view `reset` gave, slot for slot."""
    model = learned("jan2020", seed=1, after=1)
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    forecaster = Forecaster(irn, model)
    view = forecaster._view(usa).reset()
    before = state(view)
    kept = view.mark(irn.index)
    changed = 0
    for opt in irn.options:
        if opt.hostile and opt.target_index == usa.index:
            view.imagine(irn, opt, 2.0, model.ladder[opt.action].verbal)
            view.resolve = 0.3  # a belief's doctrine sets it
            changed += state(view) != before
            view.restore(irn.index, kept)
            assert state(view) == before
    assert changed > 0
