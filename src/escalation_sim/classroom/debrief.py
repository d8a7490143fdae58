"""Debriefs: a game against history and against the model's own runs from the same branch point, and a
class's games summarised for the instructor.

The model's runs come from the sweep API (`sweep.distribution`), the same runs as `escalation-sim distribution`
with that root seed; serial, because the app's server is multi-threaded and forking a pool there is unsafe.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..display import format_probability
from ..model import EscalationModel
from ..results.outcomes import OUTCOMES
from ..results.standard_coding import code_standard  # history coded from the branch, as the game is (issue 22)
from ..scenario import Scenario
from ..sweep.runner import distribution
from .briefing import option_text
from .saved import GameRecord

DEFAULT_RUNS = 200  # model runs behind a debrief: shares to within about 3 points, in about two seconds


def model_runs(scenario: Scenario, branch_date: dt.date, runs: int, seed: int = 0) -> pd.DataFrame:
    """The model's own runs from a game's branch point: `sweep.distribution`, serially in this process."""
    return distribution(scenario, n=runs, seed=seed, workers=1, branch_date=branch_date)


@dataclass(slots=True)
class PathStep:
    date: dt.date
    text: str
    note: str = ""


@dataclass(slots=True)
class HistoryView:
    """What history did from the branch point: the played actor's acts and how the crisis ended."""

    path: list[PathStep]
    outcome: str
    max_rung: int | None
    hostile_deaths: int
    first_response: str
    first_response_day: int | None
    by_date: dict[dt.date, list[str]]
    deaths_after_branch: int = 0  # all causes (hostile acts, accidents, incidents) from the branch point on
    killed_after_branch: dict[str, int] = field(default_factory=dict)  # the same, by nation


@dataclass(slots=True)
class Placement:
    """Where a game's outcome falls among the model's runs from the same branch point."""

    runs: int
    outcome_shares: dict[str, float]
    your_outcome_share: float | None
    deaths_below: float  # share of runs with fewer hostile deaths than the game
    deaths_above: float
    rung_below: float
    rung_above: float
    first_response_shares: dict[str, float]  # what the model's own actor did first


def placement_words(p: Placement, whose: str, outcome_share: bool) -> str:
    """The model's runs from the same branch point in a sentence, as the app's debriefs give it: their outcome
    shares, how often the game's outcome happens among them (`outcome_share`), and where `whose` deaths fall."""
    shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in p.outcome_shares.items())
    own = f" Your outcome happens in {100 * (p.your_outcome_share or 0):.0f}% of them;" if outcome_share else ""
    return (
        f"The model from the same branch point ({p.runs} runs): {shares}.{own} {100 * p.deaths_below:.0f}% of them "
        f"had fewer deaths than {whose}, {100 * p.deaths_above:.0f}% more."
    )


@dataclass(slots=True)
class Debrief:
    """One game against history and against the model's distribution."""

    player: str
    actor: str
    scenario_title: str
    branch_date: dt.date
    finished: bool
    days_played: int
    turns: int
    outcome: dict[str, Any]
    your_path: list[PathStep]
    history: HistoryView
    placement: Placement | None
    model_agreement: float | None  # mean probability the rule gave the player's own picks
    deaths_after_branch: int = 0  # the game's toll from the branch point on, all causes (accidents included)


