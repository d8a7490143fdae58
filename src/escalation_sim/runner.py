"""Running one scenario: the model to the horizon, its records as tables, and the files a run leaves behind.

Tables are pandas DataFrames; files are CSV and JSON that pandas reads back as they were written. Outputs are
byte-identical for the same scenario and seed (no timestamps, fixed float formatting).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .files import write_csv, write_text
from .model import EscalationModel
from .provenance import provenance
from .results.standard_coding import StandardCoding, code_standard
from .scenario import Scenario, load_scenario

EVENT_COLUMNS = [
    "date",
    "day",
    "actor",
    "target",
    "action",
    "label",
    "rung",
    "group",
    "killed",
    "wounded",
    "killed_by_nation",
    "wounded_by_nation",
    "origin",
    "probability",
    "reason",
    "event_id",
    "attributed_to",
    "cameo",
    "goldstein",
    "mid_level",
    "mid_action",
]


@dataclass
class RunResult:
    """A finished run: the model (for inspection) and its tables."""

    model: EscalationModel
    seed: int | None

    @property
    def scenario(self) -> Scenario:
        return self.model.crisis

    @property
    def outcome(self):
        return self.model.outcome

    @property
    def events(self) -> pd.DataFrame:
        return events_frame(self.model)

    @property
    def actors(self) -> pd.DataFrame:
        return actors_frame(self.model)

    @property
    def summary(self) -> dict[str, Any]:
        return summary_dict(self.model, self.seed)


def run(
    scenario: Scenario | str | Path,
    seed: int | None = 0,
    branch_date: dt.date | str | None = None,
    replay_only: bool = False,
    collect: bool = True,
) -> RunResult:
    """Run a scenario to its horizon with one seed."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = EscalationModel(
        scenario=scenario, rng=seed, branch_date=branch_date, replay_only=replay_only, collect=collect
    )
    model.run_model()
    return RunResult(model, seed)


def _by_nation(values: dict[str, int]) -> str:
    return ";".join(f"{k}={v}" for k, v in values.items())


