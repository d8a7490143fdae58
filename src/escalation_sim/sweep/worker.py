"""The unit of work of every executor: a chunk of runs, each one `EscalationModel` (collect=False) to its horizon.

This module is what worker processes import: it needs the model layer and nothing above it. A chunk carries
the base scenario's raw data and each point's edits; workers validate each point's scenario once and keep it.
A run that raises, or a point whose scenario is invalid, gives a row with its error instead of an outcome.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import NO_RUNG, EscalationModel
from ..results.outcomes import Outcome, column_names
from ..scenario import Scenario, ScenarioError, apply_edits, validate_scenario_data
from .design import Point


@dataclass(frozen=True)
class BaseScenario:
    """The base scenario's raw data, sent to each worker (scattered once on Dask)."""

    digest: str
    data: dict[str, Any]
    actor_ids: tuple[str, ...]
    days: int


@dataclass(frozen=True, slots=True)
class RunTask:
    run_id: int
    point: Point
    replicate: int
    seed: int


@dataclass(slots=True)
class ChunkResult:
    """Results of a chunk, column by column (rows in run order), and per-day rungs if asked."""

    columns: dict[str, list[Any]]
    trajectories: np.ndarray | None  # (runs, days, actors) int16, NO_RUNG where no hostile act

    @property
    def size(self) -> int:
        return len(self.columns["run_id"])


# Scenarios validated in this process, by base digest and edits: a point's scenario is built once per worker.
_BASES: dict[str, BaseScenario] = {}


_SCENARIOS: dict[tuple[str, str], Scenario | str] = {}
_MAX_CACHED = 256


def _point_scenario(digest: str, point: Point) -> Scenario | str:
    """The point's validated scenario, or the reason it is invalid (a string), built once per process."""
    key = (digest, point.edits_key())
    found = _SCENARIOS.get(key)
    if found is not None:
        return found
    base = _BASES[digest]
    try:
        data = apply_edits(base.data, point.changes, point.remove_events)
        result: Scenario | str = validate_scenario_data(data, "the point's scenario")
    except (ScenarioError, ValueError) as exc:
        result = f"invalid scenario: {exc}"
    if len(_SCENARIOS) >= _MAX_CACHED:
        _SCENARIOS.pop(next(iter(_SCENARIOS)))
    _SCENARIOS[key] = result
    return result


def run_chunk(tasks: list[RunTask], base: BaseScenario, trajectories: bool = False) -> ChunkResult:
    """Run every task of a chunk; never raises for a failing run (its row carries the error)."""
    _BASES.setdefault(base.digest, base)
    actors = base.actor_ids
    columns: dict[str, list[Any]] = {name: [] for name in column_names(actors)}
    paths: list[np.ndarray] = []
    for task in tasks:
        point = task.point
        started = time.perf_counter()
        scenario = _point_scenario(base.digest, point)
        error: str | None = None
        model: EscalationModel | None = None
        if isinstance(scenario, str):
            error = scenario
        else:
            try:
                model = EscalationModel(
                    scenario=scenario, rng=int(task.seed), branch_date=point.branch_date, collect=False
                )
                model.run_model()
                outcome = model.outcome
            except Exception as exc:  # a run that raises is recorded, the sweep goes on
                error = f"{type(exc).__name__}: {exc} [{_where(exc)}]"
        columns["run_id"].append(task.run_id)
        columns["point"].append(point.index)
        columns["replicate"].append(task.replicate)
        columns["seed"].append(task.seed)
        columns["counterfactual"].append(point.counterfactual)
        if model is not None and model.branch_date is not None:
            columns["branch_date"].append(model.branch_date.isoformat())
        else:
            columns["branch_date"].append(point.branch_date)
        if error is None:
            assert model is not None
            _add_outcome(columns, outcome, actors)
        else:
            for name in columns:
                if len(columns[name]) < len(columns["run_id"]):
                    columns[name].append(None)
        columns["wall_time_s"][-1] = time.perf_counter() - started
        columns["error"][-1] = error
        if trajectories:
            paths.append(
                _trajectory(model, base)
                if error is None
                else np.full((base.days, len(actors)), NO_RUNG, dtype=np.int16)
            )
    stacked = np.stack(paths) if trajectories and paths else None
    return ChunkResult(columns, stacked)


def _add_outcome(columns: dict[str, list[Any]], outcome: Outcome, actors: tuple[str, ...]) -> None:
    for name, value in outcome.as_row(actors).items():
        columns[name].append(value)
    columns["wall_time_s"].append(None)
    columns["error"].append(None)


def _trajectory(model: EscalationModel | None, base: BaseScenario) -> np.ndarray:
    assert model is not None
    rungs = np.asarray(model.daily_rung, dtype=np.int16)
    if rungs.shape != (base.days, len(base.actor_ids)):  # a point that changed the dates or the actors
        out = np.full((base.days, len(base.actor_ids)), NO_RUNG, dtype=np.int16)
        index = {a: i for i, a in enumerate(model.actor_ids)}
        days = min(base.days, rungs.shape[0])
        for j, a in enumerate(base.actor_ids):
            if a in index:
                out[:days, j] = rungs[:days, index[a]]
        return out
    return rungs


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "no traceback"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno} in {last.name}"
