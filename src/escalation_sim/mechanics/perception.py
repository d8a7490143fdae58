"""Acting and perceiving (docs/model.md section 5): what an act does to its actor, its target and onlookers.

An `Act` is one action to carry out: who did what to whom, its casualties, whether it was claimed, and why.
`carry_out` applies it (grievances answered, threats, legitimacy, sovereignty, casualties), then lets each
affected actor `perceive` it through noise and deniability. `accidents` is the daily hazard of actors on alert.
Every draw comes from the model's generators, in a fixed order, so runs stay reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..scenario import ORDER_EFFECTS, Action
from ..state.ledgers import Blame
from ..state.records import Act
from . import hazards, proxies, signals
from .host import host_effect, violated, violated_host

if TYPE_CHECKING:
    from ..state.actor import ActorState, Memory, Mood
    from ..state.records import Record
    from ..state.world import World

ANSWER_RELIEF = 0.5  # share of domestic pressure relieved by answering a provocation with force
WORDS_SETTLE = 0.5  # share of a non-force act's rung that counts as answering a grievance


def casualties(model: World, action: Action, target: str | None) -> tuple[dict[str, int], dict[str, int]]:
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


class Conciliating(Protocol):
    """What a conciliatory move changes: an actor's (or a public estimate's) standing offers, per actor index."""

    conciliatory: list[bool]  # the other made a conciliatory move not yet answered in kind
    offered_today: set[int]  # whom it made a conciliatory move toward today (emptied at nightfall)


def conciliate(mine: Conciliating, theirs: Conciliating, i: int, j: int) -> None:
    """i's conciliatory move toward j (`mine` is i's memory, `theirs` j's). An answer in kind to j's standing move
    closes the exchange and asks for no answer; a move of j's made the same day is not answered by i's but made
    with it: a day is the records' finest grain, so two moves of one day between the same pair (a joint
    agreement, coded as one event per side) are simultaneous, and each leaves the other's standing to be answered
    by the next step (docs/model.md section 5, "Moves of the same day")."""
    together = i in theirs.offered_today  # j moved toward i today
    if together or not mine.conciliatory[j]:
        theirs.conciliatory[i] = True
    mine.conciliatory[j] = together and mine.conciliatory[j]  # answered in kind, unless made together
    mine.offered_today.add(j)


def carry_out(model: World, act: Act) -> Record:
    """Apply an act of an actor: its own state, its target's, the casualties, then everyone's perception."""
    actor = act.actor
    assert actor is not None
    action = act.action
    if act.origin != "operation" and action.chosen:
        hazards.acted(actor, action)  # its clock for this class of action starts again (section 1a)
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
    if action.force:
        actor.legitimacy_cost += max(0, rung - 4) / 10.0
    elif action.justifies:
        actor.legitimacy_cost *= 0.3
    elif rung < 0 and target is not None and action.effect not in ORDER_EFFECTS:
        conciliate(actor, target, actor.index, target.index)
        target.outstanding[actor.index] *= 0.5  # reassured, not satisfied
        hazards.heard(target, actor.index)  # answering it is news today
        actor.outstanding[target.index] *= 0.5  # declaring the exchange over is letting half of it go
    actor.used(act.key, act.target)
    if action.effect == "withdrawal_demand" and target is not None:
        target.sovereignty_cost[actor.index] += 0.5
    if target is not None:
        _proxy_and_host_effects(model, act, target)
    _count_casualties(model, act.killed, act.wounded, hostile)
    if hostile and act.killed:
        actor.lethal_days = 0
    attributed = ""
    if hostile and target is not None:
        attributed = perceive(model, act, target, violated_host(act, target))
    record = model.record(act, attributed)
    actor.last_action = act.key
    actor.last_reason = act.reason
    # the model's sponsor orders its proxies with its declaration; a player gives its own orders
    if (
        rung < 0
        and target is not None
        and action.effect == "none"
        and actor.proxy.order_options
        and act.origin == "model"
    ):
        for key, proxy in proxies.restrain_proxies(model, actor, target.index):
            reason = f"ordering {proxy} to hold fire along with its {act.key} toward {target.actor_id}"
            model.record(
                Act(actor, key, model.ladder[key], proxy, origin=act.origin, probability=act.probability, reason=reason)
            )  # decided with the declaration it goes with
    return record


def _proxy_and_host_effects(model: World, act: Act, target: ActorState) -> None:
    """Orders, truces, liaisons killed and a host's moves (docs/model.md sections 5b, 5c)."""
    actor = act.actor
    assert actor is not None
    action = act.action
    effect = action.effect
    if effect in ORDER_EFFECTS:
        proxies.send_order(model, actor, target, effect)
    elif effect == "suspend_operations":
        proxies.suspend(actor, target)
    if effect == "pass_message":  # a channel message, relayed on the lines the host carries (signals.relay)
        act.reason = f"{act.reason}; passes {signals.relay(model, actor, target) or 'nothing: no line it carries'}"
    if action.access_cut or effect in ("pressure_host", "mediate"):
        host_effect(model, actor, target, action)
    if action.force:
        proxies.break_truce(target, actor.index)
        if action.kills_liaison and target.sponsor is not None:
            proxies.lose_liaison(target)
    for militia in act.liaison_killed:
        proxies.lose_liaison(model.by_id[militia])


