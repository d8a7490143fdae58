"""What every deterrence rule shares: the view it decides from, its policy, its registry.

A rule is a pure function of what the deciding actor knows (a `View`) to a probability for each of the actor's
options. It never draws random numbers: the model samples from the policy, so the probability of any decision,
historical ones included, can be computed. Rules know nothing of Mesa, which keeps each one testable alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from .aiming import aimed

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


@dataclass(frozen=True, slots=True)
class Forecast:
    """What the deciding actor expects an option to provoke from its target (docs/model.md, Anticipation).

    `deaths`: expected own nationals killed by the answer; `rung`: expected rung of the answer (holding = 0);
    `rung_sq`: expected squared rung / 100, the scale of the retaliation cost; `escalate`: probability that the
    answer climbs above the option's own rung.
    """

    deaths: float
    rung: float
    rung_sq: float
    escalate: float


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
    lethal_days: int  # days since one of its own attacks last killed someone (large if never)
    dependence: list[float]  # host nations: dependence on each patron
    pressure_on: list[float]  # host nations: each patron's pressure on it
    parliament_weight: float  # host nations: parliament's weight against the government's

    def forecasts(self) -> list[Forecast] | None:
        """Per option, the answer it would provoke from its target; None where no forecast is made (a
        hypothetical target, modelled as level-0, does not look ahead itself)."""
        ...


class RuleParams(BaseModel):
    """Parameters every rule takes; each rule adds its own, with bounds and the reason for its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spread: float = Field(
        0.6,
        gt=0,
        le=5,
        description="execution noise in rungs: how far the chosen action strays from the intended one "
        "(Schelling's 'threat that leaves something to chance'); 0.6 puts ~80% of mass within one rung",
    )
    quiet_spread: float = Field(
        0.15,
        gt=0,
        le=5,
        description="noise on quiet days: each option one rung from holding gets exp(-1/0.15) = 0.13% a day, "
        "so an actor with eight such options makes a stray statement about once in three months",
    )
    ignore_below: float = Field(
        2.5,
        ge=0,
        le=20,
        description="perceived severity too small to answer: words (denunciations, threats) are cheap talk "
        "(Fearon 1995), so exchanges that drift down to words end",
    )
    reciprocity: float = Field(
        0.3,
        ge=0,
        le=1,
        description="daily chance of answering an adversary's conciliatory move in kind (Axelrod 1984)",
    )
    epsilon: float = Field(
        0.0,
        ge=0,
        le=1,
        description="tremble (Selten 1975): the share of each day's decision spread evenly over every option "
        "not cooling down, so each has probability at least epsilon/n. 0 (default) keeps the doctrine exact; "
        "a small value (1e-3) admits that leaders err and that a doctrine never rules an act out",
    )

    @model_serializer(mode="wrap")
    def _drop_zero_tremble(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A rule without tremble dumps as it did before `epsilon` existed (scenario hashes stay put)."""
        data = handler(self)
        if isinstance(data, dict) and self.epsilon == 0.0:
            data.pop("epsilon", None)
        return data


@dataclass(slots=True)
class Policy:
    """A probability per option (aligned with `view.options`) and the reason for it, in words."""

    probs: list[float]
    reason: str


class Rule:
    """Base class: subclasses set `name`, `description`, `classifier`, `Params` and write `policy`."""

    name: ClassVar[str]
    description: ClassVar[str]
    classifier: ClassVar[dict[str, Any]]
    Params: ClassVar[type[RuleParams]]

    def __init__(self, params: RuleParams | None = None) -> None:
        self.params = params if params is not None else self.Params(name=self.name)
        self._quiet: tuple[tuple[Option, ...], list[float]] | None = None

    def policy(self, view: View) -> Policy:
        raise NotImplementedError

    def settle(self, view: View, reason: str = "nothing to answer: holding") -> Policy:
        """A quiet day: mostly hold, with rare stray statements; answer conciliation in kind."""
        cached = self._quiet
        if cached is None or cached[0] is not view.options:  # one rule object serves one actor
            cached = self._quiet = (view.options, quiet_weights(view.options, self.params.quiet_spread))
        if self.params.reciprocity > 0 and any(view.conciliatory):
            return reciprocate(view, self.params, cached[1])
        return Policy(list(cached[1]), reason)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


RULES: dict[str, type[Rule]] = {}

CLASSIFIER_KEYS = (
    "memory_depth",  # how many past acts per adversary it looks at (float('inf') for a decaying sum)
    "stochastic",  # randomises beyond execution noise
    "uses_attribution",  # answers only those it believes responsible
    "uses_costs",  # weighs costs (legitimacy, sovereignty, retaliation, war risk)
    "reacts_to_casualties",  # what it answers depends on own nationals killed
    "escalatory",  # answers above the provocation
    "proxy",  # a militia's rule
)


def register[R: type[Rule]](cls: R) -> R:
    """Class decorator: add a rule to the registry under its name, checking its declaration is complete."""
    missing = [k for k in CLASSIFIER_KEYS if k not in cls.classifier]
    if missing:
        raise TypeError(f"rule {cls.name!r} does not classify {missing}")
    if cls.name in RULES:
        raise TypeError(f"rule name {cls.name!r} registered twice")
    RULES[cls.name] = cls
    return cls


# --- shared building blocks -------------------------------------------------------------------------------


def perceived_severity(rung: int, killed: int, casualty_weight: float) -> float:
    """Severity on the ladder's scale: the act's rung plus a weight per log of own nationals killed."""
    return rung + casualty_weight * math.log1p(killed)


def most_pressing(view: View, params: RuleParams) -> int:
    """Index of the actor whose unanswered acts weigh most on the deciding actor among those it can act
    against, or NO_TARGET if none weighs enough to answer. A larger grievance against someone out of reach
    does not freeze the actor: it acts on the most pressing one it can act on."""
    best, best_value = NO_TARGET, params.ignore_below
    targetable = view.targetable
    for i, value in enumerate(view.outstanding):
        if value >= best_value and value > 0.0 and targetable[i]:
            best, best_value = i, value
    return best


def quiet_weights(options: tuple[Option, ...], spread: float) -> list[float]:
    """Probabilities of a quiet day: each option weighted by its distance from holding."""
    weights = [math.exp(-abs(opt.rung) / spread) for opt in options]
    return _normalise(weights, sum(weights))


def reciprocate(view: View, params: RuleParams, quiet: list[float]) -> Policy:
    """A quiet day after an adversary's conciliatory move: add a chance of answering it in kind."""
    probs = list(quiet)
    extra = 0.0
    conciliatory = view.conciliatory
    for opt in view.options:
        if opt.target_index >= 0 and conciliatory[opt.target_index] and opt.rung < 0:
            w = params.reciprocity * math.exp(-abs(opt.rung + 1) / params.quiet_spread)
            probs[opt.index] += w
            extra += w
    return Policy(_normalise(probs, 1.0 + extra), "answering conciliation in kind")


_QUIET: dict[int, tuple[tuple[Option, ...], float, list[float]]] = {}  # id(options) -> quiet-day weights


def _quiet_day(options: tuple[Option, ...], spread: float) -> list[float]:
    """Quiet-day weights for an option list, cached (an actor's options never change during a run)."""
    cached = _QUIET.get(id(options))
    if cached is None or cached[0] is not options or cached[1] != spread:
        if len(_QUIET) > 4096:
            _QUIET.clear()
        cached = _QUIET[id(options)] = (options, spread, quiet_weights(options, spread))
    return cached[2]


def aim(
    view: View,
    target: int,
    rung: float,
    spread: float,
    p_act: float,
    reason: str,
    hostile_only: bool = True,
    quiet_spread: float = 0.15,
) -> Policy:
    """Put `p_act` of the mass on actions against `target` near `rung`; the rest is a quiet day (mostly
    holding, with the rare stray statements of `settle`), so no available option has probability zero."""
    options = view.options
    probs = aimed(options, target, rung, spread, p_act, hostile_only, quiet_spread, _quiet_day(options, quiet_spread))
    if probs is None:
        held = [0.0] * len(view.options)
        held[view.hold_index] = 1.0
        return Policy(held, reason + " (no action available against that target: holding)")
    return Policy(list(probs), reason)


def mix(first: Policy, second: Policy, weight: float, reason: str) -> Policy:
    """`weight` of the second policy and the rest of the first: two intentions held at once."""
    keep = 1.0 - weight
    return Policy([keep * a + weight * b for a, b in zip(first.probs, second.probs, strict=True)], reason)


def trembled(view: View, rules: list[Rule]) -> list[Policy]:
    """Each rule's policy with its own tremble: the components of a mixture of doctrines or a regime model."""
    return [tremble(view, rule.policy(view), rule.params.epsilon) for rule in rules]


def blend(weights: list[float], policies: list[Policy]) -> tuple[list[float], int]:
    """The weighted average of the policies' probabilities (a weight of 0 is skipped), and the index of the
    heaviest policy (the first of equals), whose reason a blend quotes."""
    probs = [0.0] * len(policies[0].probs)
    for weight, policy in zip(weights, policies, strict=True):
        if weight:
            for i, q in enumerate(policy.probs):
                probs[i] += weight * q
    return probs, max(range(len(policies)), key=weights.__getitem__)


def available(view: View) -> list[int]:
    """Indices of the options not cooling down."""
    cooling = view.cooling
    return [opt.index for opt in view.options if not cooling[opt.index]]


def withhold_cooling(view: View, policy: Policy) -> Policy:
    """Move the mass of options still cooling down to holding (in place)."""
    probs = policy.probs
    for i, days in enumerate(view.cooling):
        if days and probs[i]:
            probs[view.hold_index] += probs[i]
            probs[i] = 0.0
    return policy


def tremble(view: View, policy: Policy, epsilon: float) -> Policy:
    """Selten's trembling hand: (1 - epsilon) of the policy, epsilon spread over the available options.

    Options cooling down keep what they have (nothing, once `withhold_cooling` ran); each available option gets
    at least epsilon/n. epsilon = 0 returns the policy untouched.
    """
    if epsilon <= 0.0:
        return policy
    free = available(view)
    share = epsilon / len(free)
    keep = 1.0 - epsilon
    probs = [keep * p for p in policy.probs]
    for i in free:
        probs[i] += share
    return Policy(probs, policy.reason)


def decide(rule: Rule, view: View) -> Policy:
    """What an actor does with its rule: the doctrine's policy, options cooling down withheld, then the tremble."""
    policy = rule.policy(view)
    if any(view.cooling):
        withhold_cooling(view, policy)
    return tremble(view, policy, rule.params.epsilon)


def softmax(utilities: list[float], temperature: float) -> list[float]:
    top = max(utilities)
    weights = [math.exp((u - top) / temperature) for u in utilities]
    return _normalise(weights, sum(weights))


def _normalise(weights: list[float], total: float) -> list[float]:
    inv = 1.0 / total
    return [w * inv for w in weights]


def nationals_killed(view: View, killed: int) -> str:
    """'2 USA nationals killed': the deciding actor's dead, in words."""
    return f"{killed} {view.actor_id} national{'s' if killed != 1 else ''} killed"


def deaths_cross(view: View, target: int, threshold: int) -> str:
    """The deaths in words when the last unanswered act of `target` killed at least `threshold` of the deciding
    actor's nationals, else "" (a threshold of 0 disables the test): the casualty test of a red line."""
    killed = view.last_killed[target]
    return nationals_killed(view, killed) if threshold > 0 and killed >= threshold else ""


def describe_attribution(view: View, target: int) -> str:
    p = view.last_attribution[target]
    who = view.others[target]
    killed = view.last_killed[target]
    casualties = f"{nationals_killed(view, killed)}, " if killed else ""
    return f"{casualties}last act attributed to {who} (p={p:.2g})"


def sample_index(probs: list[float], u: float) -> int:
    """The option a uniform draw `u` picks from `probs`: the first whose cumulative probability exceeds it."""
    acc = 0.0
    for i, p in enumerate(probs):
        acc += p
        if u < acc:
            return i
    return len(probs) - 1
