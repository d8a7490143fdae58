"""Beliefs: what one actor thinks another is, a posterior over types learnt from the other's acts and holds.

A type is a doctrine (a rule) and a resolve r: the type carries out the hostile answers its doctrine calls for
with probability r and otherwise holds (Fearon 1994's resolved and unresolved types), on each of its two
channels. After each day of the other actor's, each believer weighs every type by the probability that type's
policy gave what was observed, channel by channel (a deed by the type's deeds, a word by its words, silence by
its chance of silence: the split of rules/voice.py), in the other's state as the public record shows it,
tempered for noise, with a trembling hand (Selten 1975) and optional confirmation bias (Jervis 1976). A believer
learns only from what it can see: a private message or a private order to a proxy that is not addressed to it
looks, to it, like a quiet day on that channel, so any of those options or a hold is what it observed (issue 17).
What the believer's rule reads as the other's resolve and credibility becomes the posterior expectation.
docs/model.md, Beliefs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..mechanics.words import message_likelihood
from ..rules import Rule, make_rule
from ..scenario import ORDER_EFFECTS
from ..scenario.beliefs import Belief
from .mixing import Mixes, Sparse
from .policy import Memos, Split, blocked_targets, memo_channels, split_memos
from .reputation import learn_reputations
from .supposed import Supposed

if TYPE_CHECKING:
    from ..state.actor import ActorState
    from ..state.clock import Clock
    from ..state.world import World


Chosen = tuple[int, ...] | None  # the options a channel was seen to take (None: not observed)


class BeliefState:
    """What `observer` believes about `other`: a posterior over the types of its `beliefs:` entry.

    Types sharing a doctrine (same rule, same parameters) differ only in resolve; unless the doctrine reads
    resolve itself, its policy is computed once for all of them and the resolve applied in closed form.
    """

    def __init__(
        self,
        observer: ActorState,
        other: ActorState,
        spec: Belief,
        unseen: tuple[int, ...] = (),
        addressed: dict[int, str] | None = None,
    ) -> None:
        self.observer = observer
        self.other = other
        self.spec = spec
        self.resolves = [t.resolve for t in spec.types]
        self.labels = [f"{t.rule.name}/r={t.resolve:g}" for t in spec.types]
        self.posterior = [t.prior for t in spec.types]
        self.view = Supposed(other)
        self.ignore_holds = spec.credibility_model == "current_calculus"
        self.hostile = [opt.hostile for opt in other.options]
        self.hostile_at = [i for i, h in enumerate(self.hostile) if h]  # option indices, in option order
        # what the observer sees of a decision to hold or to do something it cannot see, on each channel: the same
        # quiet day; and how many options each channel has (holding is on both), for the tremble
        words = [opt.words for opt in other.options]
        hold = other.hold_index
        self.unseen_deeds = tuple(sorted({hold, *(i for i in unseen if not words[i])}))
        self.unseen_words = tuple(sorted({hold, *(i for i in unseen if words[i])}))
        self.n_deeds = sum(1 for i, w in enumerate(words) if not w or i == hold)
        self.n_words = sum(1 for i, w in enumerate(words) if w or i == hold)
        self._groups: list[tuple[Rule, float, float, float]] = []  # `groups`, for the posterior in `_groups_of`
        self._groups_of: list[float] | None = None
        self._said: tuple[int, list[float], str] | None = None  # `describe`'s last answer
        self.mixes = Mixes()  # `answer`'s mixtures, by the identity of what they mix
        # its private messages to the observer (option -> kind): unseen when chosen, learnt from when they arrive
        self.addressed = addressed or {}
        self.received = tuple(i for i in self.unseen_words if i not in self.addressed)  # a record's quiet day
        self.pending: list[tuple[str, list[float]]] = []  # messages on their way: (kind, likelihood ratios)
        # doctrines: (rule, member type indices, whether the rule reads resolve and must be run per type)
        self.doctrines: list[tuple[Rule, list[int], bool]] = []
        for k, t in enumerate(spec.types):
            for rule, members, _ in self.doctrines:
                if rule.params == t.rule:
                    members.append(k)
                    break
            else:
                rule = make_rule(t.rule)
                self.doctrines.append((rule, [k], rule.traits().reads_resolve))

    # --- what a type would do ------------------------------------------------------------------------------

    def answer(self, view: Supposed, memos: Memos | None = None) -> tuple[list[float], list[float]]:
        """The other's day as the believer expects it, on each channel (deeds, words): the posterior mixture of the
        types' channels, split as the one pipeline splits the actor's own policy (`channels`: the words that voice
        an intended deed, a words-only grievance answered by words), the same split `observe` weighs acts by.

        A type of resolve r plays its doctrine's hostile options with r times their probability and holds
        instead with the rest, on each channel. Types below 1e-4 posterior are left out (of the forecast, not of
        learning), type by type: whether types share a doctrine's policy is a saving in computation and changes
        no forecast. The mixture (minds/mixing.py) is shared, read only. `memos`: the view's `split_memos`, if known.
        """
        groups = self.groups()
        blocked = blocked_targets(view)  # the same for every doctrine in this view, as are the memos
        memos = split_memos(self.other.menu, view) if memos is None else memos
        channels = self.channels
        splits = [channels(rule, view, resolve, blocked, None, memos) for rule, resolve, _, _ in groups]
        return self.mixes.mix(groups, splits, len(self.hostile), self.other.hold_index)

    def _sparse(self, split: Split) -> Sparse:
        """A split with its non-zero entries found when `mixture` first asks for them (minds/mixing.Sparse): what
        the memo keeps, a pure function of the split and the other's menu."""
        return Sparse(split, self.hostile)

    def groups(self) -> list[tuple[Rule, float, float, float]]:
        """(doctrine, resolve it is run with, posterior weight, weight x resolve) of each group of types `answer`
        mixes, in doctrine order: one group per doctrine, or per type if the doctrine reads resolve. Recomputed
        only when the posterior changed."""
        posterior, resolves = self.posterior, self.resolves
        if self._groups_of != posterior:
            groups = []
            for rule, members, per_type in self.doctrines:
                kept = [k for k in members if posterior[k] >= 1e-4]
                for group in [[k] for k in kept] if per_type else [kept] if kept else []:
                    weight = sum(posterior[k] for k in group)
                    carried = sum(posterior[k] * resolves[k] for k in group)
                    groups.append((rule, resolves[group[0]], weight, carried))
            self._groups, self._groups_of = groups, list(posterior)
        return self._groups

    # --- learning ------------------------------------------------------------------------------------------

    def channels(
        self,
        rule: Rule,
        view: Supposed,
        resolve: float,
        blocked: tuple[int, ...] | None = None,
        clock: Clock | None = None,
        memos: Memos | None = None,
    ) -> Sparse:
        """The doctrine's deeds and words channels (before resolve), split as the one pipeline splits the actor's
        own policy (minds/policy.channels), with `resolve` for rules that read it, gated by `clock` (the public
        estimate of the other's decision clock) as its own policy is by its real clock; memoised with their
        non-zero entries (`_sparse`): shared, read only. `blocked`, `memos`: the view's `blocked_targets` and
        `split_memos`, if known."""
        view.resolve = resolve
        policy = rule.policy(view)
        menu = self.other.menu
        return memo_channels(menu, view, policy, rule.params.spread, self._sparse, blocked, clock, memos)  # type: ignore[arg-type]

    def observe(
        self, deed: tuple[int, ...] | None, word: tuple[int, ...] | None = None, view: Supposed | None = None
    ) -> None:
        """Bayes' rule after one day of the other's: it chose one of the options `deed` on the deeds channel and
        one of `word` on the words channel (holding is an option of both; None: that channel not observed), in
        its state as the public record shows it, or in `view` (a situation of its record before the crisis).
        Each channel observed is a term of its own: a deed weighed by the types' deeds policies, a word by their
        words policies, silence on a channel by their chance of holding on it. A private message to the observer
        is not seen when chosen (a quiet day, as to anyone else); what it adds, `L_t(message) / L_t(quiet)` in the
        same state, waits in `pending` until it arrives or is lost (mechanics/words `arrived`, `lost`). One in the
        record before the crisis (`view` given) was received then: it is seen as chosen."""
        deed = self.seen(deed, self.unseen_deeds)
        if view is not None:
            word = self.seen(word, self.received)
        else:
            message = self.addressed.get(word[0]) if word is not None and len(word) == 1 else None
            quiet = self.seen(word, self.unseen_words)
            if message is not None:
                today, clock = self.view.reset(), public_clock(self.other)
                said, kept = self.likelihoods(None, word, today, clock), self.likelihoods(None, quiet, today, clock)
                self.pending.append((message, [t / q for t, q in zip(said, kept, strict=True)]))
            word = quiet
        if deed is None and word is None:
            return
        clock = public_clock(self.other) if view is None else None  # a past answer is not gated: whenever it came
        self.update(self.likelihoods(deed, word, self.view.reset() if view is None else view, clock))

    def likelihoods(self, deed: Chosen, word: Chosen, view: Supposed, clock: Clock | None = None) -> list[float]:
        """Each type's likelihood of a day: `deed` on the deeds channel, `word` on the words channel (None: that
        channel not observed), in `view`, with the belief's tremble, gated by `clock` (None: not gated)."""
        tremble = self.spec.tremble
        keep = 1.0 - tremble
        likelihoods = [1.0] * len(self.posterior)
        if deed is None and word is None:
            return likelihoods
        deeds: list[float] = []
        words: list[float] = []
        blocked, memos = blocked_targets(view), split_memos(self.other.menu, view)  # the same for every doctrine
        cooling = view.cooling if view.cooling_count else None  # the public estimate's (minds/public.py)
        for rule, members, per_type in self.doctrines:
            for n, k in enumerate(members):
                resolve = self.resolves[k]
                if per_type or n == 0:
                    deeds, words = self.channels(rule, view, resolve, blocked, clock, memos).channels
                like = 1.0
                if deed is not None:
                    like = keep * self.chance(deeds, resolve, deed, cooling) + tremble * len(deed) / self.n_deeds
                if word is not None:
                    like *= keep * self.chance(words, resolve, word, cooling) + tremble * len(word) / self.n_words
                likelihoods[k] = like
        return likelihoods

    def seen(self, chosen: tuple[int, ...] | None, unseen: tuple[int, ...]) -> tuple[int, ...] | None:
        """What the believer saw of a channel: `chosen`, or every option it cannot see taken on it (holding
        included) when what was chosen is one of them; None when it is no evidence (not observed, or a hold
        under `current_calculus`: backing down says nothing about the type, Press 2005)."""
        if chosen is None:
            return None
        if all(i in unseen for i in chosen):
            return None if self.ignore_holds else unseen
        return chosen

    def chance(
        self, probs: list[float], resolve: float, chosen: tuple[int, ...], cooling: list[int] | None = None
    ) -> float:
        """Probability a type of this resolve gives the options `chosen`, less options still `cooling` down (days
        per option, None if none: as the public record shows them, the view's, never the actor's own)."""
        hostile = self.hostile
        hold = self.other.hold_index
        if cooling is None and len(chosen) == 1:
            return self._chance_one(probs, resolve, chosen[0])
        total = 0.0
        for i in chosen:
            if cooling is not None and cooling[i]:
                continue
            total += probs[i] * resolve if hostile[i] else probs[i]
        if hold in chosen:
            for i, q in enumerate(probs):  # what the type backs down from, and what it cannot do today
                if q and i != hold:
                    if hostile[i]:
                        total += q * (1.0 - resolve)
                    if cooling is not None and cooling[i]:
                        total += q * resolve if hostile[i] else q
        return total

    def _chance_one(self, probs: list[float], resolve: float, i: int) -> float:
        """`chance` of the one option `i` with nothing cooling down: the same sums, in the same order."""
        q = probs[i]
        total = 0.0 + (q * resolve if self.hostile[i] else q)
        if i == self.other.hold_index:
            backed = 1.0 - resolve
            for k in self.hostile_at:  # what the type backs down from
                q = probs[k]
                if q:
                    total += q * backed
        return total

    def update(self, likelihoods: list[float]) -> None:
        """Posterior proportional to prior x likelihood^exponent (tempered; discounted when disconfirming)."""
        posterior = self.posterior
        exponent = self.spec.temper
        bias = self.spec.confirmation_bias
        if bias:
            lead = max(range(len(posterior)), key=posterior.__getitem__)
            expected = sum(w * like for w, like in zip(posterior, likelihoods, strict=True))
            if likelihoods[lead] < expected:
                exponent *= 1.0 - bias
        weights = [w * like**exponent for w, like in zip(posterior, likelihoods, strict=True)]
        total = sum(weights)
        if total > 0.0:
            self.posterior = [w / total for w in weights]

    def hear(self, force: bool, credibility: float) -> None:
        """Bayes' rule after the other sent a message announcing force (warning, demand) or renouncing it
        (assurance, closure): each type weighed by `message_likelihood`, with the belief's tremble and temper."""
        tremble = self.spec.tremble
        self.update([(1.0 - tremble) * message_likelihood(r, force, credibility) + tremble for r in self.resolves])

    # --- what the believer reads -----------------------------------------------------------------------------

    def expected_resolve(self) -> float:
        """Posterior mean resolve: the chance the other carries out what its doctrine calls for."""
        return sum(w * r for w, r in zip(self.posterior, self.resolves, strict=True))

    def describe(self, top: int = 3) -> str:
        """The most likely types in words: 'USA: red_line/r=0.8 55%, restraint/r=0.3 20%'. Kept until the
        posterior changes (a believer's every policy reads it)."""
        said = self._said
        if said is not None and said[0] == top and said[1] == self.posterior:
            return said[2]
        text = self._describe(top)
        self._said = (top, list(self.posterior), text)
        return text

    def _describe(self, top: int) -> str:
        ranked = sorted(range(len(self.posterior)), key=lambda k: -self.posterior[k])[:top]
        return f"{self.other.actor_id}: " + ", ".join(f"{self.labels[k]} {self.posterior[k]:.0%}" for k in ranked)


