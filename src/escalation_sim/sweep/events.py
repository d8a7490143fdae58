"""Event series of many runs (distributions, sweep points), rebuilt by re-running each run from its seed.

Why re-run rather than store during the sweep: runs are deterministic given the scenario, seed and branch date,
a run costs a few milliseconds, and the results tables stay one row per run; the event series (many rows per
run) is written only when asked for. A sweep's runs are re-run each with its own point's scenario (the base
scenario with the point's edits, as the sweep's workers built it), its seed and its branch date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from tqdm import tqdm

from ..eventdata import event_rows, write_events
from ..model import EscalationModel
from ..scenario import Scenario, validate_scenario_data

if TYPE_CHECKING:
    from .folder import SweepFolder


def rerun_events(
    scenario: Scenario | Callable[[int], Scenario], runs: pd.DataFrame, path: str | Path, progress: bool = True
) -> Path:
    """Re-run each row of `runs` (columns run_id, seed, branch_date; and point when `scenario` is a function of
    the point) and write their event series as Parquet."""
    rows: list[dict] = []
    points = runs["point"] if "point" in runs.columns else [None] * len(runs)
    for run_id, seed, branch, point in tqdm(
        list(zip(runs["run_id"], runs["seed"], runs["branch_date"], points, strict=True)),
        desc="event series",
        disable=not progress,
        leave=False,
    ):
        date = dt.date.fromisoformat(branch) if isinstance(branch, str) and branch else None
        chosen = scenario if isinstance(scenario, Scenario) else scenario(int(point))
        model = EscalationModel(scenario=chosen, rng=int(seed), branch_date=date, collect=False)
        model.run_model()
        rows.extend(event_rows(model, int(run_id), int(seed)))
    return write_events(rows, path)


def sweep_runs(
    folder: SweepFolder, run_ids: Iterable[int] | None = None, points: Iterable[int] | None = None
) -> pd.DataFrame:
    """The stored rows of a sweep's runs that ran (no error): all, or those with the given run ids or points.
    KeyError naming the ids the folder does not hold."""
    results = folder.results
    chosen = results
    if run_ids is not None:
        wanted = set(run_ids)
        missing = sorted(wanted - set(results["run_id"]))
        if missing:
            raise KeyError(f"{folder.root}: no run {', '.join(map(str, missing[:10]))} stored")
        chosen = chosen[chosen["run_id"].isin(wanted)]
    if points is not None:
        wanted = set(points)
        missing = sorted(wanted - set(results["point"]))
        if missing:
            raise KeyError(f"{folder.root}: no run of point {', '.join(map(str, missing[:10]))} stored")
        chosen = chosen[chosen["point"].isin(wanted)]
    return chosen[chosen["error"].isna()].sort_values("run_id")


def sweep_events(folder: SweepFolder, runs: pd.DataFrame, path: str | Path, progress: bool = True) -> Path:
    """Re-run `runs` (rows of the sweep's results) each under its own point's scenario and write their event
    series as Parquet: the rows a sweep would have stored for them."""
    from .folder import base_scenario_data, point_scenario_data

    base = base_scenario_data(folder)  # StorageError if the base file changed since the sweep ran
    built: dict[int, Scenario] = {}

    def scenario_of(point: int) -> Scenario:
        if point not in built:
            data = point_scenario_data(folder, point, base)
            built[point] = validate_scenario_data(data, f"point {point}'s scenario")
        return built[point]

    return rerun_events(scenario_of, runs, path, progress)
