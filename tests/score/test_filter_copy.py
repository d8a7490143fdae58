"""The particle filter's copies (issue 20): a resampled particle is a deep copy of the model, the scenario shared,
and must go on exactly as the particle it was copied from, and as the particle replayed from its daily seeds."""

from __future__ import annotations

from escalation_sim.score import filter as filter_module
from escalation_sim.score.filter import ScoringModel, advance, replay, shared_objects, twin
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


def _after(scenario, days: int, seeds: list[int]) -> ScoringModel:
    model = ScoringModel(scenario, 0, days)
    for s in seeds:
        model.factors.clear()
        model.next_day(s)
    return model


def _first_says_no(real):
    said = []

    def drew(self: ScoringModel) -> bool:
        if not said:
            said.append(False)
            return False
        return real(self)

    return drew


def test_particles_sharing_a_model_part_on_a_drawing_day_even_when_the_guess_is_wrong(monkeypatch) -> None:
    """Copy-on-write (`advance`): three particles share a model; on a day that draws, each goes on with its own
    seed from the state before the day, as if it had had its own model all along; with the guess forced wrong
    (the day said not to draw), the copies are rebuilt from the seeds, with the same result."""
    scenario = shipped("jan2020")
    days = scored_days(scenario)
    before = [1000 + d for d in range(5)]  # day 5 of jan2020 draws (perception of the day's attacks)
    today = [7, 8, 9]
    expected = [_after(scenario, days, [*before, s]) for s in today]
    assert expected[0].drew()
    rebuilt: list[tuple] = []
    for wrong in (False, True):
        if wrong:  # the singleton, advanced first, is made to say that the day draws nothing
            monkeypatch.setattr(ScoringModel, "drew", _first_says_no(ScoringModel.drew))
            monkeypatch.setattr(filter_module, "replay", lambda *a: rebuilt.append(a) or replay(*a))
        shared = _after(scenario, days, before)
        lone = _after(scenario, days, before)
        models = [lone, shared, shared, shared]
        paths = [[*before, s] for s in [6, *today]]
        out = advance(scenario, days, models, [6, *today], paths)
        assert len({id(m) for m in out[1:]}) == 3 and out[0] is lone
        assert len(rebuilt) == wrong  # the wrong guess mended by replaying the seeds
        for got, want in zip(out[1:], expected, strict=True):
            assert [f.p for f in got.factors] == [f.p for f in want.factors] and got.factors
            assert [r.reason for r in got.records] == [r.reason for r in want.records]


def test_a_day_that_draws_nothing_is_gone_through_once() -> None:
    """A shared model on a day without draws: gone through once, still shared, factors as each alone."""
    scenario = shipped("jan2020")
    days = scored_days(scenario)
    before = [1000 + d for d in range(20)]
    alone = _after(scenario, days, [*before, 5])
    assert not alone.drew()
    shared = _after(scenario, days, before)
    out = advance(scenario, days, [shared, shared], [5, 6], [[*before, 5], [*before, 6]])
    assert out[0] is out[1] is shared
    assert [f.p for f in shared.factors] == [f.p for f in alone.factors]
