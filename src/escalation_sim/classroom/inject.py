"""An instructor's inject: an event added to the next day of a class session, whatever the actors decide.

Checked as a scenario's event would be (the actors and the action exist, the actor has that option, the toll is
a sane whole number), so that a typo is refused in words rather than played.
"""

from __future__ import annotations

import datetime as dt

from ..model import EscalationModel
from ..scenario import Event
from .briefing import option_text
from .game import GameError


def inject_event(
    model: EscalationModel,
    number: int,
    date: dt.date,
    actor: str | None,
    action: str,
    target: str | None,
    killed: int,
    description: str,
    claimed: bool,
) -> Event:
    """The session's inject `number` on `date`, checked against the model's actors and ladder."""
    if action not in model.ladder:
        raise GameError(f"unknown action {action!r}; actions: {', '.join(model.ladder)}")
    for role, who in (("actor", actor), ("target", target)):
        if who is not None and who not in model.by_id:
            raise GameError(f"unknown {role} {who!r}; actors: {', '.join(model.actor_ids)}")
    if not 0 <= killed <= 1_000_000:
        raise GameError(f"killed must be a whole number from 0 to 1,000,000, not {killed}")
    if actor is not None and not any(o.action == action and o.target == target for o in model.by_id[actor].options):
        raise GameError(
            f"{actor} has no option {option_text(model.ladder[action].label, target)}: choose one of its options"
        )
    what = option_text(model.ladder[action].label, target) + (f", killing {killed}" if killed else "")
    return Event.model_construct(
        id=f"INJ{number}",
        date=date,
        end_date=None,
        actor=actor,
        target=target,
        action=action,
        killed={target: killed} if killed and target else {},
        wounded={},
        claimed=claimed,
        soil=None,
        exogenous=True,
        source="",
        disputed="",
        description=description[:500]
        or f"instructor's inject: {actor or 'nature'}: {what}" + ("" if claimed else " (unclaimed)"),
    )
