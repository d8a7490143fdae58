"""What an actor can do: its options, each capability of the ladder against each legitimate target.

Built once per run when the model starts (an actor's options never change during a run); the expected deaths of
a salvo count the warning the channels allow (harm.py). `ActorState` reads the result as plain attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import NO_TARGET, Option
from ..scenario import HOST_EFFECTS, ORDER_EFFECTS, Action, Actor
from ..state.actor import Menu
from . import hazards, proxies
from .channels import route
from .harm import expected_deaths
from .signals import RELAYED

if TYPE_CHECKING:
    from ..state.actor import ActorState
    from ..state.world import World


def build_menu(model: World, actor: ActorState, ladder: dict[str, Action], actors: list[ActorState]) -> Menu:
    """What this actor can do in the run: each capability against each legitimate target, with what the model
    reads of it. Called once per actor when the model starts; also sets a sponsor's routes to its proxies and a
    host's dependence on its patrons (their records are filled from the menu)."""
    options, justification = enumerate_options(model, actor, ladder, actors)
    targetable = [False] * len(actors)
    for o in options:
        if o.hostile and o.target_index >= 0:
            targetable[o.target_index] = True
    menu = Menu(
        options=options,
        justification=justification,
        cooldown_of=tuple(ladder[o.action].cooldown_days for o in options),
        hold_index=next(o.index for o in options if o.action == "hold"),
        targetable=tuple(targetable),
    )
    actor.set_menu(menu, tuple(a.actor_id for a in actors))
    hazards.classify(actor, ladder)
    actor.host.dependence[:] = [actor.spec.dependence.get(a.actor_id, 0.0) for a in actors]
    proxies.proxy_wiring(model, actor, actors)
    return menu


# Options by scenario and actor: they depend on nothing else (the scenario is frozen, the lines are built from
# it), so runs of one scenario object share them, and with them the caches keyed by their identity (rules/aiming).
_BUILT: dict[int, tuple[object, dict[int, tuple[tuple[Option, ...], str | None]]]] = {}


def enumerate_options(
    model: World, actor: ActorState, ladder: dict[str, Action], actors: list[ActorState]
) -> tuple[tuple[Option, ...], str | None]:
    """(options, the action that justifies force or None), built once per scenario object and actor."""
    scenario = model.crisis
    if ladder is not scenario.actions:  # a ladder of its own: nothing to share
        return _enumerate(model, actor, ladder, actors)
    cached = _BUILT.get(id(scenario))
    if cached is None or cached[0] is not scenario:
        if len(_BUILT) >= 64:
            _BUILT.clear()
        cached = _BUILT[id(scenario)] = (scenario, {})
    found = cached[1].get(actor.index)
    if found is None:
        found = cached[1][actor.index] = _enumerate(model, actor, ladder, actors)
    return found


def _enumerate(
    model: World, actor: ActorState, ladder: dict[str, Action], actors: list[ActorState]
) -> tuple[tuple[Option, ...], str | None]:
    spec = actor.spec
    ids = [a.actor_id for a in actors]
    options: list[Option] = []
    justification = None
    for key in spec.capabilities:
        action = ladder[key]
        if not action.chosen:
            continue
        if action.justifies:
            justification = key
            continue
        if "none" in action.targets and not action.private:
            options.append(make_option(model, actor, len(options), key, action, None, ids))
        allowed = addressees(actor, action, actors)
        for other in allowed:
            kind = actors[ids.index(other)].kind
            message = action.message or ""
            if action.private and route(model.lines, actor.index, ids.index(other), message) is None:
                continue  # no open channel carries this message to that actor
            if action.effect == "pass_message" and not relays(model, actor, ids.index(other), ids):
                continue  # the host carries no line to that actor from another of its partners
            if kind in action.targets:
                options.append(make_option(model, actor, len(options), key, action, other, ids))
    return tuple(options), justification


def addressees(actor: ActorState, action: Action, actors: list[ActorState]) -> list[str]:
    """Whom an action may be aimed at: orders go to one's own proxies, a host's diplomacy to its partners,
    pressure to the host one stands in; hostile acts to adversaries, conciliation to partners too."""
    spec = actor.spec
    if action.effect in ORDER_EFFECTS:
        return [a.actor_id for a in actors if a.spec.sponsor == actor.actor_id]
    if action.effect in HOST_EFFECTS:
        return list(dict.fromkeys(spec.partners + spec.adversaries))
    if action.effect == "pressure_host":
        return [spec.located_in] if spec.located_in is not None else []
    allowed = spec.adversaries if action.is_hostile or action.rung >= 0 else spec.adversaries + spec.partners
    return list(dict.fromkeys(allowed))  # an adversary may also be a partner: one option each


def make_option(
    model: World, actor: ActorState, index: int, key: str, action: Action, target: str | None, ids: list[str]
) -> Option:
    target_index = ids.index(target) if target is not None else NO_TARGET
    soil = NO_TARGET
    expected_killed = action.killed_mean
    if target is not None and action.force:
        spec = model.crisis.actors[target]
        host = spec.located_in
        soil = ids.index(host) if host is not None else NO_TARGET
        if action.salvo:
            expected_killed = salvo_deaths(model, actor, action, ids.index(target), spec)
    return Option(
        index=index,
        action=key,
        target=target,
        target_index=target_index,
        rung=action.rung,
        hostile=action.is_hostile,
        force=action.force,
        group=action.group,
        expected_killed=expected_killed,
        on_soil_of=soil,
        words=action.in_words,
    )


def salvo_deaths(model: World, actor: ActorState, action: Action, target: int, spec: Actor) -> float:
    """Expected deaths of a salvo at the target's starting alert, warned as the channels allow (harm.py)."""
    alert = spec.traits.alert
    warned = warning_chance(model, actor.index, action, target)
    unwarned = expected_deaths(action, spec.defence, alert, False)
    if warned == 0.0:
        return unwarned
    if warned == 1.0:
        return expected_deaths(action, spec.defence, alert, True)
    return warned * expected_deaths(action, spec.defence, alert, True) + (1.0 - warned) * unwarned


def warning_chance(model: World, sender: int, action: Action, target: int) -> float:
    """Chance a strike's warning reaches its target in time to shelter: 1 if public; a private warning's
    line reliability if a line is open today with no delay (signals.warn); 0 otherwise."""
    if action.warning == "public":
        return 1.0
    if action.warning != "private":
        return 0.0
    line = route(model.lines, sender, target, "warning")
    if line is None or line.delay_days > 0:
        return 0.0
    return line.reliability


def relays(model: World, actor: ActorState, receiver: int, ids: list[str]) -> bool:
    """Whether a host carries an open line for a relayed message from another of its partners to `receiver`."""
    lines = model.lines
    others = [ids.index(p) for p in actor.spec.partners if ids.index(p) != receiver]
    return any(route(lines, p, receiver, RELAYED, actor.index) is not None for p in others)
