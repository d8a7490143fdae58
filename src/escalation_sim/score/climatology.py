"""The climatology baseline of a record: what the other (training) records say actors do on a day, pooled over
every actor of every training case, applied to a case it was not fitted on.

Scored on the same event space as the model and the other baselines (`baselines.py`: a decision per channel,
deeds and words, on each channel where the actor has options), with Jeffreys smoothing:
- timing, per channel c: acting p_c = (A_c + 1/2) / (N_c + 1), A_c the decisions and N_c the trials (decisions
  and holding days) on channel c of every actor-day of the pool that had options on c; justification and
  accident each their pooled frequency among the actor-days that could have them, (k + 1/2) / (m + 1), once a day;
- choice: the option (action a, target t) of a decision has probability P(a) / (the actor's options with
  action a), P(a) = (count_a + 1/2) / sum over the actor's actions a' on the same channel of (count_a' + 1/2):
  actions are common to every case (the ladder), targets are not, so targets are taken as equally likely.

The pool is fitted on the training split; `evaluation` leaves a training case out of its own pool, so no case
is scored by counts that include it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..scenario import Scenario
from .baselines import Parts, actor_days, channel_days, options_of, spaces_of
from .counts import JEFFREYS
from .record import ActorDay, observed, scored_days

CHANNEL = {False: "deeds", True: "words"}


@dataclass
class Pool:
    """Counts pooled over the actor-days of some records."""

    trials: Counter = field(default_factory=Counter)  # channel ("deeds", "words") -> trials
    acts: Counter = field(default_factory=Counter)  # channel -> decisions
    actions: Counter = field(default_factory=Counter)
    coins: defaultdict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # what -> [m, k]

    def __add__(self, other: Pool) -> Pool:
        out = Pool(self.trials + other.trials, self.acts + other.acts, self.actions + other.actions)
        for source in (self.coins, other.coins):
            for what, (m, k) in source.items():
                out.coins[what][0] += m
                out.coins[what][1] += k
        return out


def record_of(scenario: Scenario) -> list[list[ActorDay]]:
    return observed(scenario, scored_days(scenario, "record"))


def pool_of(scenario: Scenario) -> Pool:
    """The counts of one scenario's record (every actor-day through the last recorded event)."""
    record, spaces, pool = record_of(scenario), spaces_of(scenario), Pool()
    for actor in scenario.actors:
        space, days = spaces[actor], actor_days(scenario, record, actor)
        for words, n, coins in space.channels():
            if n:
                for day in channel_days(days, space, words, coins):
                    pool.trials[CHANNEL[words]] += max(1, len(day.acts))
                    pool.acts[CHANNEL[words]] += len(day.acts)
        for day in days:
            pool.actions.update(a for a, _, _ in day.acts)
            for what in space.coins:
                pool.coins[what][0] += 1
                pool.coins[what][1] += getattr(day, what) is not None
    return pool


def climatology_parts(scenario: Scenario, record: list[list[ActorDay]], pool: Pool) -> Parts:
    """Timing and choice log-likelihood per actor of the record under the pooled frequencies."""
    spaces, options = spaces_of(scenario), options_of(scenario)
    p_act = {c: (pool.acts[c] + JEFFREYS) / (pool.trials[c] + 2 * JEFFREYS) for c in CHANNEL.values()}
    coin = {w: (k + JEFFREYS) / (m + 2 * JEFFREYS) for w, (m, k) in pool.coins.items()}
    out: Parts = {}
    for actor in scenario.actors:
        space, days = spaces[actor], actor_days(scenario, record, actor)
        timing = choice = 0.0
        for words, n, coins in space.channels():
            targets = Counter(a for a, _ in options[actor] if (a in space.said) == words)
            weight = {a: pool.actions[a] + JEFFREYS for a in targets}
            total = sum(weight.values())
            p = p_act[CHANNEL[words]]
            for day in channel_days(days, space, words, coins):
                if n:
                    timing += len(day.acts) * math.log(p) if day.acts else math.log(1.0 - p)
                    choice += sum(math.log(weight[a] / total / targets[a]) for a, _, _ in day.acts)
                for what in coins:
                    q = coin.get(what, 0.5)
                    timing += math.log(q if getattr(day, what) is not None else 1.0 - q)
        out[actor] = {"timing": timing, "choice": choice}
    return out
