"""Frequency baselines on an actor's days: the base rate and the first-order Markov chain, in-sample or
prequential, with Jeffreys smoothing.

One actor-day is scored on the event space of the model's record likelihood (`filter.py`):
- timing: holding, with probability 1 - p, or each distinct decision of the day, with probability p each
  (the model scores each decision's "acting at all" factor); then each yes/no observation the actor can have
  (justified force used; an accident on alert), with its own probability;
- choice: for each decision, the probability of its option (action@target) among the actor's n options.

Each probability is a Jeffreys-smoothed frequency over the counts of a state s: p = (acts_s + 1/2) /
(trials_s + 1), option o given acting (count_s[o] + 1/2) / (acts_s + n/2), a coin (k_s + 1/2) / (m_s + 1)
(a trial is a decision or a holding day). The base rate has one state; Markov-1's state is what the actor did
the day before (its last decision, or holding; for a coin, whether it was observed the day before).

In-sample, the counts are taken over the whole record, the scored day included. Prequential (Dawid 1984), day
t is scored with the counts of days 0..t-1 only, and its own counts are added after: each day's forecast uses
nothing from that day or later. With the Jeffreys prior this is the Bayesian predictive probability, so the
prequential total is the log marginal likelihood of the record under a Beta/Dirichlet(1/2) prior (up to the
days with several decisions, whose decisions are all predicted from the day before).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .record import ActorDay

JEFFREYS = 0.5
HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Term:
    """One actor-day's log-probability (nats): acting or holding, the yes/no coins, the options chosen."""

    act: float
    coins: float
    choice: float

    @property
    def timing(self) -> float:
        return self.act + self.coins


def last_decision(day: ActorDay | None) -> str:
    """Markov-1's state: the actor's last decision of the day (action@target), or holding."""
    if day is None or not day.acts:
        return HOLD
    action, target, _ = day.acts[-1]
    return f"{action}@{target}"


@dataclass
class _Counts:
    trials: Counter = field(default_factory=Counter)
    acts: Counter = field(default_factory=Counter)
    chosen: defaultdict = field(default_factory=lambda: defaultdict(Counter))
    coins: defaultdict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # (what, state) -> [m, k]

    def add(self, day: ActorDay, state: str, coin_states: dict[str, bool], coins: tuple[str, ...]) -> None:
        self.trials[state] += max(1, len(day.acts))
        self.acts[state] += len(day.acts)
        for action, target, _ in day.acts:
            self.chosen[state][f"{action}@{target}"] += 1
        for what in coins:
            cell = self.coins[(what, coin_states[what])]
            cell[0] += 1
            cell[1] += getattr(day, what) is not None

    def term(self, day: ActorDay, state: str, coin_states: dict[str, bool], n: int, coins: tuple[str, ...]) -> Term:
        p_act = (self.acts[state] + JEFFREYS) / (self.trials[state] + 2 * JEFFREYS)
        act = len(day.acts) * math.log(p_act) if day.acts else math.log(1.0 - p_act)
        given = self.chosen[state]
        denominator = self.acts[state] + JEFFREYS * n
        choice = sum(math.log((given[f"{a}@{t}"] + JEFFREYS) / denominator) for a, t, _ in day.acts)
        nats = 0.0
        for what in coins:
            m, k = self.coins[(what, coin_states[what])]
            p = (k + JEFFREYS) / (m + 2 * JEFFREYS)
            nats += math.log(p if getattr(day, what) is not None else 1.0 - p)
        return Term(act, nats, choice)


def counted_terms(days: list[ActorDay], n: int, coins: tuple[str, ...], markov: bool, prequential: bool) -> list[Term]:
    """Each day's term under the base rate (markov=False) or Markov-1, in-sample or prequential."""
    n = max(1, n)
    states, coin_states = [], []
    for i in range(len(days)):
        before = days[i - 1] if i else None
        states.append(last_decision(before) if markov else "all")
        coin_states.append({w: markov and before is not None and getattr(before, w) is not None for w in coins})
    counts = _Counts()
    if not prequential:
        for day, s, c in zip(days, states, coin_states, strict=True):
            counts.add(day, s, c, coins)
    out = []
    for day, s, c in zip(days, states, coin_states, strict=True):
        out.append(counts.term(day, s, c, n, coins))
        if prequential:
            counts.add(day, s, c, coins)
    return out
