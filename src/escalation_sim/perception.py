"""Acting and perceiving (docs/model.md section 5): what an act does to its actor, its target and onlookers.

An `Act` is one action to carry out: who did what to whom, its casualties, whether it was claimed, and why.
`carry_out` applies it (grievances answered, threats, legitimacy, sovereignty, casualties), then lets each
affected actor `perceive` it through noise and deniability. `accidents` is the daily hazard of actors on alert.
Every draw comes from the model's generators, in a fixed order, so runs stay reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import signals
from .scenario import Action
from .scenario.signalling import ThreatTerms

if TYPE_CHECKING:
    from .agents import CrisisActor
    from .model import EscalationModel, Record

ANSWER_RELIEF = 0.5  # share of domestic pressure relieved by answering a provocation with force
WORDS_SETTLE = 0.5  # share of a non-force act's rung that counts as answering a grievance


@dataclass(slots=True)
class Act:
    """One action to carry out and record: history's, the model's, a player's, or an accident."""

    actor: CrisisActor | None  # None for events with no actor (the Kerman stampede)
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
    threat: ThreatTerms | None = None  # a threat's terms, if the event gives them (else the scenario's)


def casualties(model: EscalationModel, action: Action, target: str | None) -> tuple[dict[str, int], dict[str, int]]:
    """Deaths (negative binomial) and wounded (Poisson) among the target's nationals, drawn from `model.rng`."""
    killed: dict[str, int] = {}
    wounded: dict[str, int] = {}
    if target is not None and (action.killed_mean > 0 or action.wounded_base > 0):
        k = int(model.rng.negative_binomial(action.killed_dispersion, nb_p(action))) if action.killed_mean else 0
        w = int(model.rng.poisson(action.wounded_base + action.wounded_ratio * k))
        if k:
            killed[target] = k
        if w:
            wounded[target] = w
    return killed, wounded


def nb_p(action: Action) -> float:
    """numpy's negative binomial success probability for the action's mean and dispersion."""
    r = action.killed_dispersion
    return r / (r + action.killed_mean) if action.killed_mean > 0 else 1.0


def carry_out(model: EscalationModel, act: Act) -> Record:
    """Apply an act of an actor: its own state, its target's, the casualties, then everyone's perception."""
    actor = act.actor
    assert actor is not None
    action = act.action
    target = model.by_id.get(act.target) if act.target is not None else None
    if action.private and target is not None:  # a message through a channel: no audience, no perception
        actor.used(act.key, act.target)
        act.reason = f"{act.reason}; private {action.message} {signals.private_message(model, act, target)}"
        record = model.record(act)
        actor.last_action = act.key
        actor.last_reason = act.reason
        return record
    rung = action.rung
    hostile = action.is_hostile
    if hostile and target is not None:
        _answer(model, actor, target, action)
    if target is not None:
        signals.on_act(model, act, target)
    soil = act.soil
    if action.force:
        actor.legitimacy_cost += max(0, rung - 4) / 10.0
        if soil is None and target is not None and target.spec.located_in is not None:
            soil = target.spec.located_in
    elif action.justifies:
        actor.legitimacy_cost *= 0.3
    elif rung < 0 and target is not None:
        if not actor.conciliatory[target.index]:  # an answer in kind closes the exchange, asks for none
            target.conciliatory[actor.index] = True
        target.outstanding[actor.index] *= 0.5  # reassured, not satisfied
        actor.conciliatory[target.index] = False  # answered in kind
        actor.outstanding[target.index] *= 0.5  # declaring the exchange over is letting half of it go
    actor.used(act.key, act.target)
    if action.effect == "withdrawal_demand" and target is not None:
        target.sovereignty_cost[actor.index] += 0.5
    _count_casualties(model, act.killed, act.wounded, hostile)
    attributed = ""
    if hostile and target is not None:
        attributed = perceive(model, act, target, soil)
    record = model.record(act, attributed)
    actor.last_action = act.key
    actor.last_reason = act.reason
    return record


def _answer(model: EscalationModel, actor: CrisisActor, target: CrisisActor, action: Action) -> None:
    """A hostile act settles the actor's grievance against its target and raises alert (threats: `signals`)."""
    rung = action.rung
    answered = actor.outstanding[target.index]
    if answered > 0.0:
        # force settles a grievance rung for rung; words settle half as much (they are cheap)
        settled = rung if action.force else WORDS_SETTLE * rung
        actor.outstanding[target.index] = max(0.0, answered - settled)
        if action.force:
            model.retaliations += 1
            actor.last_killed[target.index] = 0  # those deaths are answered
            actor.domestic_pressure *= ANSWER_RELIEF
    actor.alert = min(1.0, actor.alert + rung / 20.0)  # expecting an answer