def events_frame(model: EscalationModel) -> pd.DataFrame:
    """One row per action taken (holds are not rows), with its codes, probability and reason."""
    rows = []
    for r in model.records:
        action = model.ladder[r.action]
        rows.append(
            {
                "date": r.date.isoformat(),
                "day": r.day,
                "actor": r.actor or "",
                "target": r.target or "",
                "action": r.action,
                "label": action.label,
                "rung": r.rung,
                "group": action.group,
                "killed": r.killed_total,
                "wounded": sum(r.wounded.values()),
                "killed_by_nation": _by_nation(r.killed),
                "wounded_by_nation": _by_nation(r.wounded),
                "origin": r.origin,
                "probability": None if math.isnan(r.probability) else round(r.probability, 6),
                "reason": r.reason,
                "event_id": r.event_id or "",
                "attributed_to": r.attributed,
                "cameo": action.cameo or "",
                "goldstein": action.goldstein,
                "mid_level": action.mid_level,
                "mid_action": action.mid_action,
            }
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def actors_frame(model: EscalationModel) -> pd.DataFrame:
    """Each actor's state at the end of each day (needs `collect=True`), with the day's highest hostile rung."""
    if not model.collect:
        raise ValueError("actor states were not collected: run the model with collect=True")
    frame = model.datacollector.get_agent_vars_dataframe().reset_index()
    dates = model.datacollector.get_model_vars_dataframe()["date"].tolist()
    frame["date"] = [dates[int(step) - 1] for step in frame["Step"]]
    frame["day"] = frame["Step"].astype(int) - 1
    index = {a: i for i, a in enumerate(model.actor_ids)}
    rungs = model.daily_rung
    frame["rung"] = [
        (int(rungs[d, index[a]]) if rungs[d, index[a]] > -99 else None)
        for d, a in zip(frame["day"], frame["actor"], strict=True)
    ]
    columns = [
        "date",
        "day",
        "actor",
        "rung",
        "last_action",
        "alert",
        "domestic_pressure",
        "credibility",
        "legitimacy_cost",
        "grievance",
        "unanswered",
        "killed",
        "wounded",
    ]
    if model.believers:
        columns.append("beliefs")  # what each actor believes of the others (issue 8); absent without beliefs
    frame = frame[columns].copy()
    for col in ("alert", "domestic_pressure", "credibility", "legitimacy_cost", "grievance", "unanswered"):
        frame[col] = frame[col].astype(float).round(6)
    frame["rung"] = frame["rung"].astype("Int64")
    return frame


def summary_dict(model: EscalationModel, seed: int | None) -> dict[str, Any]:
    """summary.json: the scenario and seed, the outcome's row (`Outcome.as_row`), casualties by nation and each
    actor's responses, the outcome thresholds and the package version."""
    o = model.outcome
    scenario = model.crisis
    row = o.as_row()
    row["hostile_acts_after_branch"] = row.pop("hostile_acts")
    return {
        "scenario": scenario.name,
        "scenario_sha256": scenario.sha256(),
        "seed": seed,
        "branch_date": model.branch_date.isoformat() if model.branch_date else None,
        "start_date": scenario.start_date.isoformat(),
        "end_date": scenario.end_date.isoformat(),
        **row,
        "casualties": {
            "killed": dict(sorted(o.killed.items())),
            "wounded": dict(sorted(o.wounded.items())),
            "killed_after_branch": dict(sorted(o.killed_after_branch.items())),  # hostile acts only
        },
        "dyads": [d.as_dict() for d in o.dyads],
        "first_response": o.first_response,
        "first_response_day": o.first_response_day,
        "strongest_response": o.strongest_response,
        "rules": {actor_id: actor.rule.name for actor_id, actor in scenario.actors.items()},  # who decided
        "thresholds": scenario.outcomes.model_dump(),
        **provenance(),  # version, git commit, library versions
    }


def history_probabilities(scenario: Scenario, seeds: int = 200) -> pd.DataFrame:
    """For each historical event, the probability the model gave it, across replays with different seeds."""
    per_event: dict[str, list[float]] = {}
    first: dict[str, Any] = {}
    for seed in range(seeds):
        model = EscalationModel(scenario=scenario, rng=seed, replay_only=True, collect=False)
        model.run_model()
        for record in model.records:
            if record.event_id is None or record.origin != "history":  # an operation's acts are not decisions
                continue
            per_event.setdefault(record.event_id, []).append(record.probability)
            first.setdefault(record.event_id, record)
    rows = []
    for event_id, values in per_event.items():
        r = first[event_id]
        series = pd.Series(values, dtype=float)
        rows.append(
            {
                "event_id": event_id,
                "date": r.date.isoformat(),
                "actor": r.actor or "",
                "action": r.action,
                "target": r.target or "",
                "mean": series.mean(),
                "median": series.median(),  # lies inside q05-q95, which the mean of a skewed series may not
                "q05": series.quantile(0.05),
                "q95": series.quantile(0.95),
            }
        )
    return pd.DataFrame(rows)


def code_history(scenario: Scenario) -> StandardCoding:
    """History as recorded (every event replayed, no branch), coded from the scenario's branch date by the same
    rule as the model's runs: what a case's `observed_outcome` must be."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    model.run_model()
    branch = (scenario.branch_date - scenario.start_date).days if scenario.branch_date is not None else 0
    return code_standard(model, branch)


def write_run(result: RunResult, out: str | Path) -> list[Path]:
    """Write events.csv, actors.csv and summary.json into `out`; return the paths written.

    Figures belong to the analysis layer above this one (`plots.timeline`), which the CLI calls.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    events = out / "events.csv"
    write_csv(result.events, events, float_format="%.6g")  # text cells spreadsheet-safe, written atomically
    written.append(events)
    if result.model.collect:
        actors = out / "actors.csv"
        write_csv(result.actors, actors, float_format="%.6g")
        written.append(actors)
    summary = out / "summary.json"
    write_text(summary, json.dumps(result.summary, indent=2) + "\n")
    written.append(summary)
    return written
