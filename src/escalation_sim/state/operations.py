"""Operations under way (issue 18, item 2): who runs what against whom, at what tempo, since when.

Owned here, changed by mechanics/operations.py only. An operation produces its acts day by day without a new
decision; its actor decides only to start it, change its tempo or target, and stop it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Operation:
    """One operation: its id (the spell's event id, or `OP-<actor>-<day>`), its act, tempo and days."""

    op_id: str
    actor: int  # actor index
    action: str
    target: str
    tempo: float
    start_day: int
    end_day: int | None  # the record's last day (history); None: until the actor stops it
    origin: str  # "history" or "model"
    soil: str | None = None
    claimed: bool = True
    produced: int = 1  # acts so far, the first day's included
    carries: tuple[int, ...] = ()  # the actor's options it carries: nothing to decide about them while it runs
    plan: tuple[tuple[int, float | None, str | None], ...] = ()  # history: (day, new tempo, new target) changes
    changed: list[tuple[int, float, str]] = field(default_factory=list)  # (day, tempo, target) after each change
