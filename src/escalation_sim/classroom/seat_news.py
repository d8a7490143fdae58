"""One act as a seat of a class session could know it (see `classroom.session` for who learns what), and what
the seat believes, in words.
"""

from __future__ import annotations

from typing import Any

from ..model import EscalationModel, Record
from .briefing import belief_words, outcome_words


def news_line(record: Record, me: str, model: EscalationModel) -> str:
    """One act as actor `me` could know it (see the module's docstring for who learns what)."""
    ladder = model.ladder
    label = ladder[record.action].label
    date = record.date.isoformat()
    if record.actor is None:
        return f"{date}  {label}"
    you = {me: "you"}
    target = f" -> {you.get(record.target, record.target)}" if record.target else ""
    result = outcome_words(record, me, ladder)
    killed = f": {result}" if result else ""
    if record.actor == me:
        return f"{date}  you: {label}{target}{killed}"
    if _claimed(record, model):
        return f"{date}  {record.actor}: {label}{target}{killed}"
    actor = model.by_id[record.actor]
    if record.target == me:
        blamed = record.attributed or "unknown"
        culprits = "+".join(you.get(a, a) for a in blamed.split("+"))
        return f"{date}  unclaimed {label} -> you{killed} (you blamed: {culprits})"
    if actor.sponsor is not None and actor.sponsor.actor_id == me:
        return f"{date}  {record.actor} (your proxy, unclaimed): {label}{target}{killed}"
    return f"{date}  unclaimed {label}{target}{killed} (attacker not known to you)"


def _claimed(record: Record, model: EscalationModel) -> bool:
    """Whether an act was claimed: history's events as the scenario says, the model's acts as `Model.act` does
    (states claim, militias do not)."""
    if record.event_id is not None:
        for event in model.crisis.events:
            if event.id == record.event_id:
                return event.claimed
        for event in model.events_by_day.get(record.day, ()):
            if event.id == record.event_id:  # an instructor's inject
                return event.claimed
    return model.by_id[record.actor].kind == "state" if record.actor else True


def beliefs_of(actor: Any) -> list[str]:
    """What the actor believes about the others it holds beliefs on (a scenario's `beliefs:` block), in words."""
    return belief_words(actor) if getattr(actor, "beliefs", None) else []
