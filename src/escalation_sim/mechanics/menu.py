"""What an actor can do: its options, each capability of the ladder against each legitimate target.

Built once per run when the model starts (an actor's options never change during a run); the expected deaths of
a salvo count the warning the channels allow (harm.py). `CrisisActor` reads the result as plain attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import NO_TARGET, Option
from ..scenario import HOST_EFFECTS, ORDER_EFFECTS, Action, Actor
from . import proxies
from .channels import route
from .harm import expected_deaths
from .signals import RELAYED

if TYPE_CHECKING:
    from ..agents import CrisisActor


def build_options(self: CrisisActor, ladder: dict[str, Action], actors: list[CrisisActor]) -> None:
    """Enumerate what this actor can do: each capability against each legitimate target."""
    spec = self.spec
    ids = [a.actor_id for a in actors]
    options, self.justification = enumerate_options(self, ladder, actors)
    self.options = options
    self.cooldown_of = [ladder[o.action].cooldown_days for o in options]
    self.cooling = [0] * len(options)
    self.hold_index = next(o.index for o in options if o.action == "hold")
    self.others = tuple(ids)
    for o in options:
        if o.hostile and o.target_index >= 0:
            self.targetable[o.target_index] = True
    self.dependence = [spec.dependence.get(i, 0.0) for i in ids]
    proxies.proxy_wiring(self, actors)


# Options by scenario and actor: they depend on nothing else (the scenario is frozen, the lines are built from
# it), so runs of one scenario object share them, and with them the caches keyed by their identity (rules/aiming).
_BUILT: dict[int, tuple[object, dict[int, tuple[tuple[Option, ...], str | None]]]] = {}


def enumerate_options(
    self: CrisisActor, ladder: dict[str, Action], actors: list[CrisisActor]
) -> tuple[tuple[Option, ...], str | None]:
    """(options, the action that justifies force or None), built once per scenario object and actor."""
    scenario = self.model.crisis
    if ladder is not scenario.actions:  # a ladder of its own: nothing to share
        return _enumerate(self, ladder, actors)
    cached = _BUILT.get(id(scenario))
    if cached is None or cached[0] is not scenario:
        if len(_BUILT) >= 64:
            _BUILT.clear()
        cached = _BUILT[id(scenario)] = (scenario, {})
    found = cached[1].get(self.index)
    if found is None:
        found = cached[1][self.index] = _enumerate(self, ladder, actors)
    return found


def _enumerate(
    self: CrisisActor, ladder: dict[str, Action], actors: list[CrisisActor]
) -> tuple[tuple[Option, ...], str | None]:
    spec = self.spec
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
            options.append(make_option(self, len(options), key, action, None, ids))
        allowed = addressees(self, action, actors)
        for other in allowed:
            kind = actors[ids.index(other)].kind
            message = action.message or ""
            if action.private and route(self.model.lines, self.index, ids.index(other), message) is None:
                continue  # no open channel carries this message to that actor
            if action.effect == "pass_message" and not relays(self, ids.index(other), ids):
                continue  # the host carries no line to that actor from another of its partners
            if kind in action.targets:
                options.append(make_option(self, len(options), key, action, other, ids))
    return tuple(options), justification


def addressees(self: CrisisActor, action: Action, actors: list[CrisisActor]) -> list[str]:
    """Whom an action may be aimed at: orders go to one's own proxies, a host's diplomacy to its partners,
    pressure to the host one stands in; hostile acts to adversaries, conciliation to partners too."""
    spec = self.spec
    if action.effect in ORDER_EFFECTS:
        return [a.actor_id for a in actors if a.spec.sponsor == self.actor_id]
    if action.effect in HOST_EFFECTS:
        return list(dict.fromkeys(spec.partners + spec.adversaries))
    if action.effect == "pressure_host":
        return [spec.located_in] if spec.located_in is not None else []
    allowed = spec.adversaries if action.is_hostile or action.rung >= 0 else spec.adversaries + spec.partners
    return list(dict.fromkeys(allowed))  # an adversary may also be a partner: one option each


def make_option(self: CrisisActor, index: int, key: str, action: Action, target: str | None, ids: list[str]) -> Option:
    target_index = ids.index(target) if target is not None else NO_TARGET
    soil = NO_TARGET
    expected_killed = action.killed_mean
    if target is not None and action.force:
        spec = self.model.crisis.actors[target]
        host = spec.located_in
        soil = ids.index(host) if host is not None else NO_TARGET
        if action.salvo:
            expected_killed = salvo_deaths(self, action, ids.index(target), spec)
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
    )


def salvo_deaths(self: CrisisActor, action: Action, target: int, spec: Actor) -> float:
    """Expected deaths of a salvo at the target's starting alert, warned as the channels allow (harm.py)."""
    alert = spec.traits.alert
    unwarned = expected_deaths(action, spec.defence, alert, False)
    if action.warning == "public":
        return expected_deaths(action, spec.defence, alert, True)
    line = route(self.model.lines, self.index, target, "warning") if action.warning == "private" else None
    if line is None or line.delay_days > 0:
        return unwarned
    warned = expected_deaths(action, spec.defence, alert, True)
    return line.reliability * warned + (1.0 - line.reliability) * unwarned


def relays(self: CrisisActor, receiver: int, ids: list[str]) -> bool:
    """Whether a host carries an open line for a relayed message from another of its partners to `receiver`."""
    lines = self.model.lines
    others = [ids.index(p) for p in self.spec.partners if ids.index(p) != receiver]
    return any(route(lines, p, receiver, RELAYED, self.index) is not None for p in others)