def public_clock(other: ActorState) -> Clock:
    """The public estimate of `other`'s decision clock today (minds/public.py)."""
    return other.model.public[other.index].clock  # type: ignore[attr-defined]  # a CrisisActor


def install(model: World) -> None:
    """Give actors with a `beliefs:` block their belief states and their own reading of the others."""
    for observer in model.actors:
        for other_id, spec in observer.spec.beliefs.items():
            other = model.by_id[other_id]
            hidden, addressed = unseen_by(model, observer, other), addressed_to(model, observer, other)
            state = BeliefState(observer, other, spec, hidden, addressed)
            observer.beliefs[other.index] = state
            model.watchers[other.index].append(state)
        if observer.beliefs:
            model.believers.append(observer)
            observer.resolve_of = list(model.resolve_of)  # its own reading, no longer the shared truth
            observer.credibility_of = list(model.credibility_of)
    model.history_days = history_days(model)
    learn_reputations(model)
    refresh(model)


Seen = tuple[tuple[int, ...] | None, tuple[int, ...] | None]  # what was seen of an actor's day: (deed, words)


def history_days(model: World) -> dict[int, Seen]:
    """The recorded decisions of watched actors, as believers learn from them when they are replayed, by event
    (`id`): an actor's first decision of a day with its first decision on the other channel that day, silence
    there if none (the actor-day as the model makes it: one deed, one word, `observed`); a further act on a
    channel that day a term of its own, on its channel. Only events the model replays (before the branch, or
    exogenous) and the actor could choose."""
    out: dict[int, Seen] = {}
    days: dict[tuple[int, int], tuple[int, list[tuple[int, ...] | None]]] = {}  # (day, actor): (lead, [deed, word])
    for event in model.crisis.events:
        day = (event.date - model.start_date).days
        actor = model.by_id[event.actor] if event.actor is not None else None
        if actor is None or not model.watchers[actor.index] or not model.ladder[event.action].chosen:
            continue
        if day >= model.branch_day and not event.exogenous:
            continue
        chosen = tuple(o.index for o in actor.options if o.action == event.action and o.target == event.target)
        if not chosen:
            continue
        channel = int(actor.options[chosen[0]].words)
        lead = days.setdefault((day, actor.index), (id(event), [None, None]))
        if lead[1][channel] is None:
            lead[1][channel] = chosen
        else:
            out[id(event)] = (None, chosen) if channel else (chosen, None)
    for (_, index), (key, (deed, word)) in days.items():
        hold = (model.actors[index].hold_index,)
        out[key] = (deed or hold, word or hold)
    return out


