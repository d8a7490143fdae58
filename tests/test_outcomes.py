"""Outcome coding (issue 10): deaths after the branch only, accidents apart, censoring, MID dyads of the replay."""

from __future__ import annotations

import json

import pytest

from escalation_sim.model import EscalationModel
from escalation_sim.results.dyads import mid_fatality
from escalation_sim.results.outcomes import OUTCOMES
from escalation_sim.runner import run, write_run
from escalation_sim.sweep.worker import column_names
from helpers import shipped


def finished(scenario, seed=0, **kwargs) -> EscalationModel:
    model = EscalationModel(scenario=scenario, rng=seed, collect=False, **kwargs)
    model.run_model()
    return model


def test_deaths_before_the_branch_do_not_make_a_war() -> None:
    """A02 (29 Dec, before the 4 Jan branch) given 1,000 deaths: no run is war unless the model makes it one."""
    scenario = shipped("jan2020").with_edits({"events.A02.killed": {"KH": 1000}})
    seen = set()
    for seed in range(12):
        model = finished(scenario, seed)
        o = model.outcome
        assert o.hostile_deaths >= 1000  # history's deaths are still counted where history is included
        seen.add(o.outcome)
        if o.outcome == "war":  # only the model's own acts after the branch can make a war (issue 22: on deaths)
            assert o.hostile_deaths_after_branch >= 1000
        else:
            assert o.hostile_deaths_after_branch < 1000
    assert seen - {"war"}, "every run was called war: pre-branch deaths are still counted"


def test_an_accident_is_not_a_war_death() -> None:
    """The airliner (A16) given 5,000 deaths: the replay is still not war; the deaths are counted apart."""
    scenario = shipped("jan2020").with_edits({"events.A16.killed": {"civilians": 5000}})
    o = finished(scenario, replay_only=True).outcome
    assert o.outcome != "war"
    assert o.deaths_apart["accident"] == 5000
    assert o.hostile_deaths_after_branch < 1000
    assert all(not d.cow_war for d in o.dyads)


def test_a_run_cut_off_near_the_horizon_is_censored() -> None:
    """The replay ending 4 days after the 26 Jan rocket attack (A22) is censored; ending 34 days after, not."""
    base = shipped("jan2020")
    short = finished(base.with_edits({"end_date": "2020-01-30"}), replay_only=True).outcome
    assert short.censored
    assert short.outcome == "protracted" or short.outcome == "de-escalation"
    full = finished(base, replay_only=True).outcome
    assert not full.censored


def test_the_january_2020_replay_codes_us_iran_as_use_of_force_with_fatalities_reciprocated() -> None:
    o = finished(shipped("jan2020"), replay_only=True).outcome
    dyad = next(d for d in o.dyads if set(d.actors) == {"USA", "IRN"})
    assert dyad.hostlev == 4  # use of force; 5 only with 1,000 battle deaths (COW)
    assert dyad.fatality >= 1 and dyad.deaths == 10  # A06: 5 Iranians and 5 Iraqis at Baghdad airport
    assert dyad.recip
    assert dyad.hiact == 16 and dyad.termination in ("unilateral", "tacit", "agreement", "imposed")
    assert o.deaths_apart == {"accident": 176, "domestic": 56}


@pytest.mark.parametrize(
    ("deaths", "level"), [(0, 0), (1, 1), (25, 1), (26, 2), (100, 2), (101, 3), (250, 3), (251, 4), (500, 4),
                          (501, 5), (999, 5), (1000, 6)],
)  # fmt: skip
def test_mid_fatality_levels(deaths: int, level: int) -> None:
    assert mid_fatality(deaths) == level


def test_summary_and_table_rows_carry_the_coding(tmp_path) -> None:
    result = run(shipped("jan2020"), seed=5, collect=False)
    write_run(result, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert isinstance(summary["censored"], bool)
    assert summary["outcome"] in OUTCOMES
    assert {"actors", "hostlev", "hiact", "fatality", "recip", "deaths_after_branch"} <= set(summary["dyads"][0])
    assert len(summary["dyads"]) == 10  # every pair of the five actors
    actors = tuple(result.model.actor_ids)
    row = result.outcome.as_row(actors)
    assert set(row) <= set(column_names(actors))
    assert {f"killed_after_branch_{a}" for a in actors} <= set(row)
    assert "dyad_USA_IRN_hostlev" in row and "hostile_deaths_after_branch" in row