def history_view(scenario: Scenario, actor_id: str, branch_date: dt.date) -> HistoryView:
    """The historical path of one actor from the branch point, and history's outcome (a replay, no draws)."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    while model.running:
        model.step()
    branch_day = (branch_date - scenario.start_date).days
    ladder = scenario.actions
    path: list[PathStep] = []
    by_date: dict[dt.date, list[str]] = {}
    first, first_day = "none", None
    for event in scenario.events:
        if event.actor != actor_id or event.date < branch_date:
            continue
        action = ladder[event.action]
        text = option_text(action.label, event.target)
        note = "not a choice: it happened to you" if not action.chosen else ""
        path.append(PathStep(event.date, text, note or event.id))
        by_date.setdefault(event.date, []).append(text)
        if first_day is None and action.is_hostile and action.rung > 0 and action.chosen:
            first, first_day = event.action, (event.date - branch_date).days
    after = model.daily_rung[branch_day:]
    top = int(after.max()) if after.size else -99
    killed: Counter[str] = Counter()
    for record in model.records:
        if record.day >= branch_day:
            killed.update(record.killed)
    return HistoryView(
        path=path,
        outcome=code_standard(model, branch_day).headline,
        max_rung=top if top > -99 else None,
        hostile_deaths=model.hostile_deaths,
        first_response=first,
        first_response_day=first_day,
        by_date=by_date,
        deaths_after_branch=sum(killed.values()),
        killed_after_branch=dict(sorted(killed.items())),
    )


def place(outcome: dict[str, Any], actor_id: str, runs_frame: pd.DataFrame) -> Placement:
    """Where a game's outcome falls among the model's runs (`model_runs`: one row per run, `Outcome.as_row`)."""
    runs = len(runs_frame)
    shares = runs_frame["outcome"].value_counts(normalize=True)
    outcome_shares = {o: float(shares.get(o, 0.0)) for o in OUTCOMES}
    finished = outcome.get("outcome") in OUTCOMES
    deaths = outcome.get("hostile_deaths", 0) if finished else 0
    rung = outcome.get("max_rung") if finished else None
    rung_value = rung if rung is not None else -99
    top_rungs = runs_frame["max_rung"].astype(float).fillna(-99)  # "no hostile act" is -99 or missing
    column = f"first_response_{actor_id}"
    if column in runs_frame:  # no hostile act is None in a row: "none" here
        first = runs_frame[column].fillna("none").value_counts(normalize=True)
    else:
        first = pd.Series(dtype=float)
    return Placement(
        runs=runs,
        outcome_shares=outcome_shares,
        your_outcome_share=outcome_shares.get(outcome.get("outcome", "")) if finished else None,
        deaths_below=float((runs_frame["hostile_deaths"] < deaths).mean()),
        deaths_above=float((runs_frame["hostile_deaths"] > deaths).mean()),
        rung_below=float((top_rungs < rung_value).mean()),
        rung_above=float((top_rungs > rung_value).mean()),
        first_response_shares={str(k): float(v) for k, v in first.items()},
    )


def debrief_game(record: GameRecord, runs: int = DEFAULT_RUNS, seed: int = 0) -> Debrief:
    """The player's path against history's, and the outcome against `runs` model runs from the same branch."""
    scenario = record.crisis()
    history = history_view(scenario, record.actor, record.branch_date)
    your_path = own_path(record, scenario)
    placement = None
    if runs > 0:
        placement = place(record.outcome, record.actor, model_runs(scenario, record.branch_date, runs, seed))
    return Debrief(
        player=record.player,
        actor=record.actor,
        scenario_title=record.scenario_title,
        branch_date=record.branch_date,
        finished=record.finished,
        days_played=record.days_played,
        turns=record.turns,
        outcome=record.outcome,
        your_path=your_path,
        history=history,
        placement=placement,
        model_agreement=_agreement(record),
        deaths_after_branch=sum(e.killed for e in record.events),
    )


def own_path(record: GameRecord, scenario: Scenario) -> list[PathStep]:
    """Everything the played actor did after the branch point: its choices, and what it did not choose
    (public justifications by its diplomats, accidents)."""
    ladder = scenario.actions
    picks = {(c.day, c.action, c.target): c for c in record.choices}
    path = []
    for event in record.events:
        if event.actor != record.actor:
            continue
        action = ladder[event.action]
        choice = picks.get((event.day, event.action, event.target))
        if choice is not None:
            p = choice.probability
            note = ("left to the model: " if choice.how == "model" else "") + (
                f"the model gave it p={format_probability(p)}" if p is not None else ""
            )
        elif action.justifies:
            note = "by your diplomats, not chosen"
        elif not action.chosen:
            note = "not a choice: it happened to you"
        else:
            note = event.origin
        path.append(PathStep(event.date, option_text(action.label, event.target), note))
    return path


def _agreement(record: GameRecord) -> float | None:
    picks = [c.probability for c in record.choices if c.how == "player" and c.probability is not None]
    return statistics.fmean(picks) if picks else None


# --- a class's games -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class GameRow:
    player: str
    source: str
    outcome: str
    max_rung: int | None
    hostile_deaths: int | None
    actions: int
    first_response: str
    model_agreement: float | None


@dataclass(slots=True)
class DatePoint:
    """One day after the branch point: what the class chose most often, against what history did."""

    date: dt.date
    played: int  # games that reached this day
    top_choices: list[tuple[str, int]]
    history: list[str]


@dataclass(slots=True)
class ClassSummary:
    """The games of one scenario, actor and branch point, for the instructor."""

    scenario_title: str
    scenario_sha256: str
    actor: str
    branch_date: dt.date
    games: list[GameRow]
    outcomes: dict[str, int]
    history: HistoryView
    model_outcome_shares: dict[str, float] | None
    runs: int
    first_responses: list[tuple[str, int]]
    by_date: list[DatePoint] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return sum(1 for g in self.games if g.outcome != "unfinished")


def class_debrief(
    records: list[tuple[str, GameRecord]], runs: int = DEFAULT_RUNS, seed: int = 0, top: int = 3
) -> list[ClassSummary]:
    """Summarise saved games, grouped by scenario (by content), played actor and branch point.

    `records` pairs each game with where it came from (a file name). `runs` model runs per group give the
    model's outcome shares to compare the class with (0 skips them).
    """
    groups: dict[tuple[str, str, dt.date], list[tuple[str, GameRecord]]] = {}
    for source, record in records:
        groups.setdefault((record.scenario_sha256, record.actor, record.branch_date), []).append((source, record))
    summaries = []
    for (sha, actor_id, branch), games in groups.items():
        scenario = games[0][1].crisis()
        history = history_view(scenario, actor_id, branch)
        rows = []
        outcomes: Counter[str] = Counter()
        firsts: Counter[str] = Counter()
        per_date: dict[dt.date, Counter[str]] = {}
        played: Counter[dt.date] = Counter()
        for source, record in games:
            o = record.outcome
            finished = record.outcome_class in OUTCOMES
            first = (o.get("first_response") or {}).get(actor_id) if finished else None
            if not finished:
                first = next((c.action for c in record.choices if c.rung > 0 and c.action != "hold"), None)
            rows.append(
                GameRow(
                    player=record.player or "(unnamed)",
                    source=source,
                    outcome=record.outcome_class,
                    max_rung=o.get("max_rung") if finished else None,
                    hostile_deaths=o.get("hostile_deaths") if finished else None,
                    actions=sum(1 for c in record.choices if c.action != "hold"),
                    first_response=first or "none",
                    model_agreement=_agreement(record),
                )
            )
            outcomes[record.outcome_class] += 1
            firsts[first or "none"] += 1
            for c in record.choices:
                per_date.setdefault(c.date, Counter())[c.label] += 1
                played[c.date] += 1
        points = []
        for date in sorted(set(per_date) | set(history.by_date)):
            counts = per_date.get(date, Counter())
            acted = any(label != "hold" for label in counts)
            if acted or date in history.by_date:
                points.append(DatePoint(date, played[date], counts.most_common(top), history.by_date.get(date, [])))
        model_shares = None
        if runs > 0:
            runs_frame = model_runs(scenario, branch, runs, seed)
            shares = runs_frame["outcome"].value_counts(normalize=True)
            model_shares = {k: float(shares.get(k, 0.0)) for k in OUTCOMES}
        summaries.append(
            ClassSummary(
                scenario_title=games[0][1].scenario_title,
                scenario_sha256=sha,
                actor=actor_id,
                branch_date=branch,
                games=rows,
                outcomes=dict(outcomes),
                history=history,
                model_outcome_shares=model_shares,
                runs=runs,
                first_responses=firsts.most_common(),
                by_date=points,
            )
        )
    return summaries
