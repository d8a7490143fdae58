"""Decision hazards with refractoriness (docs/model.md section 1a; issue 18, item 1).

An actor's chance of acting in an action class today is what its rule gives times the class's recovery W_c(tau),
tau the days since the later of its last own act of that class and the provocation it answers (state/clock.py,
scenario/hazards.py). The mass taken away goes to holding: a strike not yet prepared is not replaced by a
statement. Acts discharge a share of the grievance they answer; a host's sovereignty grievance fades with a
half-life and is discharged by its answers. Statements answer the news: the rule's own statements answering an
actor scale by what is left of that actor's latest act as news (`attend`, section 1a).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario.hazards import CLASSES
from ..state.clock import FAR

if TYPE_CHECKING:
    from typing import Protocol

    from ..scenario import Action
    from ..state.actor import ActorState
    from ..state.clock import Clock

    class Gated(Protocol):
        """What `attend` and `refract` read of an actor besides a clock: an actor, or a believer's view of it."""

        outstanding: list[float]
        hold_index: int
        clock: Clock


WORDS, FORCE, OPERATIONS, DIPLOMACY = range(len(CLASSES))
NO_CLASS = -1


_CLASSES: dict[int, tuple[Action, int]] = {}  # id(action) -> (action, its class): asked for on every act


def action_class(action: Action) -> int:
    """The class of an action: diplomacy below rung 0, force, words (statements, signals up to rung 2), or
    operations (deployments, sanctions, sieges, orders, a host's restrictions); holding and acts nobody chooses
    have none. Remembered per action object (a ladder's actions are frozen; the entry keeps it alive)."""
    known = _CLASSES.get(id(action))
    if known is not None and known[0] is action:
        return known[1]
    if len(_CLASSES) > 4096:
        _CLASSES.clear()
    c = _CLASSES[id(action)] = (action, _class_of(action))
    return c[1]


def _class_of(action: Action) -> int:
    if not action.chosen or action.rung == 0:
        return NO_CLASS
    if action.rung < 0:
        return DIPLOMACY
    if action.force:
        return FORCE
    if action.verbal or action.justifies or (action.group == "signal" and action.rung <= 2):
        return WORDS
    return OPERATIONS


def classify(actor: ActorState, ladder: dict[str, Action]) -> None:
    """The actor's option classes, once its menu is built (mechanics/menu.py), and its statements (the
    words-channel options of the words class above rung 0 and of diplomacy, aimed at an actor), which answer
    the news."""
    clock = actor.clock
    clock.class_of = tuple(action_class(ladder[o.action]) for o in actor.options)
    clock.slowed_by_mask = slowed_by_mask(clock.class_of)
    if clock.news_table or clock.news_floor < 1.0:
        clock.answers = tuple(
            (o.index, o.target_index)
            for o, c in zip(actor.options, clock.class_of, strict=True)
            if o.words and o.target_index >= 0 and ((c == WORDS and o.rung > 0) or c == DIPLOMACY)
        )


