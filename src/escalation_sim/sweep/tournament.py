"""Tournaments in the manner of Axelrod (1980, 1984): every pairing of deterrence rules on a two-sided scenario.

Each game is one sweep point: the base scenario with `actors.<A>.rule` and `actors.<B>.rule` set to the two
rules (the same `apply_edits` path a sweep's rule-valued parameter takes), run `repetitions` times on the sweep
executors. Round robin: every unordered pair of rules plays in both seatings (A as the first actor, then as the
second), and every rule plays itself once. Seen from one rule, each opponent (itself included) then counts for
two seat-games, so no opponent weighs more than another.

Noise is the model's own (perception noise, attribution, execution spread); `noise_sd` overrides both actors'
perception noise, as Axelrod's later tournaments varied noise. Repetitions use common random numbers (the same
seeds in every game), so differences between rules are not differences in luck (Law 2015, ch. 11).

Standings rank rules by war share (lower is better), then mean deaths after the branch point, then the
de-escalation share; rules equal on all three share a rank (competition ranking "1, 2, 2, 4"), listed by name.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..results.outcomes import OUTCOMES
from ..rules import RULES
from ..scenario import Scenario, ScenarioError
from .design import Point, run_seed
from .executors import ExecutorName, default_workers, execute, prepare
from .intervals import wilson_interval
from .runner import _progress_bar, auto_chunk_size
from .worker import BaseScenario, RunTask

RANK_KEYS = ("war", "mean_deaths", "de-escalation")  # the ranking, in order: lower, lower, higher is better


class TournamentError(ValueError):
    """Bad tournament input: the message names the option or rule and says what was expected."""


@dataclass(frozen=True)
class Entrant:
    """A rule as entered: its label (as typed), and the rule parameters it plays with."""

    label: str
    rule: dict[str, Any]


MAX_VALUE = 200  # characters of one rule parameter's value in --rules


def parse_rules(text: str) -> list[Entrant]:
    """`proportional,red_line,graduated:step=2`: rules by registered name, each with optional `:key=value`s."""
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    if len(tokens) < 2:
        raise TournamentError(f"--rules: expected at least two rules separated by commas, got {text!r}")
    entrants: list[Entrant] = []
    for token in tokens:
        name, *settings = token.split(":")
        if name not in RULES:
            raise TournamentError(f"--rules: unknown rule {name!r}; expected one of: {', '.join(sorted(RULES))}")
        rule: dict[str, Any] = {"name": name}
        for setting in settings:
            key, sep, value = setting.partition("=")
            if not sep or not key:
                raise TournamentError(f"--rules: {token!r}: expected name:key=value, e.g. proportional:margin=1")
            if len(value) > MAX_VALUE:  # a parameter is a number or a word: nothing to parse at length
                raise TournamentError(
                    f"--rules: {name}:{key}: a value of {len(value):,} characters; at most {MAX_VALUE}"
                )
            rule[key] = json.loads(value) if _is_json(value) else value
        if any(e.label == token for e in entrants):
            raise TournamentError(f"--rules: {token!r} is entered twice; enter each rule once")
        entrants.append(Entrant(token, rule))
    return entrants


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except (ValueError, RecursionError):
        return False
    return True


def seats_of(scenario: Scenario) -> tuple[str, str]:
    """The two actors of a two-sided scenario, in file order; TournamentError if it has more or fewer."""
    actors = list(scenario.actors)
    if len(actors) != 2:
        raise TournamentError(
            f"scenario {scenario.name!r} has {len(actors)} actors ({', '.join(actors)}); a tournament needs a "
            "two-sided scenario such as two_state"
        )
    return actors[0], actors[1]


def games(entrants: list[Entrant]) -> list[tuple[Entrant, Entrant]]:
    """Round robin with both seatings: (a, b) and (b, a) for every pair, (a, a) once; a stable order."""
    out = []
    for i, a in enumerate(entrants):
        for b in entrants[i:]:
            out.append((a, b))
            if a is not b:
                out.append((b, a))
    return out


def game_points(scenario: Scenario, entrants: list[Entrant], noise_sd: float | None = None) -> list[Point]:
    """One sweep point per game; each point's scenario is validated here, so a bad rule fails before running."""
    first, second = seats_of(scenario)
    points = []
    for index, (a, b) in enumerate(games(entrants)):
        changes: dict[str, Any] = {f"actors.{first}.rule": a.rule, f"actors.{second}.rule": b.rule}
        if noise_sd is not None:
            changes[f"actors.{first}.perception.noise_sd"] = noise_sd
            changes[f"actors.{second}.perception.noise_sd"] = noise_sd
        try:
            scenario.with_edits(changes)
        except (ScenarioError, ValueError) as exc:
            raise TournamentError(f"--rules: {a.label} vs {b.label} is not a valid scenario: {exc}") from None
        points.append(Point(index, "base", {first: a.label, second: b.label}, changes))
    return points


