"""The host as a player (docs/model.md section 5c): access to its soil, its diplomacy, its patrons' pressure.

A patron's forces stand on a host's soil by the host's leave (Cooley 2008; Lake 2009). Each actor keeps, per
host, the share of its `access` left (1 at the start). The host's stages of expulsion (withdrawal demand,
restriction, expulsion) each remove the action's `access_cut` of what is left; access recovers toward 1 with
the host's `access_half_life_days` (restored by negotiation). Force aimed at a target standing on the host's
soil is scaled by the access left, whatever rule chose it (`limit_access`, where the policy becomes
probabilities). A patron may pressure the host (`pressure_host`): that raises the government's cost of acting
against it (Putnam 1988: the patron plays at the host's table). A host's messages and mediation ease the
unanswered grievances between its partners. A passed message is a channel message (signals.relay): the host relays
each other partner's assurance on the lines it carries (a channel's `host`), with their delay and reliability,
into the receiver's beliefs and grievance, and has the option only toward an actor such a line reaches.
Mediation is the host's own offer, not a message of either side: it eases both partners' grievances by `EASED`.
Its request for restraint works as any conciliatory act (it halves the grievances between host and patron) and
cuts no access, since it binds no one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario import Action

if TYPE_CHECKING:
    from ..state.actor import ActorState, HostState, Memory
    from ..state.records import Act
    from ..state.world import World

PRESSURE_STEP = 0.5  # pressure a patron's threat adds; decays with the host's grievance half-life
EASED = 0.5  # share of an unanswered grievance mediation lets go, as a conciliatory act does


def limit_access(actor: ActorState, probs: list[float]) -> None:
    """Scale force on a host's soil by the access the actor has left there (mass removed goes to hold)."""
    access = actor.host.access
    hold = actor.hold_index
    for opt in actor.options:
        soil = opt.on_soil_of
        if soil >= 0 and opt.force and access[soil] < 1.0 and probs[opt.index]:
            removed = probs[opt.index] * (1.0 - access[soil])
            probs[opt.index] -= removed
            probs[hold] += removed


def host_effect(model: World, actor: ActorState, target: ActorState, action: Action) -> None:
    """What a host's act (or a patron's pressure on it) does besides being perceived."""
    if action.access_cut > 0.0:  # the actor is the host: the target's access to its soil shrinks
        left = target.host.access[actor.index] * (1.0 - action.access_cut)
        target.host.access[actor.index] = left if left > 1e-9 else 0.0
        target.host.access_limited = True
    effect = action.effect
    if effect == "pressure_host":  # the actor is the patron, the target the host it stands in
        press(target.host, actor.index)
    elif effect == "mediate":
        partners = [model.by_id[p] for p in actor.spec.partners if p != target.actor_id]
        for other in partners:
            target.outstanding[other.index] *= EASED
            other.outstanding[target.index] *= EASED


def end_of_day(model: World, actor: ActorState) -> None:
    """Access recovers toward 1 with each host's half-life; pressure on this actor (as host) fades."""
    if actor.host.access_limited:
        limited = False
        for h, left in enumerate(actor.host.access):
            if left < 1.0:
                left = 1.0 - (1.0 - left) * model.actors[h].host.access_decay
                if left > 0.999:
                    left = 1.0
                else:
                    limited = True
                actor.host.access[h] = left
        actor.host.access_limited = limited
    fade_pressure(actor.host, actor.grievance_decay)


def press(host: HostState, patron: int) -> None:
    """A patron's public pressure on its host: the one rule for the host and the public estimate of it."""
    host.pressure_on[patron] = min(1.0, host.pressure_on[patron] + PRESSURE_STEP)
    host.pressured = True


def fade_pressure(host: HostState, decay: float) -> None:
    """The patrons' pressure on a host fades a day at `decay` (the host's grievance rate, or the estimate's)."""
    if host.pressured:
        pressure = host.pressure_on
        for i, value in enumerate(pressure):
            pressure[i] = value * decay if value > 0.01 else 0.0
        host.pressured = any(pressure)


def violated_host(act: Act, target: ActorState | None) -> str | None:
    """The host whose sovereignty an act violates: force on its soil (the act's recorded soil, else where its target
    is based) by a state, or by an armed group based elsewhere (one based on that soil challenges its authority at
    home, not its sovereignty against foreign powers); None for any other act. The one rule for the host and for
    the public estimate of it (minds/public.py)."""
    actor = act.actor
    if not act.action.force or actor is None:
        return None
    soil = act.soil
    if soil is None and target is not None:
        soil = target.spec.located_in
    if soil is None or (actor.spec.kind != "state" and actor.spec.located_in == soil):
        return None
    return soil


def violated(memory: Memory, violations: list[float], culprit: int, violation: float, rung: int, key: str) -> bool:
    """A sovereignty violation (> 0) entered in a host's memory, the one rule for the host and the public estimate
    of it (minds/public.py); returns whether it is beyond all it left unanswered (its clock is roused)."""
    beyond = violation > max(memory.outstanding)
    violations[culprit] += violation
    memory.outstanding[culprit] = max(memory.outstanding[culprit], violation)
    memory.last_rung[culprit] = rung
    memory.last_act_of[culprit] = key
    memory.last_attribution[culprit] = 1.0
    return beyond