def _count_casualties(model: EscalationModel, killed: dict[str, int], wounded: dict[str, int], hostile: bool) -> None:
    for nation, count in killed.items():
        victim = model.by_id.get(nation)
        if victim is not None:
            victim.killed += count
        if hostile:
            model.hostile_deaths += count
    for nation, count in wounded.items():
        victim = model.by_id.get(nation)
        if victim is not None:
            victim.wounded += count


def perceive(model: EscalationModel, act: Act, target: CrisisActor, soil: str | None) -> str:
    """Each affected actor sees the act through noise and decides whom to blame; returns whom the target blamed.

    The target feels the act's severity (rung plus casualties, with noise); a proxy's sponsor feels a share of
    it; a host nation on whose soil force was used counts a violation. Claimed acts are laid at the actor's
    door; unclaimed ones with the observer's attribution probability, and at the sponsor's with its own.
    """
    actor = act.actor
    assert actor is not None
    rung = act.action.rung
    killed = act.killed
    claimed = act.claimed
    force = act.action.force
    verbal = act.action.verbal
    normal = model.rng.normal
    random = model.random.random
    blamed_by_target = ""
    for observer in model.actors:
        if observer is actor:
            continue
        perception = observer.perception
        if observer is target:
            base = rung + perception.casualty_weight * math.log1p(killed.get(observer.actor_id, 0))
            own_killed = killed.get(observer.actor_id, 0)
        elif target.sponsor is observer:
            base = perception.proxy_solidarity * (
                rung + perception.casualty_weight * math.log1p(killed.get(target.actor_id, 0))
            )
            own_killed = 0
        elif soil == observer.actor_id and force:
            violation = perception.sovereignty_sensitivity * (
                rung + perception.casualty_weight * math.log1p(killed.get(observer.actor_id, 0))
            )
            if violation > 0:
                observer.violations[actor.index] += violation
                observer.outstanding[actor.index] = max(observer.outstanding[actor.index], violation)
                observer.last_rung[actor.index] = rung
                observer.last_attribution[actor.index] = 1.0
            continue
        else:
            continue
        severity = max(0.0, base + perception.noise_sd * normal()) if perception.noise_sd else base
        blamed: list[tuple[CrisisActor, float]] = []
        if claimed:
            blamed.append((actor, 1.0))
        elif random() < perception.attribution:
            blamed.append((actor, perception.attribution))
        sponsor = actor.sponsor
        deniable = not claimed and sponsor is not None and sponsor is not observer
        if deniable and random() < perception.sponsor_attribution:
            blamed.append((sponsor, perception.sponsor_attribution))
        for culprit, p in blamed:
            j = culprit.index
            # a sponsor is blamed for its proxy's act in proportion to the belief that it is behind it
            share = severity if culprit is actor else severity * p
            # deaths in acts not yet answered are remembered: a later harmless act does not erase them
            observer.last_killed[j] = own_killed if observer.outstanding[j] == 0.0 else max(
                observer.last_killed[j], own_killed
            )
            # words make a words-only grievance, answered by words (docs 5a); any deed makes it a deed's
            observer.words_only[j] = verbal and (observer.outstanding[j] == 0.0 or observer.words_only[j])
            observer.outstanding[j] = max(observer.outstanding[j], share)
            observer.grievance[j] += share
            observer.last_rung[j] = rung
            observer.last_attribution[j] = p
            observer.conciliatory[j] = False
        if observer is target:
            blamed_by_target = "+".join(c.actor_id for c, _ in blamed) or "unknown"
        observer.alert = min(1.0, observer.alert + rung / 20.0)
        observer.domestic_pressure = min(
            1.0, observer.domestic_pressure + severity / 20.0 + perception.casualty_weight * own_killed / 100.0
        )
    return blamed_by_target



def accidents(model: EscalationModel) -> None:
    """Each actor on alert may have an accident today (hazard `accident_rate x alert^2`, docs section 5)."""
    for actor in model.actors:
        hazard = actor.accident_hazard()
        if hazard > 0.0 and model.random.random() < hazard:
            assert model.accident_key is not None  # the scenario checks this for accident-prone actors
            action = model.ladder[model.accident_key]
            killed = int(model.rng.negative_binomial(action.killed_dispersion, nb_p(action)))
            reason = f"accident under alert {actor.alert:.2f} (daily hazard {hazard:.4f})"
            model.record(Act(actor, model.accident_key, action, killed={"civilians": killed}, probability=hazard,
                             reason=reason))
            after_accident(actor)


def after_accident(actor: CrisisActor) -> None:
    """An accident under alert costs legitimacy and makes the actor more careful, and stands forces down."""
    actor.legitimacy_cost += 0.5
    actor.cost_sensitivity = min(1.0, actor.cost_sensitivity + 0.1)
    actor.alert *= 0.5
