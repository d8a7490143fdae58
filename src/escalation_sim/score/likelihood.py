"""`score_scenario`: the log-likelihood of a scenario's record, its parts, its Monte Carlo error, the baselines.

The estimate is the mean over `replications` independent particle filters of `particles` particles each; the
Monte Carlo standard error is their standard deviation over the square root of their number (the spread of one
filter, `mc_sd`, is reported too). Timing and choice, per actor and per event, are chain-rule parts of the same
total (docs/validation.md), so they add up to it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Scenario
from .baselines import BASELINES, FIT, parameter_counts, score_baselines
from .filter import FilterRun, run_filter
from .parallel import map_calls
from .record import Until, observed, scored_days, unchoosable


class UnscorableError(ValueError):
    """The record holds events the model could not have produced (see `record.unchoosable`)."""


@dataclass
class ScoreResult:
    scenario: str
    days: int
    actor_days: int
    particles: int
    replications: list[float]
    timing: float
    choice: float
    floor_nats: float
    per_actor: pd.DataFrame  # actor, timing, choice, total; each baseline's total, {name}_timing, {name}_choice
    per_event: pd.DataFrame  # event_id, date, actor, timing, choice, total
    baselines: dict[str, dict[str, dict[str, float]]]
    resamples: float = 0.0
    min_ess: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def log_likelihood(self) -> float:
        return float(np.mean(self.replications))

    @property
    def mc_sd(self) -> float:
        return float(np.std(self.replications, ddof=1)) if len(self.replications) > 1 else math.nan

    @property
    def mc_se(self) -> float:
        return self.mc_sd / math.sqrt(len(self.replications)) if len(self.replications) > 1 else math.nan

    def baseline_total(self, name: str) -> float:
        return sum(p["timing"] + p["choice"] for p in self.baselines[name].values())

    def baseline_summary(self) -> dict[str, dict[str, Any]]:
        """Each baseline's total, timing and choice (nats), how it was fitted and its parameter count."""
        counts = self.extra.get("baseline_parameters", {})
        return {
            name: {
                "total": self.baseline_total(name),
                "timing": sum(p["timing"] for p in parts.values()),
                "choice": sum(p["choice"] for p in parts.values()),
                "fit": FIT[name],
                "parameters": counts.get(name),
            }
            for name, parts in self.baselines.items()
        }

    def as_json(self) -> dict[str, Any]:
        """What `score --json` prints: numbers in nats."""
        return {
            "scenario": self.scenario,
            "log_likelihood": self.log_likelihood,
            "timing": self.timing,
            "choice": self.choice,
            "mc_se": self.mc_se,
            "mc_sd": self.mc_sd,
            "floor_nats": self.floor_nats,
            "floor_share": self.floor_nats / self.log_likelihood if self.log_likelihood else 0.0,
            "particles": self.particles,
            "replications": len(self.replications),
            "days": self.days,
            "actor_days": self.actor_days,
            "resamples_per_filter": self.resamples,
            "min_ess": self.min_ess,
            "baselines": self.baseline_summary(),
            "per_actor": self.per_actor.set_index("actor").to_dict(orient="index"),
            "per_event": self.per_event.to_dict(orient="records"),
        }


def _one(scenario: Scenario, days: int, particles: int, seed: int) -> FilterRun:
    return run_filter(scenario, days, particles, seed)


def score_scenario(
    scenario: Scenario,
    particles: int = 1000,
    replications: int = 4,
    seed: int = 0,
    until: Until = "record",
    executor: str = "serial",
    workers: int | None = None,
    done: Callable[[], None] | None = None,
) -> ScoreResult:
    """Score the scenario's record; raise UnscorableError if an event could not have been chosen."""
    problems = unchoosable(scenario)
    if problems:
        raise UnscorableError(f"{scenario.name}: " + "; ".join(problems))
    days = scored_days(scenario, until)
    seeds = np.random.SeedSequence(seed).generate_state(replications)
    runs: list[FilterRun] = map_calls(
        _one, [(scenario, days, particles, int(s)) for s in seeds], executor, workers, done=done
    )
    record = observed(scenario, days)
    baselines = score_baselines(scenario, record)
    result = _assemble(scenario, days, particles, runs, baselines)
    result.extra["baseline_parameters"] = parameter_counts(scenario)
    return result


def _assemble(scenario: Scenario, days: int, particles: int, runs: list[FilterRun], baselines: Any) -> ScoreResult:
    r = len(runs)
    actor = defaultdict(lambda: {"timing": 0.0, "choice": 0.0})
    event = defaultdict(lambda: {"timing": 0.0, "choice": 0.0})
    for run in runs:
        for (day, (name, kind, what)), nats in run.parts.items():
            actor[name][kind] += nats / r
            label = what if what not in ("hold", "silent", "no justification", "no accident") else f"{name} {what}"
            event[label][kind] += nats / r
            event[label].setdefault("actor", name)
            event[label].setdefault("first_day", day)
    dates = {e.id: e.date.isoformat() for e in scenario.events}
    actor_rows = []
    for name in scenario.actors:
        parts = actor[name]
        row = {
            "actor": name,
            "timing": parts["timing"],
            "choice": parts["choice"],
            "total": parts["timing"] + parts["choice"],
        }
        for b in BASELINES:
            part = baselines[b][name]
            row |= {b: part["timing"] + part["choice"], f"{b}_timing": part["timing"], f"{b}_choice": part["choice"]}
        actor_rows.append(row)
    event_rows = [
        {
            "event_id": label,
            "date": dates.get(label, ""),
            "actor": parts["actor"],
            "timing": parts["timing"],
            "choice": parts["choice"],
            "total": parts["timing"] + parts["choice"],
        }
        for label, parts in event.items()
    ]
    return ScoreResult(
        scenario=scenario.name,
        days=days,
        actor_days=days * len(scenario.actors),
        particles=particles,
        replications=[run.log_likelihood for run in runs],
        timing=sum(p["timing"] for p in actor.values()),
        choice=sum(p["choice"] for p in actor.values()),
        floor_nats=float(np.mean([run.floor_nats for run in runs])),
        per_actor=pd.DataFrame(actor_rows),
        per_event=pd.DataFrame(event_rows, columns=["event_id", "date", "actor", "timing", "choice", "total"]),
        baselines=baselines,
        resamples=float(np.mean([run.resamples for run in runs])),
        min_ess=float(min(run.min_ess for run in runs)) if runs else math.nan,
    )
