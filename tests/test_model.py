"""The Mesa model on the shipped scenarios: determinism, the horizon, batch_run, the branch point, replay.

Asserts properties that follow from the design (seeded generators, history replayed exactly, probabilities of
sampled actions), never particular sampled outcomes: the model's internals are still being tuned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter

import mesa
import numpy as np
import pytest

from escalation_sim.model import NO_RUNG, EscalationModel, Record
from escalation_sim.results.outcomes import OUTCOMES
from escalation_sim.scenario import load_scenario
from escalation_sim.state.records import Act
from helpers import SCENARIO_DIR, SHIPPED_IDS, run_to_end, shipped

SEEDS = (0, 1, 2, 3, 4)


def fingerprint(record: Record) -> tuple:
    """A record as comparable values (NaN probabilities compare equal to each other)."""
    values = dataclasses.asdict(record)
    p = values["probability"]
    values["probability"] = None if math.isnan(p) else p
    for key in ("killed", "wounded"):
        values[key] = tuple(sorted(values[key].items()))
    return tuple(sorted(values.items()))


def facts(record: Record) -> tuple:
    """What happened, as opposed to how it was perceived (attribution, probability) which is drawn."""
    return (record.event_id, record.date, record.actor, record.target, record.action, record.killed, record.wounded)


# --- determinism --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_same_seed_same_run(name: str) -> None:
    scenario = shipped(name)
    first, second = run_to_end(scenario, seed=11), run_to_end(scenario, seed=11)
    assert [fingerprint(r) for r in first.records] == [fingerprint(r) for r in second.records]
    assert first.outcome == second.outcome
    np.testing.assert_array_equal(first.daily_rung, second.daily_rung)


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_different_seeds_differ(name: str) -> None:
    """The seed matters: over a few seeds, the model's decisions are not all the same."""
    runs = {tuple(fingerprint(r) for r in run_to_end(shipped(name), seed=s).records) for s in SEEDS}
    assert len(runs) > 1


def test_scenario_path_or_object_give_the_same_run() -> None:
    by_path = run_to_end(load_scenario(SCENARIO_DIR / "jan2020.yaml"), seed=3)
    model = EscalationModel(scenario=str(SCENARIO_DIR / "jan2020.yaml"), rng=3)
    while model.running:
        model.step()
    assert [fingerprint(r) for r in model.records] == [fingerprint(r) for r in by_path.records]


# --- the horizon and Mesa's batch_run -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_model_stops_itself_at_the_horizon(name: str) -> None:
    scenario = shipped(name)
    model = EscalationModel(scenario=scenario, rng=5)
    for day in range(scenario.days):
        assert model.running, f"stopped early, after {day} of {scenario.days} days"
        model.step()
        assert model.date == scenario.start_date + dt.timedelta(days=day)
    assert not model.running
    assert model.date == scenario.end_date
    assert model.outcome.outcome in OUTCOMES


def test_batch_run_needs_no_wrapper() -> None:
    scenario = shipped("jan2020")
    with pytest.warns(DeprecationWarning):  # mesa 3.5 prefers rng=[...]; the documented call must still work
        results = mesa.batch_run(
            EscalationModel, parameters={"scenario": [scenario]}, iterations=3, max_steps=1000,
            number_processes=1, display_progress=False,
        )  # fmt: skip
    assert {row["iteration"] for row in results} == {0, 1, 2}
    assert {row["Step"] for row in results} == {scenario.days}, "each run stops at the horizon, not max_steps"
    assert "max_rung" in results[0]


def test_batch_run_is_reproducible_with_seeds() -> None:
    def batch() -> list[dict]:
        rows = mesa.batch_run(EscalationModel, parameters={"scenario": [shipped("two_state")]}, rng=[1, 2],
                              max_steps=1000, number_processes=1, display_progress=False)  # fmt: skip
        return [{k: v for k, v in row.items() if k != "scenario"} for row in rows]

    assert batch() == batch()


