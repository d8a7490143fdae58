"""How a scenario's reports depend on its declared priors (issue 17, item 4).

A regime rule's trigger probabilities and its filter tremble have no measured value: they are declared priors.
`prior_sensitivity` re-scores the record and re-runs the scenario over a grid of them (every regime actor's
`filter_tremble` x every trigger's `probability`, all triggers at once), so a report built on one cell can show
how far its numbers move across the others. One row per cell:

    tremble, trigger          the cell
    p_<event>                 median replay probability of each recorded decision of a regime actor
    loglik                    the record's log-likelihood over those decisions (sum of log medians)
    de-escalation, ...        outcome shares over `runs` runs from the branch (common seeds 0..runs-1)
    <actor>_leadership_strike_8w   posterior-predictive checks: a leadership strike by the actor decided by the
    <actor>_killed_after_branch    model within 8 weeks of the branch; the actor losing anyone after the branch
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .model import EscalationModel
from .results.outcomes import OUTCOMES
from .runner import history_probabilities
from .scenario import Scenario

TREMBLES: tuple[float, ...] = (0.0, 1e-4, 1e-3, 1e-2)  # issue 17: the prior's range, log10 ~ U(-4, -2), and 0
TRIGGERS: tuple[float, ...] = (0.1, 0.3, 0.5, 0.7, 0.9)  # the declared prior U(0.1, 0.9), in steps of 0.2
CHECK_DAYS = 56  # eight weeks: issue 17's window for a second leadership strike
FLOOR = 1e-300  # a decision scored 0 still counts, as a very unlikely one, in the log-likelihood


def regime_actors(scenario: Scenario) -> list[str]:
    """Actors whose rule is a regime: the ones with trigger probabilities and a filter tremble to vary."""
    found = [name for name, actor in scenario.actors.items() if getattr(actor.rule, "name", None) == "regime"]
    if not found:
        raise ValueError(
            f"scenario {scenario.name!r}: no actor has a `regime` rule, so there is no trigger probability or "
            "filter tremble to vary"
        )
    return found


def with_priors(scenario: Scenario, tremble: float, trigger: float) -> Scenario:
    """The scenario with every regime actor's filter tremble and every trigger probability set to one value."""
    edits: dict[str, Any] = {}
    for name in regime_actors(scenario):
        rule = scenario.actors[name].rule
        edits[f"actors.{name}.rule.filter_tremble"] = tremble
        triggers = [t.model_dump() | {"probability": trigger} for t in rule.triggers]  # type: ignore[union-attr]
        edits[f"actors.{name}.rule.triggers"] = triggers
    return scenario.with_edits(edits)


def run_checks(model: EscalationModel, actors: Sequence[str]) -> dict[str, bool]:
    """One run's posterior-predictive checks per actor: a leadership strike the model decided within
    CHECK_DAYS of the branch, and anyone of the actor's killed from the branch on (to the horizon)."""
    branch = model.branch_date
    out = {}
    for a in actors:
        out[f"{a}_leadership_strike_8w"] = any(
            r.origin == "model"
            and r.actor == a
            and r.action == "leadership_strike"
            and (r.date - branch).days < CHECK_DAYS
            for r in model.records
        )
        out[f"{a}_killed_after_branch"] = any(r.killed.get(a, 0) > 0 and r.date >= branch for r in model.records)
    return out


def check_grid(trembles: Sequence[float], triggers: Sequence[float]) -> None:
    """Raise ValueError naming the value out of the schema's range (tremble in [0, 0.5], trigger in (0, 1])."""
    for t in trembles:
        if not 0.0 <= t <= 0.5:
            raise ValueError(f"tremble {t}: expected a number from 0 to 0.5 (a regime's filter_tremble)")
    for p in triggers:
        if not 0.0 < p <= 1.0:
            raise ValueError(f"trigger {p}: expected a probability above 0 and at most 1")


def sensitivity_cell(scenario: Scenario, tremble: float, trigger: float, runs: int, seeds: int) -> dict[str, Any]:
    """One cell's key numbers: replay medians and log-likelihood, outcome shares, posterior-predictive checks."""
    edited = with_priors(scenario, tremble, trigger)
    actors = regime_actors(scenario)
    table = history_probabilities(edited, seeds=seeds)
    decisions = table[table["actor"].isin(actors) & table["median"].notna()]
    medians = {f"p_{row.event_id}": float(row.median) for row in decisions.itertuples()}
    loglik = sum(math.log(max(p, FLOOR)) for p in medians.values())
    counts = dict.fromkeys(OUTCOMES, 0)
    checks = {f"{a}_{c}": 0 for a in actors for c in ("leadership_strike_8w", "killed_after_branch")}
    for seed in range(runs):
        model = EscalationModel(scenario=edited, rng=seed, collect=False)
        model.run_model()
        counts[model.outcome.outcome] += 1
        for name, hit in run_checks(model, actors).items():
            checks[name] += hit
    shares = {k: v / runs for k, v in (counts | checks).items()} if runs else {}
    return {
        "tremble": tremble,
        "trigger": trigger,
        "runs": runs,
        "replay_seeds": seeds,
        **medians,
        "loglik": loglik,
        **shares,
    }


def prior_sensitivity(
    scenario: Scenario,
    trembles: Sequence[float] = TREMBLES,
    triggers: Sequence[float] = TRIGGERS,
    runs: int = 100,
    seeds: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """The grid trembles x triggers, one row per cell (see the module's docstring). `progress(done, total)`."""
    check_grid(trembles, triggers)
    regime_actors(scenario)  # fail before the first cell, not after it
    if scenario.branch_date is None and runs:
        raise ValueError(f"scenario {scenario.name!r} has no branch_date: nothing to run from (use runs=0)")
    cells = [(t, p) for t in trembles for p in triggers]
    rows = []
    for done, (t, p) in enumerate(cells, start=1):
        rows.append(sensitivity_cell(scenario, t, p, runs, seeds))
        if progress:
            progress(done, len(cells))
    return pd.DataFrame(rows)
