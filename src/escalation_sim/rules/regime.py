"""A regime model of a decision-maker: several doctrines, a starting distribution, switching by day and by event.

Leaders are of a type the adversary cannot see, and types change under shocks (Hermann 1980; Saunders 2011;
Horowitz, Stam & Ellis 2015; Yarhi-Milo 2018). The regime is drawn per run from the model's generator at the
branch point; before it (history replay) the actor holds a filtered distribution over its regime instead:
Bayes on each recorded decision, then the daily switching kernel and the event triggers (forward filtering), so
the probability of a historical decision is averaged over the regimes the leader may have been in.

The rule object keeps that state (it is made per actor and run); the model supplies every draw.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from .base import (
    Draw,
    Policy,
    Rule,
    RuleParams,
    Traits,
    View,
    Witnessed,
    blend,
    make_rule,
    register,
    sample_index,
    tremble,
    trembled,
    withhold_cooling,
)
from .tit_for_tat import TitForTatParams
from .voice import split, tremble_channel


class Trigger(BaseModel):
    """An event that may switch the regime, e.g. `{event: siege, target_of: self, to: restore_deterrence}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: str = Field(description="the ladder action that triggers it (check data/ladder.yaml)")
    target_of: Literal["self", "any"] = Field("self", description="'self': only when aimed at this actor")
    by: Literal["any", "self", "others"] = Field(
        "any", description="whose act it must be: 'self' (e.g. a blow delivered), 'others', or 'any'"
    )
    to: str = Field(description="the regime it may switch to")
    probability: float = Field(
        gt=0,
        le=1,
        description="chance the event switches the regime to `to`: where no rate is measured, a declared prior "
        "whose effect a scenario should report (`escalation-sim replay SCENARIO --sensitivity`)",
    )


class RegimeParams(RuleParams):
    name: Literal["regime"] = "regime"
    # "RuleConfig": the union of every rule, completed by rules/__init__ (model_rebuild)
    regimes: dict[str, RuleConfig] = Field(  # noqa: F821
        default_factory=lambda: {"tit_for_tat": TitForTatParams()},
        min_length=1,
        description="the doctrines the leader may follow, by regime name; default one tit-for-tat (no switching)",
    )
    start: dict[str, float] = Field(
        default_factory=dict, description="probability of each regime at the start (missing: 0; empty: uniform)"
    )
    switch_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description="daily chance of moving to another regime (spread evenly), unless `switching` "
        "gives the row; 0: types are stable within a crisis (Hermann 1980)",
    )
    switching: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="daily switching probabilities by regime pair {from: {to: p}}"
    )
    triggers: list[Trigger] = Field(default_factory=list, description="events that may switch the regime")
    filter_tremble: float = Field(
        0.0,
        ge=0,
        le=0.5,
        description="tremble of each regime's policy when the filter weighs a recorded decision (issue 17): a "
        "decision a regime finds near impossible may be a mistake or misreported, so no tail ratio swings the "
        "filter; 0 keeps the regimes' own policies (as before). A parameter with a prior: log10 ~ U(-4, -2)",
    )

    @model_serializer(mode="wrap")
    def _drop_zero_tremble(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Trembles at 0 are left out (the base rule's `epsilon` and `filter_tremble`): scenario hashes stay put."""
        data = handler(self)
        if isinstance(data, dict):
            for key in ("epsilon", "filter_tremble"):
                if getattr(self, key) == 0.0:
                    data.pop(key, None)
        return data

    @model_validator(mode="after")
    def _names_known(self) -> RegimeParams:
        names = list(self.regimes)
        for where, keys in (
            ("start", self.start),
            ("switching", self.switching),
            *((f"switching.{k}", row) for k, row in self.switching.items()),
            *((f"triggers.{n}.to", {t.to: 1}) for n, t in enumerate(self.triggers)),
        ):
            unknown = [k for k in keys if k not in names]
            if unknown:
                raise ValueError(f"{where}: unknown regime {unknown[0]!r} (regimes: {', '.join(names)})")
        if any(v < 0 for v in self.start.values()) or (self.start and sum(self.start.values()) <= 0):
            raise ValueError("start: probabilities must be >= 0 and not all 0")
        for key, row in self.switching.items():
            if any(v < 0 for v in row.values()) or sum(v for k, v in row.items() if k != key) > 1:
                raise ValueError(f"switching.{key}: probabilities must be >= 0 and sum to at most 1")
        return self


@register
class Regime(Rule):
    """A regime model: the leader follows one of several doctrines, drawn per run, switching by day and event.

    Source: Hermann 1980; Saunders 2011; Horowitz, Stam & Ellis 2015; Yarhi-Milo 2018
    """

    name = "regime"
    description = "one of several doctrines, drawn per run; switches daily or on events (an embassy siege, ...)"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": True,
        "uses_attribution": True,
        "uses_costs": True,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = RegimeParams
    declared = Traits(keeps_state=True)  # the filtered distribution, then the drawn regime

    def __init__(self, params: RegimeParams | None = None) -> None:
        super().__init__(params)
        p = self.params
        self.names = list(p.regimes)
        self.rules = [make_rule(r) for r in p.regimes.values()]
        # only doctrines that keep state do anything in the hooks (the model calls no others), and only trigger
        # events can switch the regime: each act tests those first
        self._hooked = [r for r in self.rules if r.traits().keeps_state]
        self._events = frozenset(t.event for t in p.triggers)
        k = len(self.names)
        start = [p.start.get(n, 0.0) for n in self.names] if p.start else [1.0] * k
        self.belief = [s / sum(start) for s in start]  # the filtered distribution (before the regime is drawn)
        self.kernel = [[0.0] * k for _ in range(k)]
        for a, name in enumerate(self.names):
            row = p.switching.get(name)
            for b, other in enumerate(self.names):
                if a != b:
                    self.kernel[a][b] = row.get(other, 0.0) if row is not None else p.switch_rate / max(1, k - 1)
            self.kernel[a][a] = 1.0 - sum(self.kernel[a])
        self.current: int | None = None  # the drawn regime, once the model decides
        self.switched = ""  # the last switch, for the decision trace

    # --- policies --------------------------------------------------------------------------------------------

    def regime_policies(self, view: View) -> list[Policy]:
        return trembled(view, self.rules)

    def policy(self, view: View) -> Policy:
        if self.current is not None:
            policy = tremble(view, self.rules[self.current].policy(view), self.rules[self.current].params.epsilon)
            return Policy(policy.probs, f"regime {self.names[self.current]}{self.switched}: {policy.reason}")
        policies = self.regime_policies(view)
        probs, top = blend(self.belief, policies)
        shares = ", ".join(f"P({n})={b:.2g}" for n, b in zip(self.names, self.belief, strict=True))
        return Policy(probs, f"regimes {shares}; {self.names[top]}: {policies[top].reason}")

    def inner(self) -> list[Rule]:
        return self.rules

    # --- the hooks: the filter (history) and the draws (after the branch point) ------------------------------

    def on_branch(self, view: View, draw: Draw) -> None:
        """The type is drawn where the model starts deciding, from the filtered distribution."""
        if self.current is None:
            self.draw(draw())
        for rule in self._hooked:
            rule.on_branch(view, draw)

    def on_day(self, view: View, draw: Draw) -> None:
        self.day_passes(draw() if self.current is not None else 0.0)
        for rule in self._hooked:
            rule.on_day(view, draw)

    def on_act(self, view: View, act: Witnessed, draw: Draw) -> None:
        """Event triggers (`{event: siege, target_of: self}`): each may switch the regime (one draw each)."""
        if act.action in self._events:
            for trigger in self.triggered(act.action, act.aimed_at_self, act.by_self):
                self.on_event(trigger, draw() if self.current is not None else 0.0, act.describe())
        for rule in self._hooked:
            rule.on_act(view, act, draw)

    def on_history(self, view: View, chosen: list[int]) -> None:
        self.observe(view, chosen)
        for rule in self._hooked:
            rule.on_history(view, chosen)

    def observe(self, view: View, chosen: list[int]) -> None:
        """Bayes on a recorded decision (the options it could be): each regime weighed by the chance it gave it,
        on the decision's channel (a word or a deed, rules/voice.py)."""
        if self.current is not None:
            return
        likelihoods = []
        words = view.options[chosen[0]].words  # weighed on its channel, as the model draws it (rules/voice.py)
        epsilon = max(self.params.epsilon, self.params.filter_tremble)
        for rule, policy in zip(self.rules, self.regime_policies(view), strict=True):
            probs = list(policy.probs)
            said = split(view, probs, rule.params.spread)
            channel = said if words else probs
            if any(view.cooling):
                withhold_cooling(view, Policy(channel, ""))
            tremble_channel(view, channel, epsilon, words)
            likelihoods.append(sum(channel[i] for i in chosen))
        posterior = [b * q for b, q in zip(self.belief, likelihoods, strict=True)]
        total = sum(posterior)
        if total > 0.0:  # a decision no regime allows teaches nothing about which one it was
            self.belief = [q / total for q in posterior]

    def draw(self, u: float) -> None:
        """Fix the regime for the rest of the run from the filtered distribution, with a uniform draw `u`."""
        self.current = sample_index(self.belief, u)
        self.switched = ""

    def day_passes(self, u: float) -> None:
        """The daily switching kernel: the filter moves its distribution; a drawn regime may switch (draw `u`)."""
        if self.current is None:
            k = len(self.names)
            self.belief = [sum(self.belief[a] * self.kernel[a][b] for a in range(k)) for b in range(k)]
            return
        new = sample_index(self.kernel[self.current], u)
        if new != self.current:
            self.switched = f" (switched from {self.names[self.current]}: daily switching)"
            self.current = new

    def triggered(self, action: str, aimed_at_self: bool, by_self: bool = False) -> list[Trigger]:
        by = "self" if by_self else "others"
        return [
            t
            for t in self.params.triggers
            if t.event == action and (aimed_at_self or t.target_of == "any") and t.by in ("any", by)
        ]

    def on_event(self, trigger: Trigger, u: float, what: str) -> None:
        """An event trigger: the filter moves `probability` of its mass to `to`; a drawn regime switches on `u`."""
        to = self.names.index(trigger.to)
        q = trigger.probability
        if self.current is None:
            self.belief = [(1.0 - q) * b + (q if k == to else 0.0) for k, b in enumerate(self.belief)]
        elif self.current != to and u < q:
            self.switched = f" (switched from {self.names[self.current]}: {what})"
            self.current = to
