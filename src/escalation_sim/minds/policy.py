"""The one policy pipeline: how an actor's rule becomes the day's probabilities (docs/model.md section 4).

The rule's own policy, its hostile statements scaled by how fresh the news they answer is (mechanics/hazards.py,
section 1a), split into the day's two acts: a deed and words (rules/voice.py, section 1c); then what
binds every rule whatever it says, on each channel: a words-only grievance is answered by words, never by force
(section 5a); options still cooling down give their mass to holding; an action class not yet prepared or still
refractory gives its mass to holding (mechanics/hazards.py); orders, truces and delegation
(mechanics/proxies.py); access to a host's soil (mechanics/host.py); last, the rule's tremble, on each channel.
The model decides with it (`agents.CrisisActor.policy`), replays and the score read it, and the tremble and
composition tests run it. `Policy.probs` is the deeds channel, `Policy.words` the words channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..mechanics import hazards, host, operations, proxies
from ..rules.voice import split, tremble_channel

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from ..rules import Policy, Rule, View
    from ..state.actor import ActorState, Memory, Menu
    from ..state.clock import Clock

    class Viewed(View, Memory, Protocol):
        """A view with the memory of the others it decides by: an actor, or another's imagined (Supposed)."""


def decide(actor: ActorState, rule: Rule) -> Policy:
    """The probabilities `rule` gives `actor`'s options today on each channel, with everything that binds it."""
    policy = rule.policy(actor)
    if actor.beliefs:
        policy.reason += f" [believes {actor.belief_summary}]"
    probs = list(policy.probs)  # a rule may hand out a cached list
    clock = actor.clock
    if clock.answers:  # hostile statements answer the news (section 1a)
        hazards.attend(actor, probs)
    words = _channels(actor, probs, rule.params.spread)  # our own copy: split in place
    policy.probs, policy.words = probs, words
    if actor.cooling_count:  # withhold_cooling on both channels, in one pass
        hold = actor.hold_index
        for i, days in enumerate(actor.cooling):
            if days:
                if probs[i]:
                    probs[hold] += probs[i]
                    probs[i] = 0.0
                if words[i]:
                    words[hold] += words[i]
                    words[i] = 0.0
    if clock.recovering:  # preparation time and refractoriness (section 1a)
        hazards.refract_channels(actor, probs, words)
    if actor.running:  # what a running operation carries is not decided afresh (section 1b)
        operations.withhold(actor, probs)
    proxy = actor.proxy
    if proxy.order_options or proxy.ordered or proxy.suspended_count:
        proxies.steer(actor, probs)
        if proxy.suspended_count:
            proxies.keep_truce(actor, words)
    if actor.host.access_limited:
        host.limit_access(actor, probs)
    epsilon = rule.params.epsilon
    if epsilon:
        tremble_channel(actor, probs, epsilon, False)
        tremble_channel(actor, words, epsilon, True)
    return policy


def channels(view: Viewed, probs: list[float], spread: float) -> tuple[list[float], list[float]]:
    """A rule's policy `probs` (left as it is: a rule may hand out a cached list) as the day's two acts, deeds
    and words (rules/voice.py), with a words-only grievance answered by words, never by force (section 5a): the
    first steps of `decide`, which beliefs weigh an observed day by as well (minds/beliefs.py). The news-cycle
    scaling of statements (hazards.attend) comes before it and the recovery of each class (hazards.refract) after
    it, in `decide` with the actor's own clock, in a believer's likelihood of a day with the public estimate of it
    (`memo_channels`' `gate`, minds/public.py)."""
    probs = list(probs)
    return probs, _channels(view, probs, spread)


def _channels(view: Viewed, probs: list[float], spread: float) -> list[float]:
    """`channels` in place: `probs` becomes the deeds channel; returns the words channel."""
    words = split(view, probs, spread)
    if True in view.words_only:
        words_only = view.words_only
        outstanding = view.outstanding
        hold = view.hold_index
        for opt in view.options:
            j = opt.target_index
            if opt.force and j >= 0 and words_only[j] and probs[opt.index] and outstanding[j] > 0.0:
                probs[hold] += probs[opt.index]
                probs[opt.index] = 0.0
    return words


MEMO_ENTRIES = 20_000  # per menu and wiring: a memo this full is emptied (about 1 kB an entry at jan2020)
MEMO_WIRINGS = 8  # sponsors' wirings kept per menu (a run has one: `sponsor_of` is set when the model starts)
Split = tuple[list[float], list[float]]  # (deeds, words)
Memos = tuple[dict, dict]  # a menu's split memos for one wiring: by value, by a shared list's identity


