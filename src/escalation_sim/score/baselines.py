"""Baselines the model must beat to claim it explains the record: the same actor-days, scored by simple rules.

- uniform: every available option equally likely each day (holding included); justification and accident
  each a fair coin. What "knowing nothing" scores.
- base_rate: each actor's own frequencies over the record: how often it acted, which option when it acted,
  how often it justified or had an accident.
- markov1: a first-order Markov chain per actor: the same frequencies given what the actor did the day before.

The fitted baselines are fitted to the very record they score (in-sample), with Jeffreys smoothing (half a
count added to every outcome) so that nothing gets probability zero; that favours them over the model, whose
parameters were not fitted to the record. Timing and choice are split as for the model.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable

from ..model import EscalationModel
from ..scenario import Scenario
from .record import ActorDay

Parts = dict[str, dict[str, float]]  # actor -> {"timing": nats, "choice": nats}
BASELINES = ("uniform", "base_rate", "markov1")


def options_of(scenario: Scenario) -> dict[str, list[tuple[str, str | None]]]:
    """Each actor's options besides holding, as (action, target)."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    return {a.actor_id: [(o.action, o.target) for o in a.options if o.action != "hold"] for a in model.actors}


def score_baselines(scenario: Scenario, record: list[list[ActorDay]]) -> dict[str, Parts]:
    """Timing and choice log-likelihood per actor of the record under each baseline."""
    options = options_of(scenario)
    can_justify = {k: any(scenario.actions[c].justifies for c in a.capabilities) for k, a in scenario.actors.items()}
    accident_prone = {k: a.accident_rate > 0 for k, a in scenario.actors.items()}
    out: dict[str, Parts] = {}
    for name in BASELINES:
        parts: Parts = {a: {"timing": 0.0, "choice": 0.0} for a in scenario.actors}
        for actor in scenario.actors:
            days = [row[list(scenario.actors).index(actor)] for row in record]
            n = len(options[actor])
            scorer = _SCORERS[name](days, n)
            prev = "hold"
            for slot in days:
                timing, choice = scorer(slot, prev)
                parts[actor]["timing"] += timing
                parts[actor]["choice"] += choice
                if can_justify[actor]:
                    parts[actor]["timing"] += _coin(name, days, slot, "justified")
                if accident_prone[actor]:
                    parts[actor]["timing"] += _coin(name, days, slot, "accident")
                prev = slot.acts[-1][0] + "@" + str(slot.acts[-1][1]) if slot.acts else "hold"
        out[name] = parts
    return out


Scorer = Callable[[ActorDay, str], tuple[float, float]]


def _uniform(days: list[ActorDay], n: int) -> Scorer:
    def score(slot: ActorDay, prev: str) -> tuple[float, float]:
        if not slot.acts:
            return math.log(1.0 / (n + 1)), 0.0
        return len(slot.acts) * math.log(n / (n + 1)), len(slot.acts) * math.log(1.0 / max(1, n))

    return score


def _base_rate(days: list[ActorDay], n: int) -> Scorer:
    counts = Counter(f"{a}@{t}" for d in days for a, t, _ in d.acts)
    decisions = sum(max(1, len(d.acts)) for d in days)
    acts = sum(counts.values())

    def score(slot: ActorDay, prev: str) -> tuple[float, float]:
        p_act = (acts + 0.5) / (decisions + 1.0)
        if not slot.acts:
            return math.log(1.0 - p_act), 0.0
        choice = sum(math.log((counts[f"{a}@{t}"] + 0.5) / (acts + 0.5 * n)) for a, t, _ in slot.acts)
        return len(slot.acts) * math.log(p_act), choice

    return score


def _markov1(days: list[ActorDay], n: int) -> Scorer:
    acted: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # prev -> [decisions, acts]
    chosen: dict[str, Counter] = defaultdict(Counter)
    prev = "hold"
    for d in days:
        acted[prev][0] += max(1, len(d.acts))
        acted[prev][1] += len(d.acts)
        for a, t, _ in d.acts:
            chosen[prev][f"{a}@{t}"] += 1
        prev = d.acts[-1][0] + "@" + str(d.acts[-1][1]) if d.acts else "hold"

    def score(slot: ActorDay, prev: str) -> tuple[float, float]:
        decisions, acts = acted[prev]
        p_act = (acts + 0.5) / (decisions + 1.0)
        if not slot.acts:
            return math.log(1.0 - p_act), 0.0
        counts = chosen[prev]
        choice = sum(math.log((counts[f"{a}@{t}"] + 0.5) / (acts + 0.5 * n)) for a, t, _ in slot.acts)
        return len(slot.acts) * math.log(p_act), choice

    return score


_SCORERS: dict[str, Callable[[list[ActorDay], int], Scorer]] = {
    "uniform": _uniform, "base_rate": _base_rate, "markov1": _markov1,
}  # fmt: skip


def _coin(name: str, days: list[ActorDay], slot: ActorDay, what: str) -> float:
    """A yes/no observation (justified, had an accident): a fair coin (uniform) or its smoothed frequency."""
    happened = getattr(slot, what) is not None
    if name == "uniform":
        return math.log(0.5)
    if name == "markov1":
        index = days.index(slot)
        before = days[index - 1] if index else None
        same = [d for i, d in enumerate(days) if i and (getattr(days[i - 1], what) is None) == (
            before is None or getattr(before, what) is None)]  # fmt: skip
        pool = same or days
    else:
        pool = days
    k = sum(getattr(d, what) is not None for d in pool)
    p = (k + 0.5) / (len(pool) + 1.0)
    return math.log(p if happened else 1.0 - p)
