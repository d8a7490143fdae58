"""What happens in a run, as records: an act to carry out (`Act`) and the line it leaves in the record (`Record`)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..scenario import Action
from ..scenario.signalling import ThreatTerms

if TYPE_CHECKING:
    from .actor import ActorState


@dataclass(slots=True)
class Act:
    """One action to carry out and record: history's, the model's, a player's, or an accident."""

    actor: ActorState | None  # None for events with no actor (the Kerman stampede)
    key: str  # the ladder action
    action: Action
    target: str | None = None
    killed: dict[str, int] = field(default_factory=dict)
    wounded: dict[str, int] = field(default_factory=dict)
    claimed: bool = True  # false for deniable attacks: attribution is then uncertain
    soil: str | None = None  # host nation on whose soil it happened, if the event says so
    origin: str = "model"  # "history", "model" or "player"
    probability: float = math.nan  # what the model gave it (NaN where no decision was involved)
    reason: str = ""
    event_id: str | None = None
    front: str | None = None  # front group that claimed it: blame is split among the sponsor's militias
    liaison_killed: tuple[str, ...] = ()  # militias whose liaison to their sponsor it killed
    threat: ThreatTerms | None = None  # a threat's terms, if the event gives them (else the scenario's)


@dataclass(slots=True)
class Record:
    """One action in the crisis, historical or decided by the model, with the reason and its probability."""

    day: int
    date: dt.date
    actor: str | None
    target: str | None
    action: str
    rung: int
    killed: dict[str, int]
    wounded: dict[str, int]
    origin: str  # "history", "model", or "player" (a human's choice in play mode)
    probability: float  # what the model gave this action (NaN where no decision was involved)
    reason: str
    event_id: str | None = None
    attributed: str = ""  # who the target blamed, for deniable attacks

    @property
    def killed_total(self) -> int:
        return sum(self.killed.values())
