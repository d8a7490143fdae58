"""Proxies under orders (docs/model.md section 5b): a sponsor's control, its private orders, delegation, truces.

A militia's obedience is a state, `control`, that starts at its `sponsor_control`, drops when the liaison who
ties it to the sponsor is killed and recovers with a half-life (Jordan 2009; Berman & Lake 2019). A sponsor
speaks to its proxies by private order (`order_restraint`, `order_attack`): the order travels for the proxy's
`order_lag_days` and is obeyed, on arrival, with probability equal to the control then (Salehyan 2010: the
principal cannot fully monitor its agent). An obeyed order binds for `order_days`. A sponsor whose grievance
against an adversary comes only from attacks on its proxy answers through the proxy, by ordering attacks,
rather than striking that adversary itself (Byman 2005; Salehyan 2010). A militia's announced suspension of
operations toward one adversary is kept, unless that adversary uses force on it first.

Everything here acts where the rule's policy becomes probabilities (`steer`), so it holds whatever rule an
actor uses. Every draw comes from the model's generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..rules import NO_TARGET, Option
from ..scenario import ORDER_EFFECTS

if TYPE_CHECKING:
    from ..agents import CrisisActor
    from ..model import EscalationModel

RESTRAIN, ATTACK = -1, 1


@dataclass(slots=True)
class Order:
    """A sponsor's private order on its way to a proxy."""

    due: int  # model day it arrives
    sponsor: CrisisActor
    proxy: CrisisActor
    kind: int  # RESTRAIN or ATTACK
    aim: int  # actor index of the adversary to attack (ATTACK), or NO_TARGET


def init_state(actor: CrisisActor, n_actors: int) -> None:
    """A militia's control, orders in force and truces; a sponsor's routes to its proxies (set by wiring)."""
    spec = actor.spec
    actor.control = spec.sponsor_control
    actor.control_decay = 0.5 ** (1.0 / spec.control_half_life_days)
    actor.ordered, actor.ordered_aim, actor.ordered_days = 0, NO_TARGET, 0
    actor.suspended = [0] * n_actors  # days a truce toward each actor still runs
    actor.suspended_count = 0
    actor.order_options = ()
    actor.delegate = {}


def proxy_wiring(actor: CrisisActor, actors: list[CrisisActor]) -> None:
    """For a sponsor: which of its order options reach which proxy, and whom each proxy may attack."""
    order_of = {opt.index: opt for opt in actor.options if actor.model.ladder[opt.action].effect in ORDER_EFFECTS}
    actor.order_options = tuple(sorted(order_of))
    attack: dict[int, list[int]] = {}  # adversary index -> order_attack options of proxies that may attack it
    for opt in order_of.values():
        if actor.model.ladder[opt.action].effect != "order_attack":
            continue
        proxy = actors[opt.target_index]
        for other in proxy.spec.adversaries:
            attack.setdefault(actor.model.by_id[other].index, []).append(opt.index)
    actor.delegate = {j: tuple(ix) for j, ix in attack.items()}


def steer(actor: CrisisActor, probs: list[float]) -> None:
    """Apply orders, truces and delegation to a policy's probabilities, in place (mass removed goes to hold)."""
    hold = actor.hold_index
    options = actor.options
    if actor.order_options:
        for i in actor.order_options:  # orders are given by delegation or by a player, not by a rule's aim
            probs[hold] += probs[i]
            probs[i] = 0.0
        if actor.delegate:
            _delegate(actor, probs)
    if actor.ordered == RESTRAIN:
        for opt in options:
            if opt.hostile and opt.target_index >= 0 and probs[opt.index] and _attack(opt):
                probs[hold] += probs[opt.index]
                probs[opt.index] = 0.0
    elif actor.ordered == ATTACK:
        _obey_attack(actor, probs)
    if actor.suspended_count:
        suspended = actor.suspended
        for opt in options:
            if opt.hostile and opt.target_index >= 0 and suspended[opt.target_index] and probs[opt.index]:
                probs[hold] += probs[opt.index]
                probs[opt.index] = 0.0


def _attack(opt: Option) -> bool:
    """An act a hold-fire order forbids: force, or a proxy action (a siege)."""
    return opt.force or opt.group == "proxy"