def unseen_by(model: World, observer: ActorState, other: ActorState) -> tuple[int, ...]:
    """The options of `other` that `observer` cannot see taken: private orders to proxies addressed to someone
    else, and every private message (one addressed to someone else is on a channel it is not party to; one to
    it is learnt from when it arrives, `addressed_to`)."""
    ladder = model.ladder
    hidden = []
    for opt in other.options:
        action = ladder[opt.action]
        if action.private or (action.effect in ORDER_EFFECTS and opt.target_index != observer.index):
            hidden.append(opt.index)
    return tuple(hidden)


def addressed_to(model: World, observer: ActorState, other: ActorState) -> dict[int, str]:
    """The private messages of `other` to `observer`: option index -> message kind."""
    ladder = model.ladder
    out = {}
    for opt in other.options:
        kind = ladder[opt.action].message
        if ladder[opt.action].private and kind is not None and opt.target_index == observer.index:
            out[opt.index] = kind
    return out


def refresh(model: World) -> None:
    """The believers' reading of the others: the shared values, then their posteriors where they hold beliefs."""
    for observer in model.believers:
        observer.resolve_of[:] = model.resolve_of
        observer.credibility_of[:] = model.credibility_of
        for j, state in observer.beliefs.items():
            observer.resolve_of[j] = observer.credibility_of[j] = state.expected_resolve()


def observed(
    model: World, actor: ActorState, deed: tuple[int, ...] | None, word: tuple[int, ...] | None = None
) -> None:
    """Everyone who holds beliefs about `actor` learns from its day: the options `deed` on the deeds channel and
    `word` on the words channel (None: not observed); call before either is carried out."""
    for state in model.watchers[actor.index]:
        state.observe(deed, word)
        observer = state.observer
        observer.resolve_of[actor.index] = observer.credibility_of[actor.index] = state.expected_resolve()
