"""Baselines the model must beat to claim it explains the record: the same actor-days, scored by simple rules.

Like for like with the model's record likelihood (`filter.py`): each actor-day is two decisions, one per channel
(deeds and words, docs/model.md section 1c), on every channel where the actor has options. On each channel a
baseline gives the day's timing, i.e. holding on that channel, or acting once for each distinct decision on it,
and choice, i.e. which of the channel's options (action, target), given acting; the justification and accident
observations are scored once per actor-day, where the actor can have them (justification only in a record that
codes at least one, as the model's score: record.codes_justifications). So a baseline's timing and choice are
comparable with the model's, channel by channel and part by part. (A baseline that pooled the channels would
score one decision per actor-day against the model's two: it pays one "holding" where the model pays two, and
picks among every option where the model picks among a channel's.)

- uniform: on each channel every option equally likely each day (holding included); justification and accident
  each a fair coin. What "knowing nothing" scores. No parameters.
- base_rate, markov1 (in-sample): each actor's own frequencies per channel over the whole record (markov1: given
  what the actor did on that channel the day before), fitted to the very record they score; `parameters` says
  how many numbers that fit takes, per actor and channel about n (base rate) or n^2 (Markov-1) for n options.
- prequential_base_rate, prequential_markov1 (`counts.py`): the same frequencies per channel, but each day
  predicted from the days before it only, starting from a Jeffreys prior (Dawid 1984).
- hawkes (`hawkes.py`): a self-exciting event-count process per actor and channel for timing, fitted by maximum
  likelihood on the days before each day; its choice and its justification/accident coins are the prequential
  base rate's.

The record's operations (spells: kept, changed, stopped, their acts) are scored by the model only; no baseline
has terms for them (their start is an act like any other).

docs/validation.md ("Baselines") writes out each formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..model import EscalationModel
from ..scenario import Scenario
from .counts import Term, counted_terms
from .filter import channel_sizes
from .hawkes import hawkes_terms
from .record import ActorDay, codes_justifications

Parts = dict[str, dict[str, float]]  # actor -> {"timing": nats, "choice": nats}
BASELINES = ("uniform", "base_rate", "markov1", "prequential_base_rate", "prequential_markov1", "hawkes")
FIT = {
    "uniform": "none",
    "base_rate": "in-sample",
    "markov1": "in-sample",
    "prequential_base_rate": "prequential",
    "prequential_markov1": "prequential",
    "hawkes": "prequential",
}


@dataclass(frozen=True, slots=True)
class Space:
    """What is observed of one actor each day: its options besides holding on each channel, the actions that are
    words (the rest are deeds), and which yes/no observations (justified, accident) it can have."""

    deeds: int
    words: int
    coins: tuple[str, ...]
    said: frozenset[str] = frozenset()  # actions on the words channel

    @property
    def options(self) -> int:
        return self.deeds + self.words

    def channels(self) -> list[tuple[bool, int, tuple[str, ...]]]:
        """(words?, options, coins) of each channel with options; the coins go with the first such channel (or
        with an empty deeds channel if the actor has no options at all), so they are scored once a day."""
        out = [(w, n) for w, n in ((False, self.deeds), (True, self.words)) if n > 0] or [(False, 0)]
        return [(w, n, self.coins if i == 0 else ()) for i, (w, n) in enumerate(out)]


def options_of(scenario: Scenario) -> dict[str, list[tuple[str, str | None]]]:
    """Each actor's options besides holding, as (action, target)."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    return {a.actor_id: [(o.action, o.target) for o in a.options if o.action != "hold"] for a in model.actors}


