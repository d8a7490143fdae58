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

import math
from typing import TYPE_CHECKING

from ..rules import NO_TARGET, Option
from ..scenario import ORDER_EFFECTS
from ..state.ledgers import Order

if TYPE_CHECKING:
    from ..state.actor import ActorState
    from ..state.world import World

RESTRAIN, ATTACK = -1, 1


def proxy_wiring(model: World, actor: ActorState, actors: list[ActorState]) -> None:
    """For a sponsor: which of its order options reach which proxy, and whom each proxy may attack."""
    order_of = {opt.index: opt for opt in actor.options if model.ladder[opt.action].effect in ORDER_EFFECTS}
    actor.proxy.order_options = tuple(sorted(order_of))
    attack: dict[int, list[int]] = {}  # adversary index -> order_attack options of proxies that may attack it
    for opt in order_of.values():
        if model.ladder[opt.action].effect != "order_attack":
            continue
        proxy = actors[opt.target_index]
        for other in proxy.spec.adversaries:
            attack.setdefault(model.by_id[other].index, []).append(opt.index)
    actor.proxy.delegate = {j: tuple(ix) for j, ix in attack.items()}


def steer(actor: ActorState, probs: list[float]) -> None:
    """Apply orders, truces and delegation to a policy's probabilities, in place (mass removed goes to hold)."""
    hold = actor.hold_index
    options = actor.options
    if actor.proxy.order_options and not actor.rule.gives_orders:  # a learned rule aims its orders itself
        for i in actor.proxy.order_options:  # orders are given by delegation or by a player, not by a rule's aim
            probs[hold] += probs[i]
            probs[i] = 0.0
        if actor.proxy.delegate:
            _delegate(actor, probs)
    if actor.proxy.ordered == RESTRAIN:
        for opt in options:
            if opt.hostile and opt.target_index >= 0 and probs[opt.index] and _attack(opt):
                probs[hold] += probs[opt.index]
                probs[opt.index] = 0.0
    elif actor.proxy.ordered == ATTACK:
        _obey_attack(actor, probs)
    if actor.proxy.suspended_count:
        keep_truce(actor, probs)


def keep_truce(actor: ActorState, probs: list[float]) -> None:
    """A militia's truce: no hostile act toward an adversary it suspended operations against (mass to hold)."""
    hold = actor.hold_index
    suspended = actor.proxy.suspended
    for opt in actor.options:
        if opt.hostile and opt.target_index >= 0 and suspended[opt.target_index] and probs[opt.index]:
            probs[hold] += probs[opt.index]
            probs[opt.index] = 0.0


def _attack(opt: Option) -> bool:
    """An act a hold-fire order forbids: force, or a proxy action (a siege)."""
    return opt.force or opt.group == "proxy"


def _delegate(actor: ActorState, probs: list[float]) -> None:
    """Move the mass of force against an adversary who has not hit the sponsor itself to ordering its proxies."""
    own_hit = actor.own_hit
    delegate = actor.proxy.delegate
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


def _obey_attack(actor: ActorState, probs: list[float]) -> None:
    """An obeyed attack order: the day's chance of attacking the named adversary is at least the proxy's
    readiness (1 / decision lag), split evenly over its force options against it."""
    aim = actor.proxy.ordered_aim
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


def send_order(model: World, sponsor: ActorState, proxy: ActorState, effect: str) -> None:
    """Queue an order: to hold fire, or to attack the sponsor's most pressing adversary the proxy may attack."""
    kind = RESTRAIN if effect == "order_restraint" else ATTACK
    aim = NO_TARGET
    if kind == ATTACK:
        allowed = [model.by_id[a].index for a in proxy.spec.adversaries]
        aim = max(allowed, key=lambda j: sponsor.outstanding[j] + sponsor.grievance[j], default=NO_TARGET)
    model.orders.append(Order(model.day + proxy.spec.order_lag_days, sponsor.index, proxy.index, kind, aim))


def deliver_orders(model: World) -> None:
    """Orders due today reach their proxies; each is obeyed with probability equal to the proxy's control."""
    due = [o for o in model.orders if o.due <= model.day]
    if not due:
        return
    model.orders = [o for o in model.orders if o.due > model.day]
    for order in due:
        militia = model.actors[order.proxy]
        state = militia.proxy
        if model.random.random() < state.control:
            state.ordered = order.kind
            state.ordered_aim = order.aim
            state.ordered_days = militia.spec.order_days
            word = "hold fire" if order.kind == RESTRAIN else f"attack {model.actor_ids[order.aim]}"
            militia.last_reason = (
                f"obeying {model.actor_ids[order.sponsor]}'s order to {word} (control {state.control:.2f})"
            )


def restrain_proxies(model: World, sponsor: ActorState, adversary: int) -> list[tuple[str, str]]:
    """A sponsor that declares an exchange over orders its proxies fighting that adversary to hold fire: a
    declaration of calm is only credible if the proxies keep it (Byman 2005). Returns (action, proxy) sent."""
    sent = []
    for i in sponsor.proxy.order_options:
        opt = sponsor.options[i]
        if model.ladder[opt.action].effect != "order_restraint":
            continue
        proxy = model.actors[opt.target_index]
        if model.actor_ids[adversary] in proxy.spec.adversaries:
            send_order(model, sponsor, proxy, "order_restraint")
            sent.append((opt.action, proxy.actor_id))
    return sent


def lose_liaison(proxy: ActorState) -> None:
    """The commander tying the militia to its sponsor is killed: control drops by its `liaison_loss`."""
    proxy.proxy.control = lost_liaison(proxy.proxy.control, proxy.spec.liaison_loss)  # (the militia's ProxyState)


def lost_liaison(control: float, loss: float) -> float:
    """A militia's control once its liaison is killed: the one rule for the militia and the public estimate."""
    return control * (1.0 - loss)


def recover(control: float, base: float, decay: float) -> float:
    """A day of control recovering toward its base (the militia's and the public estimate's)."""
    return base + (control - base) * decay


def restraint_signal(most: float) -> float:
    """A sponsor's wish for calm, from the largest unanswered severity it holds: exp(-most / 5), 1 if none."""
    return math.exp(-most / 5.0) if most else 1.0


def suspend(actor: ActorState, target: ActorState) -> None:
    """A militia announces a suspension of operations toward `target`, kept for its `suspension_days`."""
    if not actor.proxy.suspended[target.index]:
        actor.proxy.suspended_count += 1
    actor.proxy.suspended[target.index] = actor.spec.suspension_days


def break_truce(actor: ActorState, by: int) -> None:
    """Force used on a militia by the addressee of its truce ends the truce."""
    if actor.proxy.suspended and actor.proxy.suspended[by]:
        actor.proxy.suspended[by] = 0
        actor.proxy.suspended_count -= 1


def end_of_day(actor: ActorState) -> None:
    """Control recovers toward its base, orders and truces run down."""
    base = actor.spec.sponsor_control
    if actor.proxy.control != base:
        actor.proxy.control = recover(actor.proxy.control, base, actor.proxy.control_decay)
    if actor.proxy.ordered_days:
        actor.proxy.ordered_days -= 1
        if actor.proxy.ordered_days == 0:
            actor.proxy.ordered = 0
    if actor.proxy.suspended_count:
        suspended = actor.proxy.suspended
        for i, days in enumerate(suspended):
            if days:
                suspended[i] = days - 1
                if days == 1:
                    actor.proxy.suspended_count -= 1