def play_tournament(
    scenario: Scenario,
    entrants: list[Entrant],
    repetitions: int = 20,
    seed: int = 0,
    noise_sd: float | None = None,
    executor: ExecutorName = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Every game `repetitions` times; one row per run: the two seats' rules, the outcome and its columns."""
    if repetitions < 1:
        raise TournamentError(f"--repetitions: expected a whole number >= 1, got {repetitions}")
    if seed < 0:
        raise TournamentError(f"--seed: expected a whole number >= 0, got {seed}")
    first, second = seats_of(scenario)
    points = game_points(scenario, entrants, noise_sd)
    base = BaseScenario(scenario.sha256(), scenario.model_dump(mode="json"), (first, second), scenario.days)
    tasks = [
        RunTask(p.index * repetitions + r, p, r, run_seed(seed, p.index, r, common_random_numbers=True))
        for p in points
        for r in range(repetitions)
    ]
    count = 1 if executor == "serial" else max(1, workers or default_workers())
    size = auto_chunk_size(len(tasks), count)
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    prepare(executor, count)
    columns: dict[str, list[Any]] = {}
    bar = _progress_bar(len(tasks), 0, progress)
    try:
        for result in execute(chunks, base, executor, count, scheduler):
            for name, values in result.columns.items():
                columns.setdefault(name, []).extend(values)
            bar.update(result.size)
    finally:
        bar.close()
    frame = pd.DataFrame(columns).sort_values("run_id", kind="stable").reset_index(drop=True)
    labels = {p.index: p.values for p in points}
    frame.insert(1, f"rule_{first}", frame["point"].map(lambda i: labels[i][first]))
    frame.insert(2, f"rule_{second}", frame["point"].map(lambda i: labels[i][second]))
    for actor in (first, second):  # comparable across seats: the history before the branch killed on one side
        frame[f"killed_after_branch_{actor}"] = frame[f"killed_{actor}"] - history_killed(scenario, actor)
    frame = frame.rename(columns={"point": "game"}).drop(columns=["counterfactual"])
    frame.attrs["seats"] = (first, second)
    return frame


def history_killed(scenario: Scenario, actor: str) -> int:
    """Nationals of `actor` killed in the scenario's events before its branch point (replayed as written)."""
    branch = scenario.branch_date or scenario.end_date
    return sum(e.killed.get(actor, 0) for e in scenario.events if e.date < branch)


def seat_games(results: pd.DataFrame, seats: tuple[str, str]) -> pd.DataFrame:
    """One row per rule per run: the rule, its opponent, its seat, the outcome, deaths and days to calm."""
    parts = []
    for own, other in (seats, seats[::-1]):
        part = pd.DataFrame(
            {
                "rule": results[f"rule_{own}"],
                "opponent": results[f"rule_{other}"],
                "seat": own,
                "outcome": results["outcome"],
                "deaths": results["hostile_deaths_after_branch"],
                "own_deaths": results[f"killed_after_branch_{own}"],
                "days_to_calm": results["days_to_calm"],
                "error": results["error"],
            }
        )
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def standings(results: pd.DataFrame, seats: tuple[str, str] | None = None) -> pd.DataFrame:
    """The ranked table: per rule, seat-games, outcome shares (war with its 95% Wilson interval), mean deaths
    (with a 95% normal interval), own deaths, median days to calm.

    Ranks are shared when the runs cannot tell rules apart: a rule ranks behind another only if the other's war
    interval lies wholly below its own, or, the war intervals overlapping, the other's deaths interval does, or,
    both overlapping, the other's de-escalation interval lies wholly above. Within a shared rank rules are
    listed by their point estimates, then by name. Intervals count seat-games; a rule's games against itself
    count each run twice, so its interval is a little narrower than its runs justify."""
    seats = seats or results.attrs["seats"]
    rows = seat_games(results, seats)
    failed = int(rows["error"].notna().sum())
    if failed:
        first = rows.loc[rows["error"].notna(), "error"].iloc[0]
        raise TournamentError(f"{failed // 2 or 1} run(s) failed, e.g.: {first}")
    table = []
    for rule, group in rows.groupby("rule", sort=True):
        n = len(group)
        row: dict[str, Any] = {"rule": rule, "games": n}
        for outcome in OUTCOMES:
            hits = int((group["outcome"] == outcome).sum())
            row[outcome] = hits / n
            row[f"{outcome}_low"], row[f"{outcome}_high"] = wilson_interval(hits, n)
        deaths = group["deaths"].astype(float)
        row["mean_deaths"] = float(deaths.mean())
        half = 1.96 * float(deaths.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
        row["deaths_low"], row["deaths_high"] = row["mean_deaths"] - half, row["mean_deaths"] + half
        row["mean_own_deaths"] = float(group["own_deaths"].mean())
        calm = group["days_to_calm"].dropna()
        row["median_days_to_calm"] = float(calm.median()) if len(calm) else math.nan
        table.append(row)
    frame = pd.DataFrame(table)
    frame["rank"] = [1 + sum(_clearly_ahead(other, row) for other in table) for row in table]
    frame["point"] = [(r["war"], r["mean_deaths"], -r["de-escalation"]) for r in table]
    frame = frame.sort_values(["rank", "point", "rule"], kind="stable").drop(columns="point").reset_index(drop=True)
    return frame[["rank", *[c for c in frame.columns if c != "rank"]]]


def _clearly_ahead(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether rule `a` is better than `b` beyond the noise of the runs (see `standings`)."""
    if a["war_high"] < b["war_low"]:
        return True
    if b["war_high"] < a["war_low"]:
        return False
    if a["deaths_high"] < b["deaths_low"]:
        return True
    if b["deaths_high"] < a["deaths_low"]:
        return False
    return bool(a["de-escalation_low"] > b["de-escalation_high"])


def pairings(results: pd.DataFrame, seats: tuple[str, str] | None = None, value: str = "war") -> pd.DataFrame:
    """A rule x opponent matrix (both seatings pooled): the share of `value` outcomes, or mean deaths."""
    seats = seats or results.attrs["seats"]
    rows = seat_games(results, seats)
    if value in OUTCOMES:
        rows = rows.assign(value=(rows["outcome"] == value).astype(float))
    else:
        rows = rows.assign(value=rows[value].astype(float))
    return rows.pivot_table(index="rule", columns="opponent", values="value", aggfunc="mean")
