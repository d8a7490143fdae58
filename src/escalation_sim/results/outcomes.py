"""How a run ended: war, protracted conflict or de-escalation, by thresholds the scenario sets, and beside them
the per-dyad coding researchers use (`dyads`: MID fields, UCDP/COW thresholds, ICB termination, censoring).

The three classes are a summary coded by `standard_coding` from battle deaths per dyad after the branch point
(docs/outcomes.md): war at the COW threshold (`war_deaths` within twelve months), protracted at the UCDP armed-
conflict threshold (25 in a calendar year), de-escalation below it; the rung (`major_force`) is reported beside
the class, and so is the crisis as a duration (durations.py: `duration_days` to the last calm-breaking act,
right-censored at the horizon by `duration_censored`, with `observed_days`), not inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .durations import duration
from .dyads import Dyad, censored, code_dyads, deaths_apart, dyad_columns, proxy_protracted
from .standard_coding import code_standard

if TYPE_CHECKING:
    from ..state.world import World

OutcomeClass = Literal["de-escalation", "protracted", "war"]
OUTCOMES: tuple[OutcomeClass, ...] = ("de-escalation", "protracted", "war")
NO_RUNG = -99  # "no hostile act" (shown as None in rows and files)

# The outcome's scalar columns, in the order of summary.json and of sweep rows.
OUTCOME_COLUMNS = (
    "outcome",
    "max_rung",
    "max_rung_overall",
    "days_to_calm",
    "hostile_deaths",
    "hostile_deaths_after_branch",
    "retaliations",
    "hostile_acts",
    "censored",
    "proxy_protracted",
    "accident_deaths_after_branch",
    "domestic_deaths_after_branch",
    "major_force",
    "ucdp_intensity",
    "duration_days",
    "duration_censored",
    "observed_days",
)
RESPONSE_KINDS = ("first_response", "first_response_day", "strongest_response")  # per actor, after the branch


@dataclass(slots=True)
class Outcome:
    """How a run ended, and what led there: the one summary of a run that every output is made from.

    `as_row(actors)` is its flat form: summary.json, sweep rows, `distribution` and the classroom debrief all
    read it, so a new outcome field is added here once.
    """

    outcome: OutcomeClass
    max_rung: int  # highest rung of a hostile act after the branch point (-99 if none)
    max_rung_overall: int  # highest rung of any hostile act, history included
    days_to_calm: int | None  # days from the branch to the last act breaking the calm; None if never calm
    hostile_deaths: int  # history included
    hostile_deaths_after_branch: int  # comparable across branch dates
    killed: dict[str, int]
    wounded: dict[str, int]
    retaliations: int
    hostile_acts: int  # after the branch point
    first_response: dict[str, str | None] = field(default_factory=dict)  # first hostile act after the branch
    first_response_day: dict[str, int | None] = field(default_factory=dict)
    strongest_response: dict[str, str | None] = field(default_factory=dict)  # highest-rung hostile act after it
    killed_after_branch: dict[str, int] = field(default_factory=dict)  # in hostile acts after the branch
    censored: bool = False  # a militarized act within calm_days of the horizon: the run was cut off
    proxy_protracted: bool = False  # sustained militia force without state war
    deaths_apart: dict[str, int] = field(default_factory=dict)  # accident / domestic deaths after the branch
    # the run as a duration (durations.py): days from the branch to the last calm-breaking act, whether the
    # horizon cut it off (still active: right-censored), and the days observed after the branch
    duration_days: int = 0
    duration_censored: bool = False
    observed_days: int = 0
    dyads: list[Dyad] = field(default_factory=list)
    major_force: bool = False  # a hostile act at or above war_rung after the branch (the rung, apart from the class)
    ucdp_intensity: int = 0  # highest UCDP intensity of a dyad-year: 0 below 25 deaths, 1 armed conflict, 2 war

    def as_row(self, actors: Sequence[str] = ()) -> dict[str, Any]:
        """One flat row: the scalar columns (no hostile act: None), then per actor in `actors` killed_<A>,
        wounded_<A> (with killed_other, wounded_other for everyone else) and each response kind."""
        row: dict[str, Any] = {
            "outcome": self.outcome,
            "max_rung": self.max_rung if self.max_rung != NO_RUNG else None,
            "max_rung_overall": self.max_rung_overall if self.max_rung_overall != NO_RUNG else None,
            "days_to_calm": self.days_to_calm,
            "hostile_deaths": self.hostile_deaths,
            "hostile_deaths_after_branch": self.hostile_deaths_after_branch,
            "retaliations": self.retaliations,
            "hostile_acts": self.hostile_acts,
            "censored": self.censored,
            "proxy_protracted": self.proxy_protracted,
            "accident_deaths_after_branch": self.deaths_apart.get("accident", 0),
            "domestic_deaths_after_branch": self.deaths_apart.get("domestic", 0),
            "major_force": self.major_force,
            "ucdp_intensity": self.ucdp_intensity,
            "duration_days": self.duration_days,
            "duration_censored": self.duration_censored,
            "observed_days": self.observed_days,
        }
        if not actors:
            return row
        for kind, counts in (("killed", self.killed), ("wounded", self.wounded)):
            for a in actors:
                row[f"{kind}_{a}"] = int(counts.get(a, 0))
        for kind, counts in (("killed", self.killed), ("wounded", self.wounded)):
            row[f"{kind}_other"] = int(sum(v for k, v in counts.items() if k not in actors))
        for kind in RESPONSE_KINDS:
            values = getattr(self, kind)
            for a in actors:
                row[f"{kind}_{a}"] = values.get(a)
        for a in actors:
            row[f"killed_after_branch_{a}"] = int(self.killed_after_branch.get(a, 0))
        flat: dict[str, Any] = {}
        for dyad in self.dyads:
            flat.update(dyad.flat())
        for name in dyad_columns(tuple(actors)):
            row[name] = flat.get(name)
        return row


def per_actor_columns(actors: Sequence[str]) -> list[str]:
    """The per-actor and per-dyad columns `as_row(actors)` adds after the response kinds (for sweep tables)."""
    return [f"killed_after_branch_{a}" for a in actors] + dyad_columns(tuple(actors))


def classify(model: World) -> Outcome:
    """Classify the run as it stands (at the horizon once `running` is false)."""
    rules = model.crisis.outcomes
    days_run = model.day + 1
    branch = min(model.branch_day, days_run) if model.branch_date is not None else 0
    rungs = model.daily_rung[:days_run]
    after = rungs[branch:]
    max_rung = int(after.max()) if after.size else -99
    max_overall = int(rungs.max()) if rungs.size else -99
    deaths_after = sum(r.killed_total for r in model.records if _after_hostile(model, r, branch))
    standard = code_standard(model, branch)  # death-based, dyadic (COW / UCDP); history's deaths do not count
    outcome: OutcomeClass = standard.headline
    breaking = np.flatnonzero(after.max(axis=1) >= rules.calm_rung) if after.size else ()  # days calm broke
    loud = int(breaking[-1]) + 1 if len(breaking) else 0  # days up to the last of them
    quiet_at_end = after.shape[0] - loud
    days_to_calm: int | None = loud if quiet_at_end >= rules.calm_days else None
    killed: dict[str, int] = {}
    wounded: dict[str, int] = {}
    first: dict[str, str | None] = dict.fromkeys(model.actor_ids)
    first_day: dict[str, int | None] = dict.fromkeys(model.actor_ids)
    strongest: dict[str, str | None] = dict.fromkeys(model.actor_ids)
    strongest_rung: dict[str, int] = dict.fromkeys(model.actor_ids, -99)
    hostile_acts = 0
    killed_after: dict[str, int] = {}
    for record in model.records:
        for nation, count in record.killed.items():
            killed[nation] = killed.get(nation, 0) + count
        for nation, count in record.wounded.items():
            wounded[nation] = wounded.get(nation, 0) + count
        if not _after_hostile(model, record, branch):
            continue
        hostile_acts += 1
        for nation, count in record.killed.items():
            killed_after[nation] = killed_after.get(nation, 0) + count
        if first[record.actor] is None:
            first[record.actor] = record.action
            first_day[record.actor] = record.day - branch
        if record.rung > strongest_rung[record.actor]:
            strongest_rung[record.actor] = record.rung
            strongest[record.actor] = record.action
    lasted = duration(model, branch)
    return Outcome(
        outcome=outcome,
        max_rung=max_rung,
        max_rung_overall=max_overall,
        days_to_calm=days_to_calm,
        hostile_deaths=model.hostile_deaths,
        hostile_deaths_after_branch=deaths_after,
        killed=killed,
        wounded=wounded,
        retaliations=model.retaliations,
        hostile_acts=hostile_acts,
        first_response=first,
        first_response_day=first_day,
        strongest_response=strongest,
        killed_after_branch=killed_after,
        censored=censored(model, branch),
        proxy_protracted=proxy_protracted(model, branch),
        deaths_apart=deaths_apart(model, branch),
        dyads=code_dyads(model, branch),
        major_force=standard.major_force,
        ucdp_intensity=standard.ucdp_intensity,
        duration_days=lasted.days,
        duration_censored=lasted.censored,
        observed_days=lasted.observed,
    )


def _after_hostile(model: World, record: Any, branch: int) -> bool:
    """A hostile act of an actor after the branch point (what after-branch deaths and acts count)."""
    return (
        record.day >= branch and record.actor is not None and record.rung > 0 and model.ladder[record.action].is_hostile
    )


def column_names(actors: tuple[str, ...]) -> list[str]:
    """A sweep's result columns besides the swept parameters (sweep/runner.py adds those from the point table)."""
    casualties = [f"{kind}_{a}" for kind in ("killed", "wounded") for a in actors]
    responses = [f"{kind}_{a}" for kind in RESPONSE_KINDS for a in actors]
    return [
        "run_id",
        "point",
        "replicate",
        "seed",
        "counterfactual",
        "branch_date",
        *OUTCOME_COLUMNS,
        *casualties,
        "killed_other",
        "wounded_other",
        *responses,
        *per_actor_columns(actors),
        "wall_time_s",
        "error",
    ]
