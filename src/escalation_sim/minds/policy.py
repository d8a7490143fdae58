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
from ..rules.base import withhold_cooling
from ..rules.voice import split, tremble_channel

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from ..rules import Policy, Rule, View
    from ..state.actor import ActorState, Memory
    from ..state.clock import Clock

    class Viewed(View, Memory, Protocol):
        """A view with the memory of the others it decides by: an actor, or another's imagined (Supposed)."""


def decide(actor: ActorState, rule: Rule) -> Policy:
    """The probabilities `rule` gives `actor`'s options today on each channel, with everything that binds it."""
    policy = rule.policy(actor)
    if actor.beliefs:
        policy.reason += f" [believes {actor.belief_summary}]"
    probs = list(policy.probs)  # a rule may hand out a cached list
    if actor.clock.answers:  # hostile statements answer the news (section 1a)
        hazards.attend(actor, probs)
    probs, words = channels(actor, probs, rule.params.spread)
    policy.probs, policy.words = probs, words
    if actor.cooling_count:
        withhold_cooling(actor, policy)
        hold = actor.hold_index
        for i, days in enumerate(actor.cooling):
            if days and words[i]:
                words[hold] += words[i]
                words[i] = 0.0
    if actor.clock.recovering:  # preparation time and refractoriness (section 1a)
        hazards.refract(actor, probs)
        hazards.refract(actor, words)
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
    return probs, words


MEMO_ENTRIES = 20_000  # per actor's menu: a memo this full is emptied (about 1 kB an entry at jan2020)
MEMO_MENUS = 64  # menus kept (each model builds its own)
_MEMOS: dict[tuple[int, tuple[int, ...]], tuple[tuple, dict]] = {}
Split = tuple[list[float], list[float]]  # (deeds, words)  # (id(options), sponsors) -> (options, memo)


def memo_channels(
    view: Viewed, probs: list[float], spread: float, prepare: Callable[[Split], Any], gate: Clock | None = None
) -> Any:
    """`prepare(channels(...))`, memoised: the same object for the same inputs, which the caller must not change
    (`prepare` is a pure function of the split and the menu, e.g. the split's non-zero entries). Why: believers
    split every type's policy on every forecast, and a doctrine gives the same policy in most imagined states (3
    in 4 of a learned jan2020 run's splits repeat one already made in the run). The key is everything `channels`
    reads: the menu (by identity, fixed in a run) and the sponsors (`split`), the rule's `spread`, the policy
    itself, and the targets whose grievance is words-only and outstanding (section 5a), so each answer is the
    one `channels` gives, bit for bit. With `gate` (another's clock: a believer's public estimate of it) the policy
    is gated by it as `decide` gates the actor's own: its statements scaled by the news first (hazards.attend,
    in the key through `probs`), each channel scaled by its class's recovery after (hazards.refract, the clock's
    factors in the key)."""
    options, sponsors = view.options, view.sponsor_of
    kept = _MEMOS.get((id(options), tuple(sponsors)))
    if kept is None or kept[0] is not options:
        if len(_MEMOS) >= MEMO_MENUS:
            _MEMOS.clear()
        kept = _MEMOS[id(options), tuple(sponsors)] = (options, {})
    memo = kept[1]
    words_only = view.words_only
    if True in words_only:
        outstanding = view.outstanding
        blocked = tuple(j for j, w in enumerate(words_only) if w and outstanding[j] > 0.0)
    else:
        blocked = ()
    factors = None
    if gate is not None:
        if gate.answers and max(view.outstanding) > 0.0:
            probs = list(probs)  # a rule may hand out a cached list
            hazards.attend(view, probs, gate)
        if gate.recovering:
            factors = tuple(gate.factor)
    key = (spread, blocked, factors, *probs)
    out = memo.get(key)
    if out is None:
        if len(memo) >= MEMO_ENTRIES:
            memo.clear()
        split = channels(view, probs, spread)
        if factors is not None:
            for channel in split:
                hazards.refract(view, channel, gate)
        out = memo[key] = prepare(split)
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
