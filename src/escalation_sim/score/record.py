"""What the historical record says each actor did each day: the observations the score explains.

The model's unit of decision is the actor-day: each day an actor holds or takes one act on each of its two
channels (words and deeds, docs/model.md section 1c), may justify force used, and may have an accident on alert.
The record is every actor-day from the start date to the last recorded event (or to the day before the branch),
holds included. Two reports of the same act by the same actor on the same day (Zarif's statement and Iran's
Article 51 letter, both 8 January) are one decision; an actor that took two different actions in a day made two
decisions: a word and a deed are each scored on its channel (score/filter.py), two acts on one channel one after
the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..model import EscalationModel
from ..scenario import Event, Scenario

Until = Literal["record", "branch", "horizon"]
TREMBLE = 1e-3  # probability floor: a 'trembling hand' (Selten 1975) picks uniformly 1 time in 1,000


@dataclass(slots=True)
class ActorDay:
    """One actor's observed day: its decisions (action, target, event id), justification, accident."""

    day: int
    actor: str
    acts: list[tuple[str, str | None, str]] = field(default_factory=list)
    justified: str | None = None  # event id
    accident: str | None = None  # event id


def scored_days(scenario: Scenario, until: Until = "record") -> int:
    """How many days the record covers: through the last event, up to the branch date, or every day of the
    scenario (a simulated record, where quiet days to the horizon were observed too)."""
    if until == "horizon":
        return scenario.days
    if until == "branch":
        if scenario.branch_date is None:
            raise ValueError(f"{scenario.name}: the scenario has no branch date to score up to")
        return (scenario.branch_date - scenario.start_date).days
    decided = [e for e in scenario.events if e.actor is not None and not e.exogenous]
    if not decided:
        return 0
    last = [e.end_date if e.operation is not None and e.end_date is not None else e.date for e in decided]
    return max((d - scenario.start_date).days for d in last) + 1  # a spell's stop is a decision too


def is_decision(event: Event, scenario: Scenario) -> bool:
    """An event the score explains: an actor's own act (not exogenous, not a domestic incident, not one of a
    spell's acts, which the spell's terms explain)."""
    if event.actor is None or event.exogenous or event.part_of is not None:
        return False
    action = scenario.actions[event.action]
    return action.chosen or action.effect == "accident"


def codes_justifications(scenario: Scenario) -> bool:
    """Whether the record observes public justifications: it codes at least one. A record that codes none did
    not look for them (Turkey's Article 51 letter on Euphrates Shield is not in its record), so a day without one
    there is not evidence of silence: the score draws the justification from the model and does not score it,
    as it does an actor's perception (score/filter.py, docs/model.md section 7b)."""
    return any(e.actor is not None and scenario.actions[e.action].justifies for e in scenario.events)


def observed(scenario: Scenario, days: int) -> list[list[ActorDay]]:
    """The record as actor-days: `observed(...)[day]` lists each actor's day in actor order."""
    out = [[ActorDay(d, a) for a in scenario.actors] for d in range(days)]
    index = {a: i for i, a in enumerate(scenario.actors)}
    for event in scenario.events:
        day = (event.date - scenario.start_date).days
        if day >= days or not is_decision(event, scenario):
            continue
        assert event.actor is not None
        slot = out[day][index[event.actor]]
        action = scenario.actions[event.action]
        if action.effect == "accident":
            slot.accident = slot.accident or event.id
        elif action.justifies:
            slot.justified = slot.justified or event.id
        elif not any(a == event.action and t == event.target for a, t, _ in slot.acts):
            slot.acts.append((event.action, event.target, event.id))
    return out


def unchoosable(scenario: Scenario) -> list[str]:
    """Historical events no actor could have chosen in the model: each is a validation error, not a zero.

    An act needs the option (action against that target) among the actor's options; a justification needs the
    capability; an accident needs an accident rate above zero.
    """
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    problems = []
    for n, event in enumerate(scenario.events):
        if not is_decision(event, scenario):
            continue
        actor = model.by_id[event.actor or ""]
        action = scenario.actions[event.action]
        where = f"events.{n} ({event.id})"
        if action.effect == "accident":
            if actor.spec.accident_rate <= 0:
                problems.append(f"{where}: {event.actor} has accident_rate 0, so the model cannot produce it")
        elif action.justifies:
            if actor.justification is None:
                problems.append(f"{where}: {event.actor} cannot '{event.action}' (not among its capabilities)")
        elif not any(o.action == event.action and o.target == event.target for o in actor.options):
            choices = sorted({str(o.target) for o in actor.options if o.action == event.action})
            targets = ", ".join(choices) if choices else f"none: '{event.action}' is not among its capabilities"
            problems.append(
                f"{where}: {event.actor} cannot '{event.action}' against {event.target}; possible targets: "
                f"{targets}. Fix the event or the actor's adversaries/capabilities"
            )
    return problems