def _answer(model: World, actor: ActorState, target: ActorState, action: Action) -> None:
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
        hazards.discharge(actor, target.index, action)  # an answer lets go a share of the grievance
    actor.alert = min(1.0, actor.alert + rung / 20.0)  # expecting an answer


def _count_casualties(model: World, killed: dict[str, int], wounded: dict[str, int], hostile: bool) -> None:
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


def felt(rung: int, killed: float, casualty_weight: float) -> float:
    """Severity on the ladder's scale, without noise: the act's rung plus a weight per log of own nationals
    killed."""
    return rung + casualty_weight * math.log1p(killed)


def forget(memory: Memory, decay: float) -> float:
    """A day of fading memory, the one rule for a real actor and for the public estimate of one
    (minds/public.py): what is unanswered and what is resented fade by `decay`; an unanswered severity below
    0.05 is gone, and with it the sense of having been hit and of words only. Returns the largest unanswered
    severity left (the actor's restraint signal reads it)."""
    outstanding = memory.outstanding
    grievance = memory.grievance
    most = 0.0
    for i, value in enumerate(outstanding):
        if value:
            value *= decay
            if value < 0.05:
                value = 0.0
                memory.own_hit[i] = False
                memory.words_only[i] = False
            outstanding[i] = value
            if value > most:
                most = value
        if grievance[i]:
            grievance[i] *= decay
    return most


def feel(observer: Mood, rung: int, severity: float, own_killed: float, casualty_weight: float) -> None:
    """What an act felt does to the observer's mood: alert rises with its rung, domestic pressure with its severity
    and the observer's own dead."""
    observer.alert = min(1.0, observer.alert + rung / 20.0)
    observer.domestic_pressure = min(
        1.0, observer.domestic_pressure + severity / 20.0 + casualty_weight * own_killed / 100.0
    )


def perceive(model: World, act: Act, target: ActorState, violated_at: str | None) -> str:
    """Each affected actor sees the act through noise and decides whom to blame; returns whom the target blamed.

    The target, and every nation whose people the act killed or wounded (multi-victim events), feel the act's
    severity (rung plus own casualties, with noise); a proxy's sponsor feels a share of an attack on its proxy;
    a host nation on whose soil force was used by a foreign power counts a violation (an armed group based on its own
    soil challenges its authority at home, not its sovereignty against foreign powers; its blows on the host's
    people are blamed as any act). Claimed acts are laid at the actor's door;
    unclaimed ones with the observer's attribution probability (split among the sponsor's militias when a front
    claims them), after the observer's investigation delay, and at the sponsor's with its own.
    """
    actor = act.actor
    assert actor is not None
    rung = act.action.rung
    killed = act.killed
    wounded = act.wounded
    verbal = act.action.verbal
    normal = model.rng.normal
    random = model.random.random
    blamed_by_target = ""
    for observer in model.actors:
        if observer is actor:
            continue
        perception = observer.perception
        me = observer.actor_id
        own_killed = killed.get(me, 0)
        if me == violated_at:  # `violated_host`
            _violation(
                observer,
                actor,
                rung,
                perception.sovereignty_sensitivity,
                perception.casualty_weight,
                own_killed,
                act.key,
            )
        if observer is target or own_killed or me in wounded:
            base = felt(rung, own_killed, perception.casualty_weight)
            hit_self = True
        elif target.sponsor is observer:
            base = perception.proxy_solidarity * felt(rung, killed.get(target.actor_id, 0), perception.casualty_weight)
            hit_self = False
        else:
            continue
        severity = max(0.0, base + perception.noise_sd * normal()) if perception.noise_sd else base
        blamed = _culprits(model, act, observer, random)
        delay = 0 if act.claimed else perception.attribution_delay_days
        for culprit, p, share in blamed:
            laid = Blame(
                observer.index, culprit.index, severity * share, rung, own_killed, p, hit_self, act.key, verbal
            )
            if delay:
                laid.due = model.day + delay
                model.late_blame.append(laid)
            else:
                if laid.share > max(observer.outstanding):
                    hazards.rouse(observer)  # a blow beyond all unanswered: preparing its answer starts today
                blame(observer, laid)
                hazards.heard(observer, culprit.index)  # answering it is news today
        if observer is target:
            blamed_by_target = "+".join([c.actor_id for c, _, _ in blamed]) or "unknown"
            if delay and blamed:
                blamed_by_target = f"pending ({delay} days): {blamed_by_target}"
        feel(observer, rung, severity, own_killed, perception.casualty_weight)
    return blamed_by_target


