"""Beliefs: what one actor thinks another is, a posterior over types learnt from the other's acts and holds.

A type is a doctrine (a rule) and a resolve r: the type carries out the hostile answers its doctrine calls for
with probability r and otherwise holds (Fearon 1994's resolved and unresolved types). After each decision of
the other actor, each believer weighs every type by the probability that type's policy gave what was observed,
in the other's present state, tempered for noise, with a trembling hand (Selten 1975) and optional confirmation
bias (Jervis 1976). What the believer's rule reads as the other's resolve and credibility becomes the
posterior expectation. docs/model.md, Beliefs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rules import make_rule
from .scenario.beliefs import Belief
from .supposed import Supposed

if TYPE_CHECKING:
    from .agents import CrisisActor
    from .model import EscalationModel


class BeliefState:
    """What `observer` believes about `other`: a posterior over the types of its `beliefs:` entry."""

    def __init__(self, observer: CrisisActor, other: CrisisActor, spec: Belief) -> None:
        self.observer = observer
        self.other = other
        self.spec = spec
        self.rules = [make_rule(t.rule) for t in spec.types]
        self.resolves = [t.resolve for t in spec.types]
        self.labels = [f"{t.rule.name}/r={t.resolve:g}" for t in spec.types]
        self.posterior = [t.prior for t in spec.types]
        self.view = Supposed(other)
        self.ignore_holds = spec.credibility_model == "current_calculus"

    # --- what a type would do ------------------------------------------------------------------------------

    def type_policy(self, k: int, view: Supposed) -> list[float]:
        """Type k's probability per option of the other actor, in the (supposed) state `view`."""
        r = self.resolves[k]
        view.resolve = r
        probs = list(self.rules[k].policy(view).probs)
        if r < 1.0:
            moved = 0.0
            for opt in self.other.options:
                q = probs[opt.index]
                if q and opt.hostile:
                    probs[opt.index] = q * r
                    moved += q - q * r
            probs[self.other.hold_index] += moved
        return probs

    def answer(self, view: Supposed) -> list[float]:
        """The other's policy as the believer expects it: the posterior mixture of the types' policies."""
        out = [0.0] * len(self.other.options)
        for k, weight in enumerate(self.posterior):
            if weight < 1e-9:
                continue
            for i, q in enumerate(self.type_policy(k, view)):
                out[i] += weight * q
        return out

    # --- learning ------------------------------------------------------------------------------------------

    def observe(self, chosen: tuple[int, ...]) -> None:
        """Bayes' rule after the other chose one of the options `chosen` (a hold is one option too)."""
        other = self.other
        hold = other.hold_index
        if self.ignore_holds and chosen == (hold,):
            return  # current calculus: backing down says nothing about the type (Press 2005)
        view = self.view.reset()
        tremble = self.spec.tremble
        floor = tremble * len(chosen) / len(other.options)
        likelihoods: list[float] = []
        for k in range(len(self.rules)):
            probs = self.type_policy(k, view)
            if other.cooling_count:  # options still cooling down are not available to any type
                for i, days in enumerate(other.cooling):
                    if days and probs[i]:
                        probs[hold] += probs[i]
                        probs[i] = 0.0
            like = sum(probs[i] for i in chosen)
            likelihoods.append((1.0 - tremble) * like + floor)
        self.update(likelihoods)

    def update(self, likelihoods: list[float]) -> None:
        """Posterior proportional to prior x likelihood^exponent (tempered; discounted when disconfirming)."""
        posterior = self.posterior
        exponent = self.spec.temper
        bias = self.spec.confirmation_bias
        if bias:
            lead = max(range(len(posterior)), key=posterior.__getitem__)
            expected = sum(w * like for w, like in zip(posterior, likelihoods, strict=True))
            if likelihoods[lead] < expected:
                exponent *= 1.0 - bias
        weights = [w * like**exponent for w, like in zip(posterior, likelihoods, strict=True)]
        total = sum(weights)
        if total > 0.0:
            self.posterior = [w / total for w in weights]

    # --- what the believer reads -----------------------------------------------------------------------------

    def expected_resolve(self) -> float:
        """Posterior mean resolve: the chance the other carries out what its doctrine calls for."""
        return sum(w * r for w, r in zip(self.posterior, self.resolves, strict=True))

    def describe(self, top: int = 3) -> str:
        """The most likely types in words: 'USA: red_line/r=0.8 55%, restraint/r=0.3 20%'."""
        ranked = sorted(range(len(self.posterior)), key=lambda k: -self.posterior[k])[:top]
        return f"{self.other.actor_id}: " + ", ".join(f"{self.labels[k]} {self.posterior[k]:.0%}" for k in ranked)


def install(model: EscalationModel) -> None:
    """Give actors with a `beliefs:` block their belief states and their own reading of the others."""
    for observer in model.actors:
        for other_id, spec in observer.spec.beliefs.items():
            other = model.by_id[other_id]
            state = BeliefState(observer, other, spec)
            observer.beliefs[other.index] = state
            model.watchers[other.index].append(state)
        if observer.beliefs:
            model.believers.append(observer)
            observer.resolve_of = list(model.resolve_of)  # its own reading, no longer the shared truth
            observer.credibility_of = list(model.credibility_of)
    refresh(model)


def refresh(model: EscalationModel) -> None:
    """The believers' reading of the others: the shared values, then their posteriors where they hold beliefs."""
    for observer in model.believers:
        observer.resolve_of[:] = model.resolve_of
        observer.credibility_of[:] = model.credibility_of
        for j, state in observer.beliefs.items():
            observer.resolve_of[j] = observer.credibility_of[j] = state.expected_resolve()


def observed(model: EscalationModel, actor: CrisisActor, chosen: tuple[int, ...]) -> None:
    """Everyone who holds beliefs about `actor` learns from its decision (call before it is carried out)."""
    for state in model.watchers[actor.index]:
        state.observe(chosen)
        observer = state.observer
        observer.resolve_of[actor.index] = observer.credibility_of[actor.index] = state.expected_resolve()
