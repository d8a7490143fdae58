"""The particle filter's copies (issue 20): a resampled particle is a deep copy of the model, the scenario shared,
and must go on exactly as the particle it was copied from, and as the particle replayed from its daily seeds."""

from __future__ import annotations

from escalation_sim.score.filter import ScoringModel, shared_objects, twin
from escalation_sim.score.record import scored_days
from helpers import shipped


def test_a_copied_particle_goes_on_as_the_original_and_as_its_replay() -> None:
    scenario = shipped("jan2020")
    days = scored_days(scenario)
    seeds = [1000 + d for d in range(days)]
    original = ScoringModel(scenario, 0, days)
    for s in seeds[:8]:  # days 0-7, through A06 (3 Jan): beliefs, grievances and forecasts have moved
        original.next_day(s)
    copy = twin(original, shared_objects(scenario))
    assert copy.crisis is original.crisis and copy.actors[0] is not original.actors[0]
    replayed = ScoringModel(scenario, 0, days)
    for s in seeds[:8]:
        replayed.next_day(s)
    for s in seeds[8:]:  # the rest of the record: every factor equal, to the bit
        for model in (original, copy, replayed):
            model.factors.clear()
            model.next_day(s)
        assert [f.p for f in copy.factors] == [f.p for f in original.factors] == [f.p for f in replayed.factors]
        assert copy.factors
    assert [r.reason for r in copy.records] == [r.reason for r in original.records]
