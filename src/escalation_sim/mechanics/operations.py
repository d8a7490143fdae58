"""Operations that last (docs/model.md section 1b; issue 18, item 2): started once, producing acts every day.

An actor that takes an action it runs as an operation (its `hazards.sustained`, or a spell in the record)
starts one: from the next day on the operation produces an act of that action against the target with
probability `tempo`, recorded under the operation's id, without a decision of its actor. While it runs, the
actor's options of the same class against the same target give their mass to holding (the operation is its
answer there). Its actor may change its tempo or target: on the record's dates before the branch, after it with
the daily hazard `1 / change_days`, choosing evenly among the moves open (`moves`). It stops at the record's end
(history), when its actor offers the target any de-escalation, or, after the branch, with the daily hazard
`1 / operation_days` (geometric length; both hazards priors for issue 19).

An occupation (ladder effect `occupation`) is held, not run: ground taken is kept until its holder is made or
paid to give it up (Altman 2017 on the fait accompli), so it neither stops nor changes of itself, an offer of talks
or a stand-down does not end it (the junta negotiated through Haig while it held the Falklands), only its actor's
concession (`concede`: forces withdrawn) to the target does; and it carries only itself, not every use of force
against the target (Argentina struck the fleet while it held the islands), nor is it carried by another
operation.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..rules import streams
from ..state.operations import Operation
from ..state.records import Act
from .hazards import action_class
from .perception import carry_out, casualties

if TYPE_CHECKING:
    from ..rules.view import Option
    from ..scenario import Action, Event
    from ..state.actor import ActorState
    from ..state.records import Record
    from ..state.world import World


CONCESSION = "concede"  # the one de-escalation that ends an occupation: forces withdrawn (data/ladder.yaml)
MIN_TEMPO = 1.0 / 30.0  # slower than an act a month is not an operation running: halving stops there
Move = tuple[float, str]  # (tempo, target) after a change


def moves(actor: ActorState, action: str, tempo: float, target: str) -> list[Move]:
    """The changes open to an operation's actor: double the tempo (below 1), halve it (down to MIN_TEMPO), or
    turn it on another actor it has that option against. The model has no theory yet of which way a change
    goes, so it chooses evenly among them (maximum entropy; a prior for issue 19 to replace)."""
    out: list[Move] = []
    if tempo < 1.0:
        out.append((min(1.0, 2.0 * tempo), target))
    if tempo / 2.0 >= MIN_TEMPO:
        out.append((tempo / 2.0, target))
    others = sorted({o.target for o in actor.options if o.action == action and o.target not in (None, target)})
    out.extend((tempo, other) for other in others if other is not None)
    return out


def held(action: Action) -> bool:
    """An occupation: held until conceded, neither stopped nor changed of itself (module docstring)."""
    return action.effect == "occupation"


def kind(before: Move, after: Move) -> str:
    """What a change did, as `moves` lists it: 'retarget', 'faster' or 'slower' (the score's choice term)."""
    if after[1] != before[1]:
        return "retarget"
    return "faster" if after[0] > before[0] else "slower"


def begin(
    model: World,
    actor: ActorState,
    action: str,
    target: str,
    tempo: float,
    op_id: str,
    end_day: int | None,
    origin: str,
    soil: str | None = None,
    claimed: bool = True,
) -> Operation:
    """Start an operation; the day's act (its start) has been carried out by the caller."""
    carries = _carries(model, actor, action, target)
    op = Operation(
        op_id, actor.index, action, target, tempo, model.day, end_day, origin, soil, claimed, carries=carries
    )
    model.operations.append(op)
    _carry(model, actor)
    return op


def change(model: World, op: Operation, tempo: float, target: str) -> None:
    """The actor sets a new tempo or target: the operation goes on under its id, carrying the options of its
    class against its (new) target."""
    actor = model.actors[op.actor]
    op.tempo, op.target = tempo, target
    op.carries = _carries(model, actor, op.action, target)
    op.changed.append((model.day, tempo, target))
    _carry(model, actor)


def _carries(model: World, actor: ActorState, action: str, target: str) -> tuple[int, ...]:
    """The actor's options an operation carries: those of its class against its target, an occupation apart
    (it carries only itself, and no other operation carries it: holding ground is a decision of its own, as
    Russia's occupation of Gori the day after its campaign ended, georgia2008 G10)."""
    if held(model.ladder[action]):
        return tuple(o.index for o in actor.options if o.target == target and o.action == action)
    cls = action_class(model.ladder[action])
    return tuple(
        o.index
        for o in actor.options
        if o.target == target and action_class(model.ladder[o.action]) == cls and not held(model.ladder[o.action])
    )


def _carry(model: World, actor: ActorState) -> None:
    actor.running = tuple(sorted({i for op in model.operations if op.actor == actor.index for i in op.carries}))


def end(model: World, op: Operation) -> None:
    """Stop an operation."""
    model.operations.remove(op)
    _carry(model, model.actors[op.actor])


def settle(model: World, actor: ActorState, target: str, action: str = CONCESSION) -> None:
    """The actor offered the target a de-escalation (`action`): its operations against it stop (before the
    branch, not a spell's: the record says how long it ran, as when an offer was refused and the fire went on);
    an occupation only on a concession."""
    replaying = model.day < model.branch_day
    for op in [op for op in model.operations if op.actor == actor.index and op.target == target]:
        if held(model.ladder[op.action]) and action != CONCESSION:
            continue
        if not (replaying and op.origin == "history"):
            end(model, op)


def stream_chance(actor: ActorState, option: Option) -> float:
    """The chance that the actor's chosen `option` starts a stream (hazards.streams, moved on the logit scale by
    `stream_slopes` times the covariates of rules/streams.py, read now, before the act is carried out); 0 where
    the action has no stream chance or runs as an operation anyway."""
    p = actor.streams.get(option.action, 0.0)
    if p <= 0.0 or option.target is None or actor.sustained.get(option.action):
        return 0.0
    if p >= 1.0 or not actor.stream_slopes:
        return p
    return streams.chance(math.log(p / (1.0 - p)), actor.stream_slopes, streams.covariates(actor, option))


def started(model: World, act: Act, record: Record, chance: float = 0.0) -> Record:
    """After an act the model's actor chose: if it runs that action as an operation, the operation starts; if
    not, it starts a stream of it with the `chance` read at the decision (`stream_chance`)."""
    actor = act.actor
    tempo = actor.sustained.get(act.key) if actor is not None else None
    if actor is not None and not tempo and act.target is not None and chance > 0.0:
        tempo = 1.0 if model.random.random() < chance else None  # a stream (hazards.streams)
    if actor is not None and tempo and act.target is not None:
        op_id = f"OP-{actor.actor_id}-{model.day}-{act.key}"
        begin(model, actor, act.key, act.target, tempo, op_id, None, act.origin, act.soil, act.claimed)
        record.reason = f"{record.reason}; starts operation {op_id} (tempo {tempo:.2f})"
    return record


def spell(model: World, event: Event, record: Record) -> Record:
    """After a recorded event was replayed: a spell's operation starts, to run through its end date."""
    if event.operation is not None and event.actor is not None and event.target is not None:
        end_day = (event.end_date - model.start_date).days if event.end_date is not None else None
        actor = model.by_id[event.actor]
        op = begin(
            model,
            actor,
            event.action,
            event.target,
            event.operation.tempo,
            event.id,
            end_day,
            "history",
            event.soil,
            event.claimed,
        )
        op.plan = tuple(((c.date - model.start_date).days, c.tempo, c.target) for c in event.operation.changes)
    return record


def tempo_of(model: World, op_id: str | None, otherwise: float) -> float:
    """The tempo of the running operation `op_id`: the probability of an act recorded as one of its acts."""
    return next((op.tempo for op in model.operations if op.op_id == op_id), otherwise) if op_id else otherwise


def _settled(model: World) -> None:
    """Operations whose actor offered their target a de-escalation yesterday stop."""
    for record in reversed(model.records):
        if record.day < model.day - 1:
            break
        if record.day == model.day - 1 and record.rung < 0 and record.target is not None:
            actor = model.by_id.get(record.actor or "")
            if actor is not None:
                settle(model, actor, record.target, record.action)


def withhold(actor: ActorState, probs: list[float]) -> None:
    """The options a running operation carries give their mass to holding: no new decision about them."""
    hold = actor.hold_index
    for i in actor.running:
        if probs[i]:
            probs[hold] += probs[i]
            probs[i] = 0.0


def run_day(model: World) -> None:
    """Each operation started before today: past its end it stops; it changes on the record's dates, or after
    the branch it may stop or change (its actor's hazards); then it produces an act with probability `tempo`."""
    if not model.operations:
        return
    _settled(model)
    branched = model.day >= model.branch_day
    for op in list(model.operations):
        if op.start_day >= model.day:
            continue
        actor = model.actors[op.actor]
        if not branched and op.end_day is not None and model.day > op.end_day:  # as the record has it
            end(model, op)
            continue
        if branched and not held(model.ladder[op.action]):  # its own stop or change: one draw, two hazards
            u = model.random.random()
            if u < actor.stop_hazard:
                end(model, op)
                continue
            if u < actor.stop_hazard + actor.change_hazard:
                options = moves(actor, op.action, op.tempo, op.target)
                if options:
                    change(model, op, *options[int(model.random.random() * len(options))])
        elif not branched:
            for day, tempo, target in op.plan:  # as the record has it
                if day == model.day:
                    change(model, op, tempo if tempo is not None else op.tempo, target or op.target)
        if model.random.random() >= op.tempo:
            continue
        action = model.ladder[op.action]
        if branched or op.origin != "history":
            killed, wounded = casualties(model, action, op.target)
        else:  # history's casualties are the record's (its single events), not drawn
            killed, wounded = {}, {}
        op.produced += 1
        changes = f", {len(op.changed)} change(s)" if op.changed else ""
        reason = f"operation {op.op_id} (tempo {op.tempo:.2f}, day {model.day - op.start_day + 1}{changes})"
        carry_out(
            model,
            Act(
                actor,
                op.action,
                action,
                op.target,
                killed,
                wounded,
                claimed=op.claimed,
                soil=op.soil,
                origin="operation",
                probability=op.tempo,
                reason=reason,
                event_id=op.op_id,
                front=actor.spec.front,
            ),
        )