def blocked_targets(view: Viewed) -> tuple[int, ...]:
    """The targets whose grievance is words-only and outstanding (section 5a): what `channels` reads of the view
    besides its menu and sponsors, for `memo_channels`' key."""
    words_only = view.words_only
    if True not in words_only:
        return ()
    outstanding = view.outstanding
    return tuple(j for j, w in enumerate(words_only) if w and outstanding[j] > 0.0)


def split_memos(menu: Menu, view: Viewed) -> Memos:
    """`menu`'s split memos for the view's sponsors' wiring: (by value, by a shared list's identity). A caller that
    splits several policies in one view (a belief's doctrines) takes them once and hands them to `memo_channels`."""
    if view.options is not menu.options:
        raise ValueError("memo_channels: the menu is not the view's own")
    sponsors = tuple(view.sponsor_of)
    memos, by_identity = menu.memos, menu.shared_memos
    memo = memos.get(sponsors)
    if memo is None:
        if len(memos) >= MEMO_WIRINGS:
            memos.clear()
            by_identity.clear()
        memo = memos[sponsors] = {}
        by_identity[sponsors] = {}
    return memo, by_identity[sponsors]


def memo_channels(
    menu: Menu,
    view: Viewed,
    policy: Policy,
    spread: float,
    prepare: Callable[[Split], Any],
    blocked: tuple[int, ...] | None = None,
    gate: Clock | None = None,
    memos: Memos | None = None,
) -> Any:
    """`prepare(channels(view, policy.probs, spread))`, memoised: the same object for the same inputs, which the
    caller must not change (`prepare` is a pure function of the split and the menu, e.g. the split's non-zero
    entries). Why: believers split every type's policy on every forecast, and a doctrine gives the same policy in
    most imagined states (3 in 4 of a learned jan2020 run's splits repeat one already made in the run). The memo
    is `menu`'s, the view's own (`Menu.memos`: one owner, gone with the run), passed in rather than read through
    the view, as a forecast's traced view would add the menu to the forecast cache's key
    (minds/forecast_cache.py). The key is everything else `channels` reads: the sponsors (`split`), the rule's
    `spread`, the policy itself, and the targets whose grievance is words-only and outstanding
    (`blocked_targets`, given by a caller that splits several policies in one view), so each answer is the one
    `channels` gives, bit for bit. With `gate` (another's clock: a believer's public estimate of it) the policy is
    gated by it as `decide` gates the actor's own: its statements scaled by the news first (hazards.attend, in the
    key through the probabilities), each channel scaled by its class's recovery after (hazards.refract, the
    clock's factors in the key). A policy copied from a shared list (`Policy.shared`, `aim`'s and `settle`'s
    caches) that it still equals is looked up by that list's identity first, without hashing its probabilities.
    `memos`: `split_memos(menu, view)`, if the caller took them already."""
    memo, by_shared = split_memos(menu, view) if memos is None else memos
    if blocked is None:
        blocked = blocked_targets(view)
    probs, shared = policy.probs, policy.shared
    factors = None
    if gate is not None:
        if gate.answers and max(view.outstanding) > 0.0:
            probs = list(probs)  # a rule may hand out a cached list
            hazards.attend(view, probs, gate)
            shared = None  # the news changed them: no longer the shared list's
        if gate.recovering:
            factors = tuple(gate.factor)
    if shared is not None and shared == probs:
        known = by_shared.get((spread, blocked, factors, id(shared)))
        if known is not None and known[0] is shared:
            return known[1]
    else:
        shared = None
    key = (spread, blocked, factors, *probs)
    out = memo.get(key)
    if out is None:
        if len(memo) >= MEMO_ENTRIES:
            memo.clear()
            by_shared.clear()
        split = channels(view, probs, spread)
        if factors is not None:
            for channel in split:
                hazards.refract(view, channel, gate)
        out = memo[key] = prepare(split)
    if shared is not None:  # the entry keeps the shared list alive: its identity is not reused while it lives
        if len(by_shared) >= MEMO_ENTRIES:
            by_shared.clear()
        by_shared[spread, blocked, factors, id(shared)] = (shared, out)
    return out


def chance_of(
    actor: ActorState, policy: Policy, action: str, target: str | None, in_words: bool, words: bool | None
) -> float:
    """The probability `policy` gives `action` against `target` on the action's channel (`in_words`); holding is
    holding on both channels, or on the one `words` names."""
    said = policy.words
    if action == "hold" and said is not None:
        hold = actor.hold_index
        if words is None:
            return policy.probs[hold] * said[hold]
        return said[hold] if words else policy.probs[hold]
    probs = said if in_words and said is not None else policy.probs
    total = 0.0
    for opt in actor.options:
        if opt.action == action and opt.target == target:
            total += probs[opt.index]
    return total