def _delegate(actor: CrisisActor, probs: list[float]) -> None:
    """Move the mass of force against an adversary who has not hit the sponsor itself to ordering its proxies."""
    own_hit = actor.own_hit
    delegate = actor.delegate
    for opt in actor.options:
        j = opt.target_index
        p = probs[opt.index]
        if p and opt.force and j >= 0 and not own_hit[j]:
            routes = delegate.get(j)
            if routes:
                probs[opt.index] = 0.0
                share = p / len(routes)
                for i in routes:
                    probs[i] += share


def _obey_attack(actor: CrisisActor, probs: list[float]) -> None:
    """An obeyed attack order: the day's chance of attacking the named adversary is at least the proxy's
    readiness (1 / decision lag), split evenly over its force options against it."""
    aim = actor.ordered_aim
    targets = [opt.index for opt in actor.options if opt.target_index == aim and opt.hostile and opt.force]
    if not targets:
        return
    have = sum(probs[i] for i in targets)
    extra = min(actor.readiness - have, probs[actor.hold_index])
    if extra > 0.0:
        probs[actor.hold_index] -= extra
        for i in targets:
            probs[i] += extra / len(targets)


# --- orders on their way, control, truces -------------------------------------------------------------------


def send_order(model: EscalationModel, sponsor: CrisisActor, proxy: CrisisActor, effect: str) -> None:
    """Queue an order: to hold fire, or to attack the sponsor's most pressing adversary the proxy may attack."""
    kind = RESTRAIN if effect == "order_restraint" else ATTACK
    aim = NO_TARGET
    if kind == ATTACK:
        allowed = [model.by_id[a].index for a in proxy.spec.adversaries]
        aim = max(allowed, key=lambda j: sponsor.outstanding[j] + sponsor.grievance[j], default=NO_TARGET)
    model.orders.append(Order(model.day + proxy.spec.order_lag_days, sponsor, proxy, kind, aim))


def deliver_orders(model: EscalationModel) -> None:
    """Orders due today reach their proxies; each is obeyed with probability equal to the proxy's control."""
    due = [o for o in model.orders if o.due <= model.day]
    if not due:
        return
    model.orders = [o for o in model.orders if o.due > model.day]
    for order in due:
        proxy = order.proxy
        if model.random.random() < proxy.control:
            proxy.ordered = order.kind
            proxy.ordered_aim = order.aim
            proxy.ordered_days = proxy.spec.order_days
            word = "hold fire" if order.kind == RESTRAIN else f"attack {model.actor_ids[order.aim]}"
            proxy.last_reason = f"obeying {order.sponsor.actor_id}'s order to {word} (control {proxy.control:.2f})"


def restrain_proxies(model: EscalationModel, sponsor: CrisisActor, adversary: int) -> list[tuple[str, str]]:
    """A sponsor that declares an exchange over orders its proxies fighting that adversary to hold fire: a
    declaration of calm is only credible if the proxies keep it (Byman 2005). Returns (action, proxy) sent."""
    sent = []
    for i in sponsor.order_options:
        opt = sponsor.options[i]
        if model.ladder[opt.action].effect != "order_restraint":
            continue
        proxy = model.actors[opt.target_index]
        if model.actor_ids[adversary] in proxy.spec.adversaries:
            send_order(model, sponsor, proxy, "order_restraint")
            sent.append((opt.action, proxy.actor_id))
    return sent


def lose_liaison(proxy: CrisisActor) -> None:
    """The commander tying the militia to its sponsor is killed: control drops by its `liaison_loss`."""
    proxy.control *= 1.0 - proxy.spec.liaison_loss


def suspend(actor: CrisisActor, target: CrisisActor) -> None:
    """A militia announces a suspension of operations toward `target`, kept for its `suspension_days`."""
    if not actor.suspended[target.index]:
        actor.suspended_count += 1
    actor.suspended[target.index] = actor.spec.suspension_days


def break_truce(actor: CrisisActor, by: int) -> None:
    """Force used on a militia by the addressee of its truce ends the truce."""
    if actor.suspended and actor.suspended[by]:
        actor.suspended[by] = 0
        actor.suspended_count -= 1


def end_of_day(actor: CrisisActor) -> None:
    """Control recovers toward its base, orders and truces run down."""
    base = actor.spec.sponsor_control
    if actor.control != base:
        actor.control = base + (actor.control - base) * actor.control_decay
    if actor.ordered_days:
        actor.ordered_days -= 1
        if actor.ordered_days == 0:
            actor.ordered = 0
    if actor.suspended_count:
        suspended = actor.suspended
        for i, days in enumerate(suspended):
            if days:
                suspended[i] = days - 1
                if days == 1:
                    actor.suspended_count -= 1
