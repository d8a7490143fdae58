"""What a rule sees and says: the deciding actor's `View`, its `Option`s, a `Forecast` of an answer, a `Policy`.

Protocols and plain records only, so every rule module (and the model's state, which meets `View`) can import them
without importing anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

NO_TARGET = -1


@dataclass(frozen=True, slots=True)
class Option:
    """One thing an actor can do today: an action of the ladder aimed at one target (or at no one)."""

    index: int
    action: str
    target: str | None
    target_index: int
    rung: int
    hostile: bool
    force: bool
    group: str
    expected_killed: float
    on_soil_of: int  # index of the host nation whose soil the target stands on, or NO_TARGET
    words: bool = False  # taken on the words channel, beside the day's material act (rules/voice.py)


@dataclass(frozen=True, slots=True)
class Forecast:
    """What the deciding actor expects an option to provoke from its target (docs/model.md, Anticipation).

    `deaths`: expected own nationals killed by the answer; `rung`: expected rung of the answer (holding = 0);
    `rung_sq`: expected squared rung / 100, the scale of the retaliation cost; `escalate`: probability that the
    answer climbs above the option's own rung; `caused`: expected deaths the option itself causes among the
    target's nationals, from the harm model the act draws from (a salvo at the target's alert and with the
    warning channels of today, not the menu's estimate at the scenario's start).
    """

    deaths: float
    rung: float
    rung_sq: float
    escalate: float
    caused: float = 0.0


class HostSide(Protocol):
    """What a host nation's rule reads of its own side (state.actor.HostState; every actor has one)."""

    dependence: list[float]  # dependence on each patron
    pressure_on: list[float]  # each patron's pressure on it
    parliament_weight: float  # parliament's weight against the government's


class View(Protocol):
    """What a rule may know about the deciding actor: its own state and its memory of the others.

    Lists indexed by actor index (`others[i]` is the id of actor i; the actor itself has an index too).
    """

    actor_id: str
    index: int
    kind: str
    others: tuple[str, ...]
    options: tuple[Option, ...]
    hold_index: int
    # traits
    resolve: float
    cost_sensitivity: float
    risk_tolerance: float
    alert: float
    domestic_pressure: float
    credibility: float
    readiness: float
    legitimacy_cost: float
    sponsor_restraint: float
    # memory, per other actor
    outstanding: list[float]
    last_rung: list[int]
    last_killed: list[int]  # most own nationals killed in one act not yet answered by force
    last_attribution: list[float]
    grievance: list[float]
    conciliatory: list[bool]
    pending_threat: list[int]
    resolve_of: list[float]
    credibility_of: list[float]
    sovereignty_cost: list[float]
    violations: list[float]
    last_act_of: list[str]  # the ladder action of each other actor's last act perceived ("" if none)
    own_last_rung: list[int]  # the rung of this actor's own last act aimed at each other actor (0 if none)
    sponsor_of: list[int]  # per actor: the index of its sponsor, NO_TARGET if it has none
    cooling: list[int]  # per option: days before it can be taken again (0: available)

    targetable: list[bool]  # it has a hostile option against this actor
    crisis_day: int  # days since the crisis began (the scenario's start date): the actor knows the date
    lethal_days: int  # days since one of its own attacks last killed someone (large if never)
    host: HostSide  # a host nation's side: its dependence on its patrons and their pressure on it

    def forecasts(self) -> list[Forecast] | None:
        """Per option, the answer it would provoke from its target; None where no forecast is made (a
        hypothetical target, modelled as level-0, does not look ahead itself)."""
        ...


@dataclass(slots=True)
class Policy:
    """A probability per option (aligned with `view.options`) and the reason for it, in words."""

    probs: list[float]
    reason: str
    words: list[float] | None = None  # the words channel's, once the pipeline has split them (rules/voice.py)
    # the shared, never changed list `probs` was copied from (`aim`'s and `settle`'s caches): memos key by its
    # identity where `probs` still equals it (minds/policy.memo_channels); None for a policy made afresh
    shared: list[float] | None = field(default=None, compare=False, repr=False)