def slowed_by_mask(class_of: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """For each mask of recovering classes (bit c: class c), the options of those classes in option order: what
    `refract` scales, looked up when the mask changes rather than rebuilt (built once per clock, with its menu)."""
    return tuple(
        tuple(i for i, c in enumerate(class_of) if c >= 0 and mask >> c & 1) for mask in range(1 << len(CLASSES))
    )


def _refresh(clock: Clock, advance: bool = False) -> None:
    """Today's factor per class from its table, and the options of the classes still recovering (`refract`);
    with `advance`, the clocks first move on a day (`end_of_day`)."""
    roused = clock.roused
    if advance and roused < FAR:
        roused = clock.roused = roused + 1
    since = clock.since
    factor = clock.factor
    mask = 0
    bit = 1
    for c, table in enumerate(clock.tables):
        tau = since[c]
        if advance and tau < FAR:
            tau = since[c] = tau + 1
        if roused < tau:
            tau = roused
        if tau < len(table):
            w = factor[c] = table[tau]
            if w < 1.0:
                mask |= bit
        else:
            factor[c] = 1.0
        bit <<= 1
    clock.recovering = mask != 0
    if mask != clock.slow_mask:
        clock.slow_mask = mask
        by_mask = clock.slowed_by_mask  # empty for a clock not classified with a menu (a public estimate's)
        if by_mask:
            clock.slowed = by_mask[mask]
        else:
            clock.slowed = tuple(i for i, c in enumerate(clock.class_of) if c >= 0 and mask >> c & 1)


def acted(actor: ActorState, action: Action) -> None:
    """The actor acted in the action's class: that class's clock starts again."""
    restart(actor.clock, action)


def restart(clock: Clock, action: Action) -> None:
    """An act of the action's class: that class's clock (an actor's, or the public estimate of it) starts again."""
    c = action_class(action)
    if c != NO_CLASS:
        clock.since[c] = 0
        _refresh(clock)


def rouse(actor: ActorState) -> None:
    """A provocation larger than anything the actor has left unanswered: preparing its answer starts again."""
    provoked(actor.clock)


def provoked(clock: Clock) -> None:
    """`rouse` on a clock (an actor's, or the public estimate of it)."""
    clock.roused = 0
    _refresh(clock)


def heard(actor: ActorState, culprit: int) -> None:
    """An act of `culprit` reached the actor (a blame laid on it, a violation of its soil, a conciliatory move
    toward it): answering it is news today."""
    news(actor.clock, culprit)


def news(clock: Clock, culprit: int) -> None:
    """`heard` on a clock (an actor's, or the public estimate of it)."""
    if clock.answers:
        clock.news[culprit] = 0
        clock.attention[culprit] = clock.news_table[0] if clock.news_table else clock.news_floor
        clock.hearing = True


def attend(actor: Gated, probs: list[float], clock: Clock | None = None) -> None:
    """The rule's own statements to an actor it has something outstanding against (its answer to it, hostile
    or conciliatory) scale by what is left of that actor's latest act as news; the mass taken away goes to
    holding (a statement not made in the news cycle is mostly not made). Before the words split
    (rules/voice.py), so the words voicing an intended deed keep the deed's own timing. `clock`: another clock than
    the actor's own (a believer's imagined view of it gated by the public estimate of its clock, minds/public.py)."""
    outstanding = actor.outstanding
    if max(outstanding) <= 0.0:  # nothing outstanding against anyone: nothing to scale
        return
    if clock is None:
        clock = actor.clock
    attention = clock.attention
    hold = actor.hold_index
    for i, j in clock.answers:
        p = probs[i]
        if p and outstanding[j] > 0.0:
            a = attention[j]
            if a < 1.0:
                removed = p * (1.0 - a)
                probs[i] = p - removed
                probs[hold] += removed


def refract(actor: Gated, probs: list[float], clock: Clock | None = None) -> None:
    """Scale each option by its class's recovery today; the mass taken away goes to holding (`clock`: as in
    `attend`)."""
    if clock is None:
        clock = actor.clock
    factor = clock.factor
    class_of = clock.class_of
    hold = actor.hold_index
    for i in clock.slowed:  # in option order: the options of the classes whose factor is below 1
        p = probs[i]
        if p:
            removed = p * (1.0 - factor[class_of[i]])
            probs[i] = p - removed
            probs[hold] += removed


def refract_channels(actor: Gated, deeds: list[float], words: list[float]) -> None:
    """`refract` on both of the day's channels with the actor's own clock, in one pass over the options of the
    classes still recovering (each channel scaled as `refract` scales it, its holding summed in the same order)."""
    clock = actor.clock
    factor = clock.factor
    class_of = clock.class_of
    hold = actor.hold_index
    for i in clock.slowed:
        slow = 1.0 - factor[class_of[i]]
        p = deeds[i]
        if p:
            removed = p * slow
            deeds[i] = p - removed
            deeds[hold] += removed
        p = words[i]
        if p:
            removed = p * slow
            words[i] = p - removed
            words[hold] += removed


def discharge(actor: ActorState, target: int, action: Action) -> None:
    """An act answering `target` lets go a share of the actor's grievance against it (and of a host's
    sovereignty grievance)."""
    c = action_class(action)
    if c == NO_CLASS:
        return
    share = actor.clock.discharge[c]
    if share:
        actor.grievance[target] *= 1.0 - share
        if actor.violations[target]:
            actor.violations[target] *= 1.0 - share


def end_of_day(actor: ActorState) -> None:
    """The clocks advance a day; the news fades; a host's sovereignty grievance fades."""
    tick(actor.clock)
    fade_violations(actor.clock, actor.violations)


def fade_violations(clock: Clock, violations: list[float]) -> None:
    """A host's sovereignty grievances fade a day at its clock's rate (an actor's, or the public estimate's)."""
    if clock.violation_decay < 1.0 and any(violations):
        decay = clock.violation_decay
        for i, value in enumerate(violations):
            if value:
                violations[i] = value * decay if value > 0.01 else 0.0


def tick(clock: Clock) -> None:
    """A day passes on a clock (an actor's, or the public estimate of it): the news fades, and the days since each
    class's last act and since the last provocation count on."""
    if clock.hearing:
        table = clock.news_table
        size = len(table)
        news = clock.news
        attention = clock.attention
        hearing = False
        for j, days in enumerate(news):
            if days < size:
                days += 1
                news[j] = days
                if days < size:
                    attention[j] = table[days]
                    hearing = True
                else:
                    attention[j] = clock.news_floor
        clock.hearing = hearing
    if clock.recovering:
        _refresh(clock, advance=True)
    else:  # every factor is 1 and stays 1 (flat beyond recovery); the days still count (rules/features reads them)
        since = clock.since
        for c, tau in enumerate(since):
            if tau < FAR:
                since[c] = tau + 1
        if clock.roused < FAR:
            clock.roused += 1