def spaces_of(scenario: Scenario) -> dict[str, Space]:
    """Each actor's event space, as the model's likelihood scores it: options per channel, and coins."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    justified_coin = codes_justifications(scenario)  # where the record codes none, the model does not score them
    out = {}
    for actor in model.actors:
        spec = scenario.actors[actor.actor_id]
        justifies = justified_coin and any(scenario.actions[c].justifies for c in spec.capabilities)
        coins = (("justified",) if justifies else ()) + (("accident",) if spec.accident_rate > 0 else ())
        deeds, words = channel_sizes(actor)
        said = frozenset(o.action for o in actor.options if o.words)
        out[actor.actor_id] = Space(deeds, words, coins, said)
    return out


def channel_days(days: list[ActorDay], space: Space, words: bool, coins: tuple[str, ...]) -> list[ActorDay]:
    """The actor's days as seen on one channel: its acts on that channel; justification and accident only where
    this channel carries the coins."""
    return [
        ActorDay(
            d.day,
            d.actor,
            [a for a in d.acts if (a[0] in space.said) == words],
            d.justified if coins else None,
            d.accident if coins else None,
        )
        for d in days
    ]


Scorer = Callable[[list[ActorDay], int, tuple[str, ...]], list[Term]]


def per_channel(score: Scorer) -> Callable[[list[ActorDay], Space], list[Term]]:
    """A one-channel scorer made channel-aware: each channel's days scored on their own (their own counts,
    Markov state and Hawkes process), then added day by day. A channel without options contributes no act or
    choice term (the model scores none there), only the coins it may carry."""

    def scored(days: list[ActorDay], space: Space) -> list[Term]:
        total = [Term(0.0, 0.0, 0.0) for _ in days]
        for words, n, coins in space.channels():
            terms = score(channel_days(days, space, words, coins), n, coins)
            total = [
                Term(t.act + (u.act if n else 0.0), t.coins + u.coins, t.choice + (u.choice if n else 0.0))
                for t, u in zip(total, terms, strict=True)
            ]
        return total

    return scored


def uniform_terms(days: list[ActorDay], n: int, coins: tuple[str, ...]) -> list[Term]:
    n = max(1, n)
    out = []
    for d in days:
        act = len(d.acts) * math.log(n / (n + 1)) if d.acts else math.log(1.0 / (n + 1))
        out.append(Term(act, len(coins) * math.log(0.5), len(d.acts) * math.log(1.0 / n)))
    return out


TERMS: dict[str, Callable[[list[ActorDay], Space], list[Term]]] = {
    "uniform": per_channel(uniform_terms),
    "base_rate": per_channel(lambda days, n, c: counted_terms(days, n, c, markov=False, prequential=False)),
    "markov1": per_channel(lambda days, n, c: counted_terms(days, n, c, markov=True, prequential=False)),
    "prequential_base_rate": per_channel(lambda days, n, c: counted_terms(days, n, c, False, True)),
    "prequential_markov1": per_channel(lambda days, n, c: counted_terms(days, n, c, True, True)),
    "hawkes": per_channel(hawkes_terms),
}


def parameters(name: str, space: Space) -> int:
    """Numbers a baseline fits to the record it scores, for one actor: for the in-sample ones, per channel with
    n options the free probabilities of acting and of each option given acting (Markov-1: one set per previous
    day's state on that channel: holding or one of the n options), and of each coin (Markov-1: per yesterday's
    coin). The prequential ones fit nothing to the day they score (their counts and Hawkes fits use earlier days
    only): 0."""
    k = len(space.coins)
    sizes = [n for _, n, _ in space.channels() if n > 0]
    if name == "base_rate":
        return sum(1 + (n - 1) for n in sizes) + k
    if name == "markov1":
        return sum((n + 1) * (1 + (n - 1)) for n in sizes) + 2 * k
    return 0


def actor_days(scenario: Scenario, record: list[list[ActorDay]], actor: str) -> list[ActorDay]:
    index = list(scenario.actors).index(actor)
    return [row[index] for row in record]


def score_baselines(scenario: Scenario, record: list[list[ActorDay]]) -> dict[str, Parts]:
    """Timing and choice log-likelihood per actor of the record under each baseline."""
    spaces = spaces_of(scenario)
    out: dict[str, Parts] = {}
    for name in BASELINES:
        parts: Parts = {}
        for actor in scenario.actors:
            terms = TERMS[name](actor_days(scenario, record, actor), spaces[actor])
            parts[actor] = {"timing": sum(t.timing for t in terms), "choice": sum(t.choice for t in terms)}
        out[name] = parts
    return out


def parameter_counts(scenario: Scenario) -> dict[str, int]:
    """Each baseline's parameter count over every actor (see `parameters`)."""
    spaces = spaces_of(scenario)
    return {name: sum(parameters(name, s) for s in spaces.values()) for name in BASELINES}
