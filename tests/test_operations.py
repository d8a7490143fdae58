"""Operations that last (mechanics/operations.py, docs/model.md section 1b): spells in the record, in the model
and in the score."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from escalation_sim.mechanics import operations as ops
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Scenario
from escalation_sim.score.filter import run_filter
from escalation_sim.score.record import scored_days
from helpers import at_branch, shipped

START = dt.date(2019, 12, 28)


def with_events(events: list[dict], drop: tuple[str, ...] = ()) -> Scenario:
    """jan2020 with its record cut to the two first events and these added."""
    data = shipped("jan2020").model_dump(mode="json")
    data["events"] = [e for e in data["events"] if e["id"] in ("A01", "A02") and e["id"] not in drop] + events
    return Scenario.model_validate(data)


def harassment(day: int, **more) -> dict:
    date = (START + dt.timedelta(days=day)).isoformat()
    event = {"id": f"H{day:02d}", "date": date, "actor": "KH", "target": "USA", "action": "harassment"}
    return event | {"claimed": False, "soil": "IRQ", "description": "rockets", "source": "https://example.org/x"} | more


def spell() -> dict:
    end = (START + dt.timedelta(days=29)).isoformat()
    return harassment(0, id="STREAM", end_date=end, operation={"tempo": 0.5, "acts": 15})


def score_parts(scenario: Scenario) -> dict:
    run = run_filter(scenario, scored_days(scenario), 20, 0)
    parts: dict = {}
    for (_, key), nats in run.parts.items():
        parts[key] = parts.get(key, 0.0) + nats
    return parts


def test_a_30_day_campaign_recorded_as_a_spell_costs_a_handful_of_terms() -> None:
    spelled = with_events([spell()])
    assert scored_days(spelled) == (START - spelled.start_date).days + 30
    parts = score_parts(spelled)
    terms = sorted(k for k in parts if k[2].startswith("STREAM"))
    assert terms == [("KH", "choice", "STREAM"), ("KH", "choice", "STREAM acts"), ("KH", "timing", "STREAM"),
                     ("KH", "timing", "STREAM kept"), ("KH", "timing", "STREAM stopped")]  # fmt: skip
    # the same 15 rocket attacks as 15 daily decisions
    daily = score_parts(with_events([harassment(d) for d in range(0, 30, 2)]))
    choices = [k for k in daily if k[0] == "KH" and k[1] == "choice" and k[2].startswith("H")]
    assert len(choices) == 15
    kh = sum(v for k, v in parts.items() if k[0] == "KH")
    kh_daily = sum(v for k, v in daily.items() if k[0] == "KH")
    assert kh > kh_daily  # one start, a tempo and a stop cost less than fifteen fresh choices


def test_a_spell_produces_its_acts_under_its_id_without_decisions() -> None:
    model = EscalationModel(scenario=with_events([spell()]), rng=1, replay_only=True, collect=False)
    for _ in range(40):
        model.step()
    produced = [r for r in model.records if r.event_id == "STREAM"]
    assert produced[0].origin == "history"  # the start: a decision
    assert all(r.origin == "operation" for r in produced[1:])
    assert 5 <= len(produced) - 1 <= 25  # tempo 0.5 over 29 days
    assert max(r.day for r in produced) <= (START - model.start_date).days + 29
    assert not model.operations  # stopped at the record's end


def test_an_operation_started_by_the_model_runs_until_a_de_escalation_stops_it() -> None:
    model = at_branch(shipped("jan2020"), 0)
    kh, usa = model.by_id["KH"], model.by_id["USA"]
    siege = next(o for o in kh.options if o.action == "siege" and o.target == "USA")
    model.act(kh, siege, 0.1, "test")
    assert [op.action for op in model.operations] == ["siege"]
    assert siege.index in kh.running
    assert kh.policy().probs[siege.index] == 0.0  # no fresh decision about what the operation carries
    stand_down = next((o for o in kh.options if o.rung < 0 and o.target == "USA"), None)
    if stand_down is None:
        pytest.skip("KH has no de-escalation toward the US")
    model.act(kh, stand_down, 0.1, "test")
    model.step()  # it stops the next morning
    assert not [op for op in model.operations if op.action == "siege" and op.start_day < model.day]
    assert usa is not None


def test_a_spell_needs_an_end_or_ongoing() -> None:
    bad = spell()
    del bad["end_date"]
    with pytest.raises(Exception, match="ongoing"):
        with_events([bad])
    with pytest.raises(Exception, match="acts"):
        with_events([harassment(0, id="S", end_date="2019-12-29", operation={"tempo": 1, "acts": 5})])


def changed_spell() -> dict:
    """The stream of `spell()`, slowed to a quarter on its eleventh day: 6 acts in 10 days, then 5 in 20."""
    end = (START + dt.timedelta(days=29)).isoformat()
    slower = {"date": (START + dt.timedelta(days=10)).isoformat(), "tempo": 0.25, "acts": 5}
    return harassment(0, id="STREAM", end_date=end, operation={"tempo": 0.5, "acts": 6, "changes": [slower]})


def test_a_change_of_tempo_is_one_decision_and_its_acts_are_scored_at_the_new_tempo() -> None:
    spelled = with_events([changed_spell()])
    model = EscalationModel(scenario=spelled, rng=1, replay_only=True, collect=False)
    for _ in range(40):
        model.step()
    change_day = (START - model.start_date).days + 10
    after = [r for r in model.records if r.event_id == "STREAM" and r.day >= change_day]
    assert after and all(r.probability == 0.25 for r in after)  # produced at the new tempo, under the spell's id
    before = [r for r in model.records if r.event_id == "STREAM" and r.origin == "operation" and r.day < change_day]
    assert before and all(r.probability == 0.5 for r in before)
    parts = score_parts(spelled)
    terms = sorted(k for k in parts if k[2].startswith("STREAM"))
    assert ("KH", "timing", "STREAM changed 1") in terms and ("KH", "choice", "STREAM changed 1") in terms
    assert ("KH", "choice", "STREAM acts 1") in terms
    assert len(terms) == 8  # start (2), change (2), kept, stopped, acts before and after: not 30 daily choices
    kh = model.by_id["KH"]
    slower_moves = ops.moves(kh, "harassment", 0.5, "USA")
    assert (0.25, "USA") in slower_moves  # halving is a move open to it: its choice is 1 / moves, not the floor
    assert parts[("KH", "choice", "STREAM changed 1")] == pytest.approx(math.log(1 / len(slower_moves)), abs=0.01)


def test_after_the_branch_an_actor_changes_its_operation_by_its_own_hazard() -> None:
    data = shipped("jan2020").model_dump(mode="json")
    data["actors"]["KH"]["hazards"] = {"change_days": 1.0, "operation_days": 1000.0}  # a change every day
    model = at_branch(Scenario.model_validate(data), 0)
    kh = model.by_id["KH"]
    siege = next(o for o in kh.options if o.action == "siege" and o.target == "USA")
    model.act(kh, siege, 0.1, "test")
    op = next(op for op in model.operations if op.action == "siege" and op.actor == kh.index)
    model.step()
    assert op.changed  # day one after its start: changed, to a move that was open
    _, tempo, target = op.changed[0]
    assert (tempo, target) in ops.moves(kh, "siege", 1.0, "USA")
    assert all(i in kh.running for i in op.carries)  # it carries the options against its (new) target


def test_an_act_part_of_a_spell_keeps_its_deaths_and_is_no_decision() -> None:
    part = harassment(5, id="HIT", killed={"USA": 1}, part_of="STREAM")
    spelled = with_events([spell(), part])
    model = EscalationModel(scenario=spelled, rng=1, replay_only=True, collect=False)
    for _ in range(40):
        model.step()
    hit = [r for r in model.records if "HIT" in r.reason]
    assert len(hit) == 1 and hit[0].event_id == "STREAM" and hit[0].origin == "operation"
    assert hit[0].killed == {"USA": 1}
    parts = score_parts(spelled)
    assert not [k for k in parts if k[2] == "HIT"]  # the spell's terms explain it
    with pytest.raises(Exception, match="part_of"):
        with_events([spell(), harassment(31, id="LATE", part_of="STREAM")])  # after the spell ended


def test_a_change_must_fall_inside_its_spell_and_change_something() -> None:
    bad = changed_spell()
    bad["operation"]["changes"][0]["date"] = "2019-12-28"  # the spell's own first day
    with pytest.raises(Exception, match=r"changes\.0\.date"):
        with_events([bad])
    bad = changed_spell()
    bad["operation"]["changes"][0] = {"date": "2020-01-05"}
    with pytest.raises(Exception, match="a new tempo, a new target"):
        with_events([bad])
    bad = changed_spell()
    bad["operation"]["changes"][0]["target"] = "KH"
    with pytest.raises(Exception, match="not another actor"):
        with_events([bad])
