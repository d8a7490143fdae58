"""What every deterrence rule shares: the view it decides from, its policy, its registry.

A rule is a pure function of what the deciding actor knows (a `View`) to a probability for each of the actor's
options. It never draws random numbers: the model samples from the policy, so the probability of any decision,
historical ones included, can be computed. Rules know nothing of Mesa, which keeps each one testable alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from .aiming import aimed
from .view import NO_TARGET as NO_TARGET  # re-exported: rules import what they see from base
from .view import Forecast as Forecast
from .view import HostSide as HostSide
from .view import Option, Policy, View


class RuleParams(BaseModel):
    """Parameters every rule takes; each rule adds its own, with bounds and the reason for its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __deepcopy__(self, memo: dict[int, object] | None = None) -> RuleParams:
        """Frozen: a copy (of a particle, score/filter.py) shares it."""
        return self

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


@dataclass(frozen=True, slots=True)
class Traits:
    """What a rule needs of the model besides its view (docs/adding-a-rule.md).

    `looks_ahead`: its policy reads `view.forecasts()`, so the actor gets a forecaster (minds/anticipation.py).
    `reads_resolve`: its policy reads `view.resolve`, so beliefs about an actor run each resolve's type through it
    (minds/beliefs.py) rather than applying resolve in closed form. `keeps_state`: it changes between decisions,
    so the model calls its lifecycle hooks (`Rule.on_branch`, `on_day`, `on_act`, `on_history`).
    """

    looks_ahead: bool = False
    reads_resolve: bool = False
    keeps_state: bool = False

    def __or__(self, other: Traits) -> Traits:
        return Traits(
            self.looks_ahead or other.looks_ahead,
            self.reads_resolve or other.reads_resolve,
            self.keeps_state or other.keeps_state,
        )


Draw = Callable[[], float]  # a uniform draw from the model's generator, made only when a hook needs one


class Rule:
    """Base class: subclasses set `name`, `description`, `classifier`, `Params` and write `policy`.

    A rule that looks ahead, reads resolve or keeps state says so in `declared` (or `own_traits`, where it depends
    on the parameters); a rule that keeps state overrides the lifecycle hooks it needs. The model calls them, so
    such a rule needs no edit outside its module. Composite rules list the doctrines inside them in `inner`: their
    traits are the union of their own and their doctrines', and their hooks reach the doctrines.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    classifier: ClassVar[dict[str, Any]]
    Params: ClassVar[type[RuleParams]]
    declared: ClassVar[Traits] = Traits()
    gives_orders: ClassVar[bool] = False  # its policy aims a sponsor's orders itself (mechanics/proxies.steer)

    def __init__(self, params: RuleParams | None = None) -> None:
        self.params = params if params is not None else self.Params(name=self.name)
        self._quiet: tuple[tuple[Option, ...], list[float]] | None = None

    def policy(self, view: View) -> Policy:
        raise NotImplementedError

    # --- what it needs, and the hooks the model calls (no-ops unless a rule keeps state) ----------------------

    def own_traits(self) -> Traits:
        """This rule's own needs (its class's `declared`; a rule whose needs depend on its parameters overrides)."""
        return self.declared

    def inner(self) -> list[Rule]:
        """The doctrines inside a composite rule (a mixture's components, a regime model's regimes)."""
        return []

    def traits(self) -> Traits:
        """What the rule needs: its own traits and those of every doctrine inside it."""
        traits = self.own_traits()
        for rule in self.inner():
            traits = traits | rule.traits()
        return traits

    def on_branch(self, view: View, draw: Draw) -> None:
        """The actor's first decision after the branch point (a regime model draws its type here)."""
        for rule in self.inner():
            rule.on_branch(view, draw)

    def on_day(self, view: View, draw: Draw) -> None:
        """The end of each day, after memory fades (a regime model's daily switching)."""
        for rule in self.inner():
            rule.on_day(view, draw)

    def on_act(self, view: View, act: Witnessed, draw: Draw) -> None:
        """Any act recorded in the crisis, by anyone (a regime model's event triggers)."""
        for rule in self.inner():
            rule.on_act(view, act, draw)

    def on_history(self, view: View, chosen: list[int]) -> None:
        """A recorded historical decision of this actor, before it is carried out: the options it could be."""
        for rule in self.inner():
            rule.on_history(view, chosen)

    def settle(self, view: View, reason: str = "nothing to answer: holding") -> Policy:
        """A quiet day: mostly hold, with rare stray statements; answer conciliation in kind."""
        cached = self._quiet
        if cached is None or cached[0] is not view.options:  # one rule object serves one actor
            cached = self._quiet = (view.options, quiet_weights(view.options, self.params.quiet_spread))
        if self.params.reciprocity > 0 and any(view.conciliatory):
            return reciprocate(view, self.params, cached[1])
        return Policy(list(cached[1]), reason, shared=cached[1])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


@dataclass(frozen=True, slots=True)
class Witnessed:
    """An act as a rule's `on_act` hook sees it: the ladder action, whose it was and whom it aimed at."""

    action: str
    actor: str | None
    target: str | None
    by_self: bool
    aimed_at_self: bool

    def describe(self) -> str:
        return f"{self.action} by {self.actor} against {self.target}"


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


def make_rule(params: RuleParams) -> Rule:
    """The rule object for validated parameters (the registry is complete once the package is imported)."""
    return RULES[params.name](params)  # type: ignore[attr-defined]


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
    probs = aimed(options, target, rung, spread, p_act, hostile_only, quiet_spread, _quiet_day)
    if probs is None:
        held = [0.0] * len(view.options)
        held[view.hold_index] = 1.0
        return Policy(held, reason + " (no action available against that target: holding)")
    return Policy(list(probs), reason, shared=probs)


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
