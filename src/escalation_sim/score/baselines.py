"""Baselines the model must beat to claim it explains the record: the same actor-days, scored by simple rules.

Every baseline gives each actor-day the probability of what the model's record likelihood scores there
(`filter.py`): timing, i.e. holding, or acting once for each distinct decision of the day, plus the justification
and accident observations where the actor can have them; and choice, i.e. which option (action, target), given
acting, for each decision. So a baseline's timing and choice are comparable with the model's, part by part.

- uniform: every option equally likely each day (holding included); justification and accident each a fair
  coin. What "knowing nothing" scores. No parameters.
- base_rate, markov1 (in-sample): each actor's own frequencies over the whole record (markov1: given what the
  actor did the day before), fitted to the very record they score; `parameters` says how many numbers that fit
  takes, per actor about n (base rate) or n^2 (Markov-1) for n options.
- prequential_base_rate, prequential_markov1 (`counts.py`): the same frequencies, but each day predicted from
  the days before it only, starting from a Jeffreys prior (Dawid 1984).
- hawkes (`hawkes.py`): a self-exciting event-count process per actor for timing, fitted by maximum likelihood
  on the days before each day; its choice and its justification/accident coins are the prequential base rate's.

docs/validation.md ("Baselines") writes out each formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..model import EscalationModel
from ..scenario import Scenario
from .counts import Term, counted_terms
from .hawkes import hawkes_terms
from .record import ActorDay

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
    """What is observed of one actor each day: its number of options besides holding, and which yes/no
    observations (justified, accident) it can have."""

    options: int
    coins: tuple[str, ...]


def options_of(scenario: Scenario) -> dict[str, list[tuple[str, str | None]]]:
    """Each actor's options besides holding, as (action, target)."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    return {a.actor_id: [(o.action, o.target) for o in a.options if o.action != "hold"] for a in model.actors}


def spaces_of(scenario: Scenario) -> dict[str, Space]:
    """Each actor's event space, as the model's likelihood scores it."""
    out = {}
    for actor, options in options_of(scenario).items():
        spec = scenario.actors[actor]
        coins = (("justified",) if any(scenario.actions[c].justifies for c in spec.capabilities) else ()) + (
            ("accident",) if spec.accident_rate > 0 else ()
        )
        out[actor] = Space(len(options), coins)
    return out


def uniform_terms(days: list[ActorDay], space: Space) -> list[Term]:
    n = max(1, space.options)
    out = []
    for d in days:
        act = len(d.acts) * math.log(n / (n + 1)) if d.acts else math.log(1.0 / (n + 1))
        out.append(Term(act, len(space.coins) * math.log(0.5), len(d.acts) * math.log(1.0 / n)))
    return out


TERMS: dict[str, Callable[[list[ActorDay], Space], list[Term]]] = {
    "uniform": uniform_terms,
    "base_rate": lambda days, s: counted_terms(days, s.options, s.coins, markov=False, prequential=False),
    "markov1": lambda days, s: counted_terms(days, s.options, s.coins, markov=True, prequential=False),
    "prequential_base_rate": lambda days, s: counted_terms(days, s.options, s.coins, False, True),
    "prequential_markov1": lambda days, s: counted_terms(days, s.options, s.coins, True, True),
    "hawkes": lambda days, s: hawkes_terms(days, s.options, s.coins),
}


def parameters(name: str, space: Space) -> int:
    """Numbers a baseline fits to the record it scores, for one actor: for the in-sample ones, the free
    probabilities of acting, of each option given acting, and of each coin (Markov-1: one set per previous
    day's state: holding or one of the n options; coins per yesterday's coin). The prequential ones fit
    nothing to the day they score (their counts and Hawkes fits use earlier days only): 0."""
    n, k = space.options, len(space.coins)
    if name == "base_rate":
        return 1 + max(0, n - 1) + k
    if name == "markov1":
        return (n + 1) * (1 + max(0, n - 1)) + 2 * k
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