# --- the branch point ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("branch", ["2019-12-27", "2019-12-29", "2020-01-04", "2020-01-20", "2020-02-29"])
def test_branch_date_is_where_the_model_starts_deciding(branch: str) -> None:
    scenario = shipped("jan2020")
    branch_date = dt.date.fromisoformat(branch)
    exogenous = {e.id for e in scenario.events if e.exogenous}
    for seed in (0, 1):
        model = run_to_end(scenario, seed=seed, branch_date=branch)
        assert model.branch_date == branch_date
        assert all(r.date >= branch_date for r in model.records if r.origin == "model")
        replayed = [r.event_id for r in model.records if r.origin == "history"]
        expected = [e.id for e in scenario.events if e.date < branch_date or e.id in exogenous]
        assert replayed == expected, "history before the branch and exogenous events after it, nothing else"


def test_default_branch_is_the_scenarios() -> None:
    scenario = shipped("jan2020")
    model = run_to_end(scenario, seed=0)
    assert model.branch_date == scenario.branch_date
    assert all(r.date >= scenario.branch_date for r in model.records if r.origin == "model")


def test_branch_date_outside_the_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        EscalationModel(scenario=shipped("jan2020"), rng=0, branch_date="2021-01-01")


# --- replay fidelity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_replay_reproduces_history_exactly(name: str) -> None:
    scenario = shipped(name)
    model = run_to_end(scenario, seed=0, replay_only=True)
    assert model.branch_date is None
    spells = {e.id: e for e in scenario.events if e.operation is not None}
    produced = [r for r in model.records if r.origin == "operation"]  # a spell's acts after its start (1b)
    assert all(r.origin == "history" for r in model.records if r.origin != "operation")
    assert all(r.event_id in spells and spells[r.event_id].date < r.date <= spells[r.event_id].end_date
               for r in produced)  # fmt: skip
    events = sorted(scenario.events, key=lambda e: e.date)  # stable: same-day events keep the file's order
    got = [facts(r) for r in model.records if r.origin != "operation"]
    want = [(e.id, e.date, e.actor, e.target, e.action, dict(e.killed), dict(e.wounded)) for e in events]
    assert got == want


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_replayed_facts_do_not_depend_on_the_seed(seed: int) -> None:
    """Only perception (noise, attribution) is drawn in a replay; what happened is history's."""
    base = run_to_end(shipped("jan2020"), seed=0, replay_only=True)
    other = run_to_end(shipped("jan2020"), seed=seed, replay_only=True)
    assert [facts(r) for r in base.records] == [facts(r) for r in other.records]


def test_replayed_january_2020_ends_in_de_escalation() -> None:
    """By design: the historical crisis ended calm, and the scenario's thresholds must say so.

    Issue 22: the class is death-based. From the branch (4 Jan), as the model's runs are coded, history has
    under 25 battle deaths in every dyad: de-escalation. The whole record, coded from its first day (a replay
    has no branch), is an armed conflict: the 29 December strikes killed 25 Kataib Hezbollah fighters."""
    from escalation_sim.runner import code_history

    assert code_history(shipped("jan2020")).headline == "de-escalation"
    model = run_to_end(shipped("jan2020"), seed=0, replay_only=True)
    assert model.outcome.outcome == "protracted" and model.outcome.ucdp_intensity == 1
    killed = Counter()
    for event in shipped("jan2020").events:
        killed.update(event.killed)
    assert model.outcome.killed == dict(killed)


# --- records and probabilities ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_probabilities_are_probabilities_where_a_decision_is_involved(name: str) -> None:
    scenario = shipped(name)
    ladder = scenario.actions
    for seed in SEEDS:
        model = run_to_end(scenario, seed=seed)
        for r in model.records:
            action = ladder[r.action]
            decided = r.actor is not None and (action.chosen or action.effect == "accident")
            if decided:
                assert 0.0 <= r.probability <= 1.0, (r.event_id, r.action, r.probability)
            else:
                assert math.isnan(r.probability), (r.event_id, r.action, r.probability)
            if r.origin == "model":
                assert r.probability > 0.0, f"the model took {r.action} at probability 0"


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_model_decisions_stay_within_capabilities_and_targets(name: str) -> None:
    scenario = shipped(name)
    for seed in SEEDS:
        model = run_to_end(scenario, seed=seed)
        for r in model.records:
            if r.origin != "model":
                continue
            spec = scenario.actors[r.actor]
            action = scenario.actions[r.action]
            assert r.action in spec.capabilities or action.effect == "accident"
            if r.target is not None:
                proxies = [k for k, a in scenario.actors.items() if a.sponsor == r.actor]
                if action.effect in ("order_restraint", "order_attack"):  # orders go to one's own proxies
                    assert r.target in proxies
                elif action.effect == "pressure_host":  # pressure goes to the host one stands in
                    assert r.target == spec.located_in
                else:
                    assert r.target in spec.adversaries + spec.partners
            if action.is_hostile and r.actor is not None:
                assert model.daily_rung[r.day, model.actor_ids.index(r.actor)] >= r.rung


