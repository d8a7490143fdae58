"""Saved games: one JSON file per game, with the scenario inside, so a class's games can be debriefed later
even if the scenario files have moved on. Written atomically; read back with every problem in words.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..files import read_text_file, write_text
from ..scenario import Scenario, ScenarioError, validate_scenario_data
from ..scenario.policy import value_problems

RECORD_FORMAT = "escalation-sim game"
RECORD_VERSION = 1

How = Literal["player", "model", "hold"]


class GameError(ValueError):
    """A game that cannot start or a record that cannot be read; the message says what to do instead."""


class _Saved(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordedChoice(_Saved):
    day: int
    date: dt.date
    action: str
    target: str | None
    label: str
    rung: int
    probability: float | None
    how: How
    model_favourite: str
    model_favourite_probability: float


class RecordedEvent(_Saved):
    day: int
    date: dt.date
    actor: str | None
    target: str | None
    action: str
    rung: int
    killed: int
    origin: str
    probability: float | None


class _Casualties(BaseModel):
    killed: dict[str, int] = {}


class RecordedOutcome(BaseModel):
    """The fields of a saved outcome the debriefs read, with their types (others are kept as written)."""

    model_config = ConfigDict(extra="allow")
    outcome: str = "unfinished"
    max_rung: int | None = None
    hostile_deaths: int = 0
    days_to_calm: int | None = None
    first_response: dict[str, str | None] = {}
    first_response_day: dict[str, int | None] = {}
    casualties: _Casualties = _Casualties()


class GameRecord(_Saved):
    """A saved game: who played which actor, every day's choice, what happened, the outcome, the scenario."""

    format: Literal["escalation-sim game"]
    version: Literal[1]
    package_version: str
    player: str
    actor: str
    seed: int
    branch_date: dt.date
    turns: int
    days_played: int
    finished: bool
    scenario_name: str
    scenario_title: str
    scenario_sha256: str
    scenario: dict[str, Any]
    outcome: dict[str, Any]
    choices: list[RecordedChoice]
    events: list[RecordedEvent]

    def crisis(self) -> Scenario:
        """The scenario the game was played on, validated again."""
        return validate_scenario_data(dict(self.scenario), f"the scenario saved in {self.player or 'a game'}")

    @property
    def outcome_class(self) -> str:
        return str(self.outcome.get("outcome", "unfinished"))


def save_game(record: GameRecord, path: str | Path) -> Path:
    """Write a game atomically (a half-written file never replaces a good one)."""
    text = json.dumps(record.model_dump(mode="json"), indent=1) + "\n"
    return write_text(path, text)  # a regular file only (never onto a device), its folder created


def read_json(path: Path, what: str) -> Any:
    """A JSON file read under the input policy (a regular file, at most 4 MiB); GameError names what is wrong."""
    try:
        return json.loads(read_text_file(path))
    except FileNotFoundError:
        raise GameError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise GameError(f"{path}: not {what} (not JSON: {exc.msg}, line {exc.lineno})") from None
    except (OSError, ValueError) as exc:
        raise GameError(f"{path}: {exc}") from None
    except RecursionError:
        raise GameError(f"{path}: not {what} (nested too deeply)") from None


def load_game(path: str | Path) -> GameRecord:
    """Read a saved game; GameError says what is wrong with the file."""
    path = Path(path)
    data = read_json(path, "a saved game")
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise GameError(f"{path}: not a saved game (write one with `escalation-sim play ... --record FILE`)")
    bounds = value_problems({k: v for k, v in data.items() if k != "scenario"})
    if bounds:
        loc, problem = bounds[0]
        raise GameError(f"{path}: damaged saved game ({'.'.join(str(p) for p in loc)}: {problem})")
    try:
        record = GameRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GameError(
            f"{path}: damaged saved game ({where}: {first['msg']}; {exc.error_count()} problem(s))"
        ) from None
    try:  # what the debriefs read of the outcome must have its type (a mistyped first_response once crashed them)
        RecordedOutcome.model_validate(record.outcome)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("outcome", *first["loc"]))
        raise GameError(f"{path}: damaged saved game ({where}: {first['msg']})") from None
    try:
        crisis = record.crisis()
    except ScenarioError as exc:
        raise GameError(f"{path}: the scenario inside is invalid ({exc.problems[0]})") from None
    if not crisis.start_date <= record.branch_date <= crisis.end_date:
        raise GameError(
            f"{path}: damaged saved game (branch_date {record.branch_date} lies outside the scenario's "
            f"{crisis.start_date} - {crisis.end_date})"
        )
    if record.actor not in crisis.actors:
        raise GameError(f"{path}: damaged saved game (actor {record.actor!r} is not in the scenario)")
    return record


def finite(value: float | None) -> float | None:
    """NaN (no decision involved) as None: JSON has no NaN."""
    return None if value is None or math.isnan(value) else float(value)
