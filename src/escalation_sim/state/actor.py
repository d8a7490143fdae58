"""An actor's state, declared in one place: every attribute a `CrisisActor` has, and the records it holds.

The deciding actor is the `View` its rule reads (rules/view.py): plain attributes and per-actor lists, so a day's
decision costs a few attribute reads. What only a militia or a host has lives in small records (`ProxyState`,
`HostState`), changed by mechanics/proxies.py and mechanics/host.py. The actor's options are one `Menu`, built once
per run by mechanics/menu.py. Behaviour that needs the model's machinery (deciding, acting, the day's end) is
`agents.CrisisActor`, which adds no state of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..rules import NO_TARGET, Forecast, Option, make_rule
from ..rules.base import Traits
from ..scenario import Actor, Perception
from ..scenario.hazards import DEFAULT_HAZARDS
from .clock import Clock

if TYPE_CHECKING:
    from ..rules import Rule


# What an act does to the actor it touches, by name: its memory of the others (lists, per actor index) and its
# mood (scalars). mechanics/perception.py changes them; a supposed view (minds/supposed.py) owns copies of them.
MEMORY = (
    "outstanding",
    "grievance",
    "last_killed",
    "last_rung",
    "last_act_of",
    "last_attribution",
    "conciliatory",
    "words_only",
    "own_hit",
)
MOOD = ("domestic_pressure", "alert", "readiness", "resolve")


class Memory(Protocol):
    """An actor's memory of the others, per actor index: what an act laid at someone's door changes
    (mechanics/perception.blame). An `ActorState` is one; so is the supposed view of a forecast."""

    outstanding: list[float]
    grievance: list[float]
    last_killed: list[int]
    last_rung: list[int]
    last_act_of: list[str]
    last_attribution: list[float]
    conciliatory: list[bool]
    words_only: list[bool]
    own_hit: list[bool]


class Mood(Protocol):
    """An actor's alert and domestic pressure, which every act it feels moves (mechanics/perception.feel)."""

    alert: float
    domestic_pressure: float


class HeldBelief(Protocol):
    """What an actor holds about another (minds/beliefs.BeliefState), as the rest of the model uses it."""

    def describe(self, top: int = 3) -> str: ...

    def expected_resolve(self) -> float: ...

    def hear(self, force: bool, credibility: float) -> None: ...

    pending: list[tuple[str, list[float]]]  # chosen messages on their way to the believer (mechanics/words.py)

    def update(self, likelihoods: list[float]) -> None: ...


class ForecastSource(Protocol):
    """Where a looking-ahead actor's forecasts come from (minds/anticipation.Forecaster)."""

    def forecasts(self) -> list[Forecast]: ...


@dataclass(slots=True)
class ProxyState:
    """A militia's obedience, orders in force and truces; a sponsor's routes to its proxies (docs section 5b)."""

    control: float  # chance an order is obeyed; drops when the liaison is killed, recovers with a half-life
    control_decay: float
    suspended: list[int]  # days a truce toward each actor still runs
    ordered: int = 0  # RESTRAIN, ATTACK (mechanics/proxies.py) or 0
    ordered_aim: int = NO_TARGET
    ordered_days: int = 0
    suspended_count: int = 0
    order_options: tuple[int, ...] = ()  # a sponsor's order options (set with its menu)
    delegate: dict[int, tuple[int, ...]] = field(default_factory=dict)  # adversary -> order_attack options

    @classmethod
    def of(cls, spec: Actor, n_actors: int) -> ProxyState:
        return cls(spec.sponsor_control, 0.5 ** (1.0 / spec.control_half_life_days), [0] * n_actors)


@dataclass(slots=True)
class HostState:
    """Access to each host's soil, and as a host: its patrons' pressure and its dependence (docs section 5c)."""

    access: list[float]  # share of access left on each host's soil
    access_decay: float
    pressure_on: list[float]  # as host: each patron's pressure on it
    dependence: list[float]  # as host: dependence on each patron (set with the menu, ids known)
    parliament_weight: float
    access_limited: bool = False
    pressured: bool = False

    @classmethod
    def of(cls, spec: Actor, n_actors: int) -> HostState:
        return cls(
            access=[1.0] * n_actors,
            access_decay=0.5 ** (1.0 / spec.access_half_life_days),
            pressure_on=[0.0] * n_actors,
            dependence=[0.0] * n_actors,
            parliament_weight=spec.parliament_weight,
        )


