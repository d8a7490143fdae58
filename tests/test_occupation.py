"""An occupation is held, not run (mechanics/operations.py, docs/model.md section 1b; issue 18): it keeps the
crisis open until its actor concedes, and a crisis with it still under way at the horizon is censored.

On the train case falklands1982, whose record codes Argentina's occupation as a spell (F01, 2 April to the
surrender)."""

from __future__ import annotations

from pathlib import Path

from escalation_sim import load_scenario
from escalation_sim.model import EscalationModel
from escalation_sim.results.durations import running
from escalation_sim.score.filter import spell_factors
from helpers import at_branch

FALKLANDS = Path(__file__).resolve().parents[1] / "scenarios" / "library" / "falklands1982.yaml"


def _option(actor, action: str, target: str):
    return next(o for o in actor.options if o.action == action and o.target == target)


def test_the_replayed_occupation_is_under_way_at_the_branch_and_carries_only_itself() -> None:
    model = at_branch(load_scenario(FALKLANDS), 0)
    arg = model.by_id["ARG"]
    assert [(op.op_id, op.action, op.target) for op in model.operations] == [("F01", "occupation", "GBR")]
    assert arg.running == (_option(arg, "occupation", "GBR").index,)  # a strike on the fleet stays a decision
    assert arg.policy().probs[_option(arg, "occupation", "GBR").index] == 0.0


def test_talks_do_not_end_an_occupation_a_concession_does() -> None:
    model = at_branch(load_scenario(FALKLANDS), 0)
    arg = model.by_id["ARG"]
    for action in ("talks", "stand_down"):  # the junta negotiated through Haig while it held the islands
        model.act(arg, _option(arg, action, "GBR"), 0.1, "test")
        model.step()
        assert [op.op_id for op in model.operations if op.action == "occupation"] == ["F01"]
    model.act(arg, _option(arg, "concede", "GBR"), 0.1, "test")
    model.step()  # withdrawn the next morning
    assert not [op for op in model.operations if op.action == "occupation"]


def test_an_occupation_neither_stops_nor_changes_of_itself() -> None:
    model = at_branch(load_scenario(FALKLANDS), 0)
    arg = model.by_id["ARG"]
    arg.stop_hazard, arg.change_hazard = 1.0, 0.0  # any other operation would stop on the first day
    for _ in range(5):
        model.step()
    op = next(op for op in model.operations if op.op_id == "F01")
    assert (op.tempo, op.target, op.changed) == (1.0, "GBR", [])


def test_an_occupation_under_way_at_the_horizon_is_censored_whatever_its_tempo() -> None:
    # Argentina cannot concede and its garrison shows itself once in a hundred days: its last act falls long
    # before the horizon, yet the crisis has not ended
    case = load_scenario(FALKLANDS).with_edits(
        {
            "actors.ARG.capabilities": ["talks", "stand_down", "hold", "justify", "denounce", "occupation"],
            "actors.ARG.hazards": {"sustained": {"occupation": 0.01}},
            "actors.GBR.capabilities": ["talks", "stand_down", "hold", "justify", "denounce"],
            "events.0.operation.tempo": 0.01,
        }
    )
    model = EscalationModel(scenario=case, rng=0, collect=False)
    model.run_model()
    assert running(model)
    o = model.outcome
    quiet = model.daily_rung[model.branch_day :].max(axis=1) < case.outcomes.calm_rung
    assert quiet[-case.outcomes.calm_days :].all()  # no calm-breaking act in the last fortnight
    assert (o.duration_days, o.duration_censored) == (o.observed_days, True)


def test_an_occupation_spell_costs_its_start_and_no_stop_of_its_own() -> None:
    """Its end is the concession that ends it (F12), scored as a decision; the spell adds no stop hazard."""
    case = load_scenario(FALKLANDS)
    model = EscalationModel(scenario=case, rng=0, collect=False)
    f01 = next(e for e in case.events if e.id == "F01")
    factors = {f.key[2]: f for f in spell_factors(model.by_id["ARG"], f01, 74, True)}
    assert set(factors) == {"F01 kept"}
    assert factors["F01 kept"].p == 1.0