@pytest.mark.parametrize("name", SHIPPED_IDS)
def test_outcome_follows_the_scenarios_thresholds(name: str) -> None:
    scenario = shipped(name)
    rules = scenario.outcomes
    for seed in SEEDS:
        model = run_to_end(scenario, seed=seed)
        o = model.outcome
        assert o.outcome in OUTCOMES
        hostile = model.daily_rung[model.branch_day :]
        assert o.max_rung == (int(hostile.max()) if hostile.size else NO_RUNG)
        # Issue 22: the class is death-based and dyadic (standard_coding); the rung is the major_force flag
        dyad_deaths = max((d.deaths for d in o.dyads), default=0)  # runs are shorter than COW's twelve months
        assert (o.outcome == "war") == (dyad_deaths >= rules.war_deaths), (o.outcome, dyad_deaths)
        assert o.major_force == (o.max_rung >= rules.war_rung)
        assert o.outcome == "war" or (o.outcome == "protracted") == (o.ucdp_intensity >= 1)


def test_a_filed_record_holds_each_field_of_its_act_under_that_fields_name() -> None:
    """`file_record` (model.py) fills every `Record` field from the act it files, each under its own name: values
    told apart (two casualty dicts, two strings, two numbers), so a field taking another's value fails here."""
    model = EscalationModel(scenario=shipped("jan2020"), rng=0, collect=False)
    model.step()
    key = next(k for k, a in model.ladder.items() if a.rung >= 6 and a.chosen)
    act = Act(model.by_id["IRN"], key, model.ladder[key], "USA", killed={"USA": 2}, wounded={"USA": 5},
              origin="player", probability=0.125, reason="a reason", event_id="event-1")  # fmt: skip
    record = model.record(act, "IRN?")
    expected = {"day": model.day, "date": model.date, "actor": "IRN", "target": "USA", "action": key,
                "rung": model.ladder[key].rung, "killed": {"USA": 2}, "wounded": {"USA": 5}, "origin": "player",
                "probability": 0.125, "reason": "a reason", "event_id": "event-1", "attributed": "IRN?"}  # fmt: skip
    assert {f.name: getattr(record, f.name) for f in dataclasses.fields(Record)} == expected
    assert record.killed is act.killed and record.wounded is act.wounded and model.records[-1] is record


# --- the shipped counterfactual and custom-ladder scenarios -------------------------------------------------


def test_no_soleimani_counterfactual_has_no_leadership_strike_on_iran() -> None:
    scenario = shipped("jan2020_no_soleimani")
    assert "A06" not in {e.id for e in scenario.events}
    assert "leadership_strike" not in scenario.actors["USA"].capabilities
    assert scenario.branch_date == dt.date(2020, 1, 2)
    for seed in SEEDS:
        model = run_to_end(scenario, seed=seed)
        assert all(r.event_id != "A06" for r in model.records)
        assert not any(r.actor == "USA" and r.action == "leadership_strike" for r in model.records)


def test_two_state_runs_on_its_own_ladder() -> None:
    scenario = shipped("two_state")
    assert set(scenario.actions) != set(shipped("jan2020").actions)
    for seed in SEEDS:
        model = run_to_end(scenario, seed=seed)
        assert {r.action for r in model.records} <= set(scenario.actions)
        assert {r.actor for r in model.records} <= {"BLUE", "RED"}
        assert model.outcome.outcome in OUTCOMES


def test_each_option_is_offered_once() -> None:
    """An actor listing another as adversary and partner must not get its talks twice (double weight)."""
    model = EscalationModel(scenario=shipped("jan2020"), rng=0)
    for actor in model.actors:
        counts = Counter((o.action, o.target) for o in actor.options)
        assert max(counts.values()) == 1, (actor.actor_id, [k for k, v in counts.items() if v > 1])
