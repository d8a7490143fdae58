"""Anticipation (anticipation.py, cost_benefit lookahead): a pure forecast, and lookahead 0 is the old rule."""

from __future__ import annotations

import copy
import dataclasses

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


def test_forecast_does_not_see_the_doctrine_the_target_follows() -> None:
    """Issue 17: without beliefs, Iran forecasts from the declared uninformed prior, so the US's true doctrine
    does not reach its forecast (it did before: the complete-information bound, now gone)."""
    answers = {}
    for us_rule in ("massive_retaliation", "restraint"):
        model = branch_day_model(us_rule)
        irn = model.by_id["IRN"]
        forecasts = irn.forecasts()
        assert forecasts is not None
        answers[us_rule] = forecasts
    assert answers["massive_retaliation"] == answers["restraint"]


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


def test_the_status_quo_imagined_once_for_all_gives_the_same_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every actor of jan2020 under the quantal rule (all forecast): the answers to the state as it is, kept for
    the day's other forecasters (`answer_as_is`), give the records each forecaster gives computing its own, and
    fewer answers are imagined. The forecast cache is off, so that every answer is computed in both arms."""
    from escalation_sim.learn.extract import quantal_everywhere
    from escalation_sim.minds.forecast_cache import ENV

    monkeypatch.setenv(ENV, "0")
    scenario = quantal_everywhere(shipped("jan2020"))
    imagined = [0]
    answer = Forecaster.answer

    def counted(self: Forecaster, target, view, memos=None):
        imagined[0] += 1
        return answer(self, target, view, memos)

    monkeypatch.setattr(Forecaster, "answer", counted)
    shared = [events(scenario, seed) for seed in (0, 3)]
    once = imagined[0]
    monkeypatch.setattr(Forecaster, "answer_as_is", lambda self, target, view: self.answer(target, view))
    alone = [events(scenario, seed) for seed in (0, 3)]
    assert shared == alone
    assert imagined[0] - once > once  # measured: 8,054 answers alone, 7,749 shared (these two runs)
