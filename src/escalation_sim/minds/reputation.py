"""Reputation that can be learned (issue 17, item 3): a believer's prior updated by the other's record before the
crisis, its `reputation:` answers or, with `reputation_from: rule`, the answers its own rule would have given in
the same situations (docs/model.md, Beliefs: a doctrine that made the record is what the record teaches).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules.base import sample_index
from .policy import channels
from .supposed import Supposed

if TYPE_CHECKING:
    from ..scenario.beliefs import PastAnswer
    from ..state.actor import ActorState
    from ..state.world import World


def learn_reputations(model: World) -> None:
    """Each believer's prior at the start, updated by the likelihood of the other's record before the crisis
    (its `reputation:` answers, or, with `reputation_from: rule`, a deed and words drawn once from its own rule's
    two channels in the same situations, from `model.random`): a doctrine that made the record is what the record
    teaches."""
    for other in model.actors:
        record = other.spec.reputation
        if not record or not model.watchers[other.index]:
            continue
        view = Supposed(other)
        answers: list[tuple[tuple[int, ...], tuple[int, ...] | None]] = []
        for past in record:
            situation(view, model, past)
            if other.spec.reputation_from == "rule":
                probs = other.rule.policy(view).probs  # type: ignore[arg-type]  # a Supposed reads as the View
                deeds, words = channels(view, probs, other.rule.params.spread)  # type: ignore[arg-type]
                deed = sample_index(deeds, model.random.random())
                answers.append(((deed,), (sample_index(words, model.random.random()),)))
            else:
                answers.append(recorded(other, past.answer, past.target))
        for state in model.watchers[other.index]:
            for past, (deed, word) in zip(record, answers, strict=True):
                situation(state.view, model, past)
                state.observe(deed, word, state.view)


def situation(view: Supposed, model: World, past: PastAnswer) -> None:
    """`view` set to the other's state on the day of a past provocation: its start state, nothing outstanding but
    the provocation, felt at its recorded severity and laid at `by`'s door with the recorded attribution."""
    view.reset()
    for name in ("outstanding", "grievance", "last_killed", "last_attribution", "last_rung"):
        values = getattr(view, name)
        values[:] = [0.0] * len(values)
    j = model.by_id[past.by].index
    share = past.severity * past.attribution
    view.outstanding[j] = view.grievance[j] = share
    view.last_killed[j] = past.killed
    view.last_rung[j] = round(past.severity)
    view.last_attribution[j] = past.attribution
    view.own_hit[j] = True
    view.conciliatory[j] = False
    view.words_only[j] = False
    view.readiness = 1.0


def recorded(other: ActorState, action: str, target: str | None) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """The recorded answer (action and target) as (deed, words) options of `other`. A record names the material
    answer: words (sanctions, a statement) mean no deed (deeds held); a deed or a hold says nothing of what was
    said (words not observed)."""
    hold = other.hold_index
    if action == "hold":
        return (hold,), None
    chosen = tuple(o.index for o in other.options if o.action == action and o.target == target)
    if chosen and other.options[chosen[0]].words:
        return (hold,), chosen
    return chosen, None