def _violation(
    observer: ActorState, actor: ActorState, rung: int, sensitivity: float, weight: float, own_killed: int, key: str
) -> None:
    """Force on a host's soil: its sovereignty grievance against the actor."""
    violation = sensitivity * felt(rung, own_killed, weight)
    if violation > 0:
        if violated(observer, observer.violations, actor.index, violation, rung, key):
            hazards.rouse(observer)
        hazards.heard(observer, actor.index)


Blamed = list[tuple["ActorState", float, float]]  # (culprit, belief, share of the severity)


def _culprits(model: World, act: Act, observer: ActorState, random: Callable[[], float]) -> Blamed:
    """Whom the observer blames: (culprit, belief, share of the severity). A front's claim spreads the blame
    over every militia of the same sponsor, each believed responsible with 1/n of the attribution."""
    actor = act.actor
    assert actor is not None
    perception = observer.perception
    blamed: list[tuple[ActorState, float, float]] = []
    sponsor = actor.sponsor
    if act.claimed:
        blamed.append((actor, 1.0, 1.0))
    elif act.front is not None and sponsor is not None:
        suspects = [a for a in model.actors if a.sponsor is sponsor and a is not observer]
        p = perception.attribution / len(suspects)
        for suspect in suspects:
            if random() < perception.attribution:
                blamed.append((suspect, p, 1.0 / len(suspects)))
    elif random() < perception.attribution:
        blamed.append((actor, perception.attribution, 1.0))
    deniable = not act.claimed and sponsor is not None and sponsor is not observer
    if deniable and random() < perception.sponsor_attribution:
        # a sponsor is blamed for its proxy's act in proportion to the belief that it is behind it
        blamed.append((sponsor, perception.sponsor_attribution, perception.sponsor_attribution))
    return blamed


def blame(observer: Memory, laid: Blame) -> None:
    """Lay an act at a culprit's door: it enters the observer's unanswered severity and grievance (the observer's
    own memory, or the supposed view of a forecast, minds/anticipation.py)."""
    j, share, own_killed, verbal = laid.culprit, laid.share, laid.own_killed, laid.verbal
    # deaths in acts not yet answered are remembered: a later harmless act does not erase them
    observer.last_killed[j] = own_killed if observer.outstanding[j] == 0.0 else max(observer.last_killed[j], own_killed)
    # words make a words-only grievance, answered by words (docs 5a); any deed makes it a deed's
    # words after an unanswered deed (the threat voicing a clash, docs/model.md 5a) do not displace it as the act
    # to answer: the latest rung stays the deed's unless the words climb higher
    voiced = verbal and observer.outstanding[j] > 0.0 and not observer.words_only[j]
    observer.words_only[j] = verbal and (observer.outstanding[j] == 0.0 or observer.words_only[j])
    observer.outstanding[j] = max(observer.outstanding[j], share)
    observer.grievance[j] += share
    if not voiced or laid.rung > observer.last_rung[j]:
        observer.last_rung[j] = laid.rung
        observer.last_act_of[j] = laid.key
    observer.last_attribution[j] = laid.p
    observer.conciliatory[j] = False
    if laid.hit_self:
        observer.own_hit[j] = True


def arrive_blame(model: World) -> None:
    """Investigations concluded today: their blame enters the observers' grievances now."""
    due = [b for b in model.late_blame if b.due <= model.day]
    if due:
        model.late_blame = [b for b in model.late_blame if b.due > model.day]
        for laid in due:
            observer = model.actors[laid.observer]
            if laid.share > max(observer.outstanding):
                hazards.rouse(observer)
            blame(observer, laid)
            hazards.heard(observer, laid.culprit)


def accidents(model: World) -> None:
    """Each actor on alert may have an accident today (hazard `accident_rate x alert^2`, docs section 5)."""
    for actor in model.actors:
        hazard = actor.accident_hazard()
        if hazard > 0.0 and model.random.random() < hazard:
            assert model.accident_key is not None  # the scenario checks this for accident-prone actors
            action = model.ladder[model.accident_key]
            killed = int(model.rng.negative_binomial(action.killed_dispersion, nb_p(action)))
            reason = f"accident under alert {actor.alert:.2f} (daily hazard {hazard:.4f})"
            model.record(
                Act(actor, model.accident_key, action, killed={"civilians": killed}, probability=hazard, reason=reason)
            )
            after_accident(actor)


def after_accident(actor: ActorState) -> None:
    """An accident under alert costs legitimacy and makes the actor more careful, and stands forces down."""
    actor.legitimacy_cost += 0.5
    actor.cost_sensitivity = min(1.0, actor.cost_sensitivity + 0.1)
    actor.alert *= 0.5
