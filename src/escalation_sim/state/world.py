"""What the mechanics, minds and results read of the model: the `World` protocol `model.EscalationModel` meets.

Declared here, below them, so that they name the model's type without importing the model (no import cycle).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import random

    import numpy as np

    from ..rules import Option
    from ..scenario import Action, Scenario
    from .actor import ActorState, HeldBelief
    from .ledgers import Blame, Line, Order, SignalBook
    from .operations import Operation
    from .records import Act, Record


class World(Protocol):
    """The running crisis: its actors, their record, its queues and generators (`model.EscalationModel`)."""

    crisis: Scenario
    ladder: dict[str, Action]
    day: int
    date: dt.date
    start_date: dt.date
    horizon: int
    branch_date: dt.date | None
    branch_day: int
    actors: list[ActorState]  # the model's CrisisActors, by index
    actor_ids: list[str]
    by_id: dict[str, ActorState]
    random: random.Random  # order of play, choices, deliveries
    rng: np.random.Generator  # casualties and perception noise
    lines: dict[tuple[int, int], list[Line]]  # open private lines by (sender, receiver) index
    signals: SignalBook
    orders: list[Order]
    late_blame: list[Blame]
    resolve_of: list[float]
    credibility_of: list[float]
    watchers: list[list[HeldBelief]]  # per actor: the beliefs held about it
    believers: list[ActorState]
    history_days: dict[int, tuple[tuple[int, ...] | None, tuple[int, ...] | None]]  # minds/beliefs.history_days
    listeners: list[ActorState]  # actors whose reading of another's credibility words moved
    accident_key: str | None
    records: list[Record]
    answers_as_is: tuple[tuple[int, int], dict[int, Any]]  # minds/anticipation.answer_as_is: (day, acts), answers
    operations: list[Operation]  # under way (mechanics/operations.py)
    daily_rung: np.ndarray
    hostile_deaths: int
    retaliations: int

    def record(self, act: Act, attributed: str = "") -> Record: ...

    def act(
        self, actor: ActorState, option: Option, probability: float, reason: str, origin: str = "model"
    ) -> Record: ...

    def justify(self, actor: ActorState, probability: float) -> Record: ...