@dataclass(frozen=True, slots=True)
class Menu:
    """What an actor can do in a run: its options, and what the model reads of them (mechanics/menu.py)."""

    options: tuple[Option, ...]
    justification: str | None  # the action it justifies force with, if any
    cooldown_of: tuple[int, ...]  # per option: the action's cooldown
    hold_index: int
    targetable: tuple[bool, ...]  # per actor: it has a hostile option against it
    # the split memo of minds/policy.memo_channels, per sponsors' wiring: the menu's own, so it dies with the run
    # that built the menu and no two models share one (options tuples are shared by runs of one scenario)
    memos: dict[tuple[int, ...], dict] = field(default_factory=dict, compare=False, repr=False)
    # beside it, per wiring: the splits of policies copied from a shared list, by that list's identity
    shared_memos: dict[tuple[int, ...], dict] = field(default_factory=dict, compare=False, repr=False)


class ActorState:
    """Everything a crisis actor knows and is, as plain attributes (the `View` its rule reads).

    Memory is kept per other actor, by actor index. The lists `resolve_of`, `credibility_of` and `sponsor_of` are
    shared among actors (set by the model) until an actor forms its own reading (beliefs, words heard). The model
    it belongs to is `agents.CrisisActor`'s (a Mesa agent's) `model`; the functions over this state take it apart.
    """

    def __init__(self, actor_id: str, spec: Actor, index: int, n_actors: int) -> None:
        self.actor_id = actor_id
        self.spec = spec
        self.index = index
        self.kind = spec.kind
        self.rule: Rule = make_rule(spec.rule)
        self.traits: Traits = self.rule.traits()  # what the rule needs: a forecaster, its hooks called
        self.deciding = False  # whether it has decided since the branch point (its rule's `on_branch` was called)
        traits = spec.traits
        self.resolve = traits.resolve
        self.cost_sensitivity = traits.cost_sensitivity
        self.risk_tolerance = traits.risk_tolerance
        self.alert = traits.alert
        self.domestic_pressure = traits.domestic_pressure
        self.credibility = traits.credibility
        self.legitimacy_cost = 0.0
        self.base_alert = traits.alert
        self.base_pressure = traits.domestic_pressure
        # daily chance of acting on a provocation: a memoryless hazard with the observed mean lag
        self.readiness = min(1.0, 1.0 / spec.decision_lag_days)
        self.grievance_decay = 0.5 ** (1.0 / spec.grievance_half_life_days)
        self.alert_decay = 0.5 ** (1.0 / spec.alert_half_life_days)
        self.perception: Perception = spec.perception
        self.sponsor: ActorState | None = None
        # the menu (mechanics/menu.py), set once every actor exists
        self.menu: Menu | None = None
        self.options: tuple[Option, ...] = ()
        self.hold_index = 0
        self.justification: str | None = None
        self.cooldown_of: tuple[int, ...] = ()
        self.cooling: list[int] = []  # per option: days before it can be taken again
        self.cooling_count = 0  # options still cooling down
        self.targetable: tuple[bool, ...] = (False,) * n_actors  # whom it has a hostile option against
        self.others: tuple[str, ...] = ()
        # readings of the others, shared until the actor forms its own (set by the model)
        self.resolve_of: list[float] = []
        self.credibility_of: list[float] = []
        self.sponsor_of: list[int] = [NO_TARGET] * n_actors
        # memory, per other actor
        self.outstanding = [0.0] * n_actors  # unanswered severity
        self.grievance = [0.0] * n_actors
        self.sovereignty_cost = [0.0] * n_actors
        self.violations = [0.0] * n_actors
        self.last_rung = [0] * n_actors
        self.last_killed = [0] * n_actors
        self.last_attribution = [1.0] * n_actors
        self.pending_threat = [0] * n_actors  # days left of a live threat's window (mechanics/signals.py)
        self.conciliatory = [False] * n_actors
        self.offered_today: set[int] = set()  # whom it made a conciliatory move toward today (perception.conciliate)
        self.last_act_of = [""] * n_actors
        self.own_last_rung = [0] * n_actors
        self.words_only = [False] * n_actors  # unanswered severity made of words only: no force answers it
        self.own_hit = [False] * n_actors  # its unanswered grievance against i includes an act on itself
        # what words told it of each other actor's intent to use force, as log-odds added to that actor's
        # credibility where it holds no beliefs about it (mechanics/words.py; fades with memory)
        self.heard = [0.0] * n_actors
        self.killed = 0
        self.wounded = 0
        self.killed_by_own_hand = 0
        self.lethal_days = 10**6  # days since one of its own hostile acts killed someone
        self.last_action = "hold"
        self.last_reason = ""
        self.restraint_signal = 1.0
        self.beliefs: dict[int, HeldBelief] = {}  # by other actor's index (minds/beliefs.install)
        self.forecaster: ForecastSource | None = None  # set where the rule looks ahead (agents.CrisisActor)
        self.proxy = ProxyState.of(spec, n_actors)
        self.host = HostState.of(spec, n_actors)
        self.clock = Clock.of(spec.hazards, spec.grievance_half_life_days)  # when it can act (mechanics/hazards.py)
        self.clock.hosting = spec.perception.sovereignty_sensitivity > 0
        self.clock.listen(n_actors)
        hazards = spec.hazards or DEFAULT_HAZARDS
        self.sustained: dict[str, float] = hazards.sustained  # actions it runs as operations, their tempo
        self.streams: dict[str, float] = hazards.streams  # chance a chosen act starts a stream (operations.started)
        self.stream_slopes: dict[str, float] = hazards.stream_slopes  # ... moved by the situation (rules/streams.py)
        self.stop_hazard = 1.0 / hazards.operation_days  # daily chance it stops an operation (after the branch)
        self.change_hazard = 1.0 / hazards.change_days  # daily chance it changes one's tempo or target
        self.running: tuple[int, ...] = ()  # options its operations carry (mechanics/operations.py)

    def set_menu(self, menu: Menu, others: tuple[str, ...]) -> None:
        """Take the options built for this run (mechanics/menu.build_menu)."""
        self.menu = menu
        self.options = menu.options
        self.hold_index = menu.hold_index
        self.justification = menu.justification
        self.cooldown_of = menu.cooldown_of
        self.cooling = [0] * len(menu.options)
        self.targetable = menu.targetable
        self.others = others

    # --- what rules read besides plain attributes ----------------------------------------------------------

    @property
    def sponsor_restraint(self) -> float:
        """How far the sponsor's wish for calm holds this actor back (militias), 0 for the rest."""
        if self.sponsor is None:
            return 0.0
        return self.proxy.control * self.sponsor.restraint_signal

    def forecasts(self) -> list[Forecast] | None:
        """Per option, the answer it would provoke (minds/anticipation.py); None for rules that do not look
        ahead."""
        return self.forecaster.forecasts() if self.forecaster is not None else None

    @property
    def belief_summary(self) -> str:
        """What this actor believes about the others, in words ('' if it holds no beliefs): for the actors
        table, play mode and the app."""
        return "; ".join(state.describe() for state in self.beliefs.values())

    @property
    def max_grievance(self) -> float:
        return max(self.grievance)

    @property
    def max_outstanding(self) -> float:
        return max(self.outstanding)

    # --- state that acts change --------------------------------------------------------------------------

    def justification_chance(self) -> float:
        """Daily chance of publicly justifying force used: grows with the legitimacy cost still unpaid."""
        if self.justification is None or self.legitimacy_cost < 0.05:
            return 0.0
        return self.readiness * min(1.0, self.legitimacy_cost)

    def accident_hazard(self) -> float:
        """Daily chance of an accident: rises with the square of alert (PS752 was shot down on full alert)."""
        return self.spec.accident_rate * self.alert * self.alert

    def used(self, action: str, target: str | None) -> None:
        """Start the cooldown of this action against this target (a sanction on one does not stop another)."""
        start_cooldown(self, action, target)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.actor_id})"


class Cooling(Protocol):
    """What cools down after an act: an actor's options (or the public estimate of them, minds/public.py)."""

    options: tuple[Option, ...]
    cooldown_of: tuple[int, ...]
    cooling: list[int]
    cooling_count: int


def start_cooldown(holder: Cooling, action: str, target: str | None) -> None:
    """Start the cooldown of this action against this target (a sanction on one does not stop another): the one
    rule for an actor and for the public estimate of its options."""
    cooldown_of, cooling = holder.cooldown_of, holder.cooling
    for opt in holder.options:
        if opt.action == action and opt.target == target and cooldown_of[opt.index]:
            if not cooling[opt.index]:
                holder.cooling_count += 1
            cooling[opt.index] = cooldown_of[opt.index]


def cool(holder: Cooling) -> None:
    """A day of cooling down: each option still cooling is a day nearer to being open again."""
    if holder.cooling_count:
        cooling = holder.cooling
        for i, days in enumerate(cooling):
            if days:
                cooling[i] = days - 1
                if days == 1:
                    holder.cooling_count -= 1
