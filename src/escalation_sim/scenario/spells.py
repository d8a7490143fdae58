"""Spells in the record (issue 18, docs/model.md section 1b): the checks of an operation that lasted, of the
changes of its tempo or target, and of the recorded acts that belong to it (`part_of`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .history import Event
from .ladder import Action


def check_spell(event: Event, ladder: dict[str, Action], ids: list[str], where: str) -> None:
    """A spell is an actor's hostile operation against a target, with an end or marked ongoing; its changes
    come in date order inside it, each a new tempo or target, and no stretch counts more acts than days."""
    action, spell = ladder[event.action], event.operation
    if event.actor is None or event.target is None or not action.chosen or action.rung <= 0:
        raise ValueError(
            f"{where}.operation: a spell needs an actor, a target and a hostile action it chooses "
            f"({event.id}: {event.action!r} by {event.actor} against {event.target})"
        )
    assert spell is not None
    if spell.ongoing == (event.end_date is not None):
        raise ValueError(
            f"{where}.operation: a spell has an end_date or is ongoing: true, not both and not neither ({event.id})"
        )
    dates = [event.date] + [c.date for c in spell.changes]
    last = event.end_date if event.end_date is not None else max(dates)
    for n, change in enumerate(spell.changes):
        at = f"{where}.operation.changes.{n}"
        if not dates[n] < change.date <= last:
            raise ValueError(f"{at}.date: {change.date} is not after {dates[n]} and by the spell's end ({event.id})")
        if change.target is not None and (change.target not in ids or change.target == event.actor):
            raise ValueError(f"{at}.target: {change.target!r} is not another actor of the scenario ({event.id})")
        if change.tempo is None and change.target is None:
            raise ValueError(f"{at}: a change sets a new tempo, a new target or both ({event.id})")
    counts = [spell.acts] + [c.acts for c in spell.changes]
    ends = [d - dt.timedelta(days=1) for d in dates[1:]] + [event.end_date]
    for n, (begun, ended, acts) in enumerate(zip(dates, ends, counts, strict=True)):
        days = (ended - begun).days + 1 if ended is not None else None
        if days is not None and acts is not None and acts > days:
            at = f"{where}.operation.acts" if n == 0 else f"{where}.operation.changes.{n - 1}.acts"
            raise ValueError(f"{at}: {acts} acts in {days} days ({event.id})")


def check_parts(events: Sequence[Event], end: dt.date) -> None:
    """An act `part_of` a spell names a spell of the same actor and falls within its days."""
    spells = {e.id: e for e in events if e.operation is not None}
    for n, event in enumerate(events):
        if event.part_of is None:
            continue
        where = f"events.{n}.part_of"
        spell = spells.get(event.part_of)
        if spell is None:
            raise ValueError(f"{where}: {event.part_of!r} is not a spell (an event with operation:) ({event.id})")
        last = spell.end_date or end
        if event.actor != spell.actor or not spell.date <= event.date <= last:
            raise ValueError(
                f"{where}: {event.id} ({event.actor}, {event.date}) is not an act of {spell.id} "
                f"({spell.actor}, {spell.date} - {last})"
            )
