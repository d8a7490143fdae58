"""Words and deeds (docs/model.md section 1c; issue 17 item 5): a rule's one policy split into two daily acts.

A rule says what the actor means to do today: one option, or holding. An actor may take one material act (a
deed) and one act of words (a statement, threat, warning, show of force, sanctions: the ladder's `channel`) on the
same day, each drawn on its own. The deeds channel keeps the rule's deeds, and the words it gives up go to
holding. The words channel keeps the rule's words and voices each intended deed with the words nearest it against
the same target, of the same sign (a blow announced or threatened, a concession declared): the deed's probability
spread over those words by the rule's own execution noise, exp(-|rung' - rung| / spread) (Schelling 1966 on
threats that accompany force; Fearon 1997 on statements as signals). A deed with no word against its target is
not voiced, and nor are an armed group's deeds: the model's militias act unclaimed (model.py), and a deniable blow
announced would no longer be deniable (Byman 2005; Mumford 2013: deniability is what a proxy's attack is for); its
rule's own words stay. Words about a proxy's act are said to its sponsor too: `SPONSOR_SHARE` of the words channel's
probability of an act against a militia with a sponsor goes to the same act against the sponsor, where the actor
can take it (holding the sponsor responsible: Byman 2005; Rid 2012). The two draws are independent given the
day's state (an approximation: a word and the deed it voices are not drawn together). Each channel then goes
through the rest of the one pipeline on its own (minds/policy.py: cooling, its class's recovery on the decision
clock, orders, access, tremble), so each has its own hazard.

Pure functions of the options and probabilities.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .view import Option, View

SPONSOR_SHARE = 0.5  # a prior (issue 19 estimates it): the even split, as restore_deterrence's `sponsor_share`

Voices = tuple[tuple[tuple[int, float], ...], ...]  # per option: (word index, share) of the words that voice it
_VOICES: dict[tuple[int, float], tuple[tuple[Option, ...], Voices]] = {}
_TWINS: dict[int, tuple[tuple[Option, ...], tuple[int, ...], tuple[tuple[int, int], ...]]] = {}


def voices(options: tuple[Option, ...], spread: float) -> Voices:
    """Per option, the words that voice it and their shares (empty for words, holding and untargeted deeds);
    cached by the options' identity, as rules/aiming.py caches (an actor's options never change in a run)."""
    key = (id(options), spread)
    cached = _VOICES.get(key)
    if cached is not None and cached[0] is options:
        return cached[1]
    out: list[tuple[tuple[int, float], ...]] = []
    for opt in options:
        j = opt.target_index
        if opt.words or opt.rung == 0 or j < 0:
            out.append(())
            continue
        near = [w for w in options if w.words and w.target_index == j and (w.rung > 0) == (opt.rung > 0) and w.rung]
        weights = [math.exp(-abs(w.rung - opt.rung) / spread) for w in near]
        total = sum(weights)
        out.append(tuple((w.index, q / total) for w, q in zip(near, weights, strict=True)))
    if len(_VOICES) > 4096:
        _VOICES.clear()
    _VOICES[key] = (options, tuple(out))
    return _VOICES[key][1]


def twins(options: tuple[Option, ...], sponsor_of: list[int]) -> tuple[tuple[int, int], ...]:
    """(word, the same word against the target's sponsor) for each word aimed at a sponsored actor, cached."""
    cached = _TWINS.get(id(options))
    if cached is not None and cached[0] is options and cached[1] == tuple(sponsor_of):
        return cached[2]
    at = {(o.action, o.target_index): o.index for o in options}
    pairs = []
    for o in options:
        s = sponsor_of[o.target_index] if o.words and o.target_index >= 0 else -1
        twin = at.get((o.action, s), -1) if s >= 0 else -1
        if twin >= 0:
            pairs.append((o.index, twin))
    if len(_TWINS) > 4096:
        _TWINS.clear()
    _TWINS[id(options)] = (options, tuple(sponsor_of), tuple(pairs))
    return _TWINS[id(options)][2]


Plan = tuple[tuple[int, tuple[tuple[int, float], ...] | None], ...]  # (option, its voices; None for a word)
Twins = tuple[tuple[int, int], ...]  # (word, the same word against the target's sponsor)
_PLANS: dict[tuple[int, float], tuple[tuple[Option, ...], float, bool, list[int], Plan, Twins]] = {}


def _plan(view: View, spread: float) -> tuple[Plan, Twins]:
    """What `split` walks, cached per option list and spread: in option order, each word and each deed with words
    to voice it (holding and unvoiced deeds add nothing), and the sponsor twins; rebuilt if the kind of actor or
    the sponsors differ."""
    options = view.options
    state = view.kind == "state"
    key = (id(options), spread)
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is options and cached[2] == state and cached[3] == view.sponsor_of:
        return cached[4], cached[5]
    voiced = voices(options, spread) if state else None  # a militia's deeds are deniable
    hold = view.hold_index
    plan: list[tuple[int, tuple[tuple[int, float], ...] | None]] = []
    for opt in options:
        i = opt.index
        if i == hold:
            continue
        if opt.words:
            plan.append((i, None))
        elif voiced is not None and voiced[i]:
            plan.append((i, voiced[i]))
    pairs = twins(options, view.sponsor_of)
    if len(_PLANS) > 4096:
        _PLANS.clear()
    _PLANS[key] = (options, spread, state, list(view.sponsor_of), tuple(plan), pairs)
    return tuple(plan), pairs


def split(view: View, probs: list[float], spread: float) -> list[float]:
    """The words channel's probabilities of a rule's policy `probs`; `probs` becomes the deeds channel's in place
    (its words' probability goes to holding)."""
    plan, pairs = _plan(view, spread)
    hold = view.hold_index
    words = [0.0] * len(probs)
    spoken = 0.0
    for i, voiced in plan:
        p = probs[i]
        if not p:
            continue
        if voiced is None:  # a word: said, not done
            words[i] += p
            spoken += p
            probs[hold] += p
            probs[i] = 0.0
        else:  # a deed, voiced by the words nearest it
            for w, share in voiced:
                said = p * share
                words[w] += said
                spoken += said
    words[hold] = max(0.0, 1.0 - spoken)
    for w, twin in pairs:
        said = words[w] * SPONSOR_SHARE
        if said:
            words[w] -= said
            words[twin] += said
    return words


def tremble_channel(view: View, probs: list[float], epsilon: float, words: bool) -> None:
    """Selten's trembling hand on one channel, in place: (1 - epsilon) of it, epsilon spread evenly over the
    channel's options not cooling down and holding."""
    cooling = view.cooling
    hold = view.hold_index
    free = [o.index for o in view.options if o.index == hold or (o.words == words and not cooling[o.index])]
    share = epsilon / len(free)
    keep = 1.0 - epsilon
    for i, p in enumerate(probs):
        probs[i] = keep * p
    for i in free:
        probs[i] += share
