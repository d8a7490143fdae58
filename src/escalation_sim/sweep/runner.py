"""Running a sweep: plan the runs, skip those already stored, execute the rest, stream rows to disk.

`execute_sweep` is what the CLI calls; `run_sweep` returns the results as a DataFrame (notebooks);
`distribution` runs one scenario many times from a branch point, in memory: the one way to get an outcome
distribution (the `distribution` command, the classroom debrief and the app use it). Finished folders are
opened with `sweep.folder.open_sweep`.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..scenario import Scenario, load_scenario
from .atomic import atomic_write_table, readable
from .design import Point, make_points, run_seed
from .executors import ExecutorName, default_workers, execute, prepare
from .folder import open_sweep
from .spec import Sweep, SweepError, load_sweep
from .storage import (
    Layout,
    PartWriter,
    check_new_folder,
    finished_run_ids,
    locked,
    prepare_resume,
    read_manifest,
    read_parts,
    verify_parts,
    write_manifest,
)
from .tables import check_same_sweep, manifest_for, points_frame, results_schema, trajectory_schema
from .worker import BaseScenario, ChunkResult, RunTask

MAX_CHUNK = 32  # runs per task: ~0.3-0.5 s of work for jan2020, small against a task's overhead
DEFAULT_FLUSH_ROWS = 5_000


@dataclass
class SweepReport:
    """What a sweep did: runs in the design, skipped (already stored), run now, failed (in total)."""

    folder: Path | None
    runs_total: int
    runs_skipped: int
    runs_done: int
    runs_failed: int
    seconds: float
    interrupted: bool = False
    results: pd.DataFrame | None = field(default=None, repr=False)  # in-memory sweeps only
    quarantined: list[Path] = field(default_factory=list)  # damaged parts moved aside at this resume

    @property
    def complete(self) -> bool:
        return not self.interrupted and self.runs_skipped + self.runs_done == self.runs_total


def base_of(sweep: Sweep) -> BaseScenario:
    scenario = sweep.base_scenario
    return BaseScenario(scenario.sha256(), sweep.base_data, tuple(scenario.actors), scenario.days)


def plan_chunks(points: list[Point], sweep: Sweep, done: np.ndarray, chunk_size: int) -> Iterator[list[RunTask]]:
    """Tasks of runs not yet stored, in run_id order, grouped in chunks (lazily: memory stays flat)."""
    spec = sweep.spec
    replicates = spec.replicates
    chunk: list[RunTask] = []
    done_iter = iter(done.tolist())
    next_done = next(done_iter, None)
    for point in points:
        for replicate in range(replicates):
            run_id = point.index * replicates + replicate
            while next_done is not None and next_done < run_id:
                next_done = next(done_iter, None)
            if next_done == run_id:
                continue
            seed = run_seed(spec.seed, point.index, replicate, spec.common_random_numbers)
            chunk.append(RunTask(run_id, point, replicate, seed))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def auto_chunk_size(runs: int, workers: int) -> int:
    """Big enough that task overhead is small, small enough that every worker gets several tasks."""
    return max(1, min(MAX_CHUNK, math.ceil(runs / (4 * max(1, workers)))))


def execute_sweep(
    sweep: Sweep | str | Path,
    out: str | Path | None = None,
    *,
    executor: ExecutorName = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    replicates: int | None = None,
    trajectories: bool = False,
    chunk_size: int | None = None,
    flush_rows: int = DEFAULT_FLUSH_ROWS,
    progress: bool | None = None,
) -> SweepReport:
    """Run a sweep into folder `out` (resuming what is there), or in memory when `out` is None."""
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    sweep = sweep.with_replicates(replicates)
    if executor != "serial" and workers is not None and workers < 1:
        raise SweepError(sweep.path, [f"--workers: expected a whole number >= 1, got {workers}"])
    points = make_points(sweep)
    frame = points_frame(points, sweep)
    worker_count = 1 if executor == "serial" else (workers or default_workers())
    started = time.perf_counter()
    if out is None:
        return _execute_in_memory(
            sweep, points, frame, executor, worker_count, scheduler, trajectories, chunk_size, progress, started
        )
    schema = results_schema(frame, sweep)
    traj_schema = trajectory_schema(sweep) if trajectories else None
    point_values = frame.set_index("point")
    total = len(points) * sweep.spec.replicates
    base = base_of(sweep)
    root = Path(out)
    if read_manifest(root) is None:
        check_new_folder(root)  # never write into a folder that is not (yet) a sweep's and not empty
    with locked(root) as layout:
        state, quarantined = _claim(root, layout, sweep, points, frame, trajectories)
        done = finished_run_ids(layout)
        remaining = total - len(done)
        size = chunk_size or auto_chunk_size(remaining, worker_count)

        def record(name: str, sums: dict[str, str]) -> None:
            state["parts"][name] = sums
            write_manifest(layout, state)

        writer = PartWriter(layout, schema, point_values, base.actor_ids, flush_rows, traj_schema, record)
        if remaining:
            prepare(executor, worker_count)
        interrupted = False
        bar = _progress_bar(total, len(done), progress)
        try:
            chunks = plan_chunks(points, sweep, done, size)
            for result in execute(chunks, base, executor, worker_count, scheduler, trajectories):
                writer.add(result)
                bar.update(result.size)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            writer.flush()  # nothing computed is lost, whatever stopped the loop
            bar.close()
        failed = _count_failed(layout)
        stored = len(finished_run_ids(layout))
        status = "complete" if stored == total and not interrupted else "incomplete"
        write_manifest(layout, {**state, "status": status, "runs_stored": stored, "runs_failed": failed})
    return SweepReport(
        root,
        total,
        len(done),
        stored - len(done),
        failed,
        time.perf_counter() - started,
        interrupted,
        quarantined=quarantined,
    )


def _claim(
    root: Path, layout: Layout, sweep: Sweep, points: list[Point], frame: pd.DataFrame, trajectories: bool
) -> tuple[dict[str, Any], list[Path]]:
    """Make the locked folder this sweep's: refuse another sweep's, verify the parts stored so far (quarantining
    what the manifest does not record), write the manifest first, and the design's points if missing or damaged.
    Returns the running manifest and what was quarantined."""
    total = len(points) * sweep.spec.replicates
    manifest = manifest_for(sweep, points, trajectories)
    old = read_manifest(root)
    if old is not None:
        check_same_sweep(root, old, manifest)
    else:
        check_new_folder(root)  # again, under the lock
    prepare_resume(layout)
    parts, quarantined = verify_parts(layout, old.get("parts") if old else {}, total)
    state = {**manifest, "status": "running", "parts": parts}
    write_manifest(layout, state)  # first: from now on the folder is this sweep's
    if not layout.points.exists() or not readable(layout.points):  # the design's points: rebuilt if damaged
        atomic_write_table(layout.points, pa.Table.from_pandas(frame, preserve_index=False), layout.tmp)
    return state, quarantined


def _execute_in_memory(
    sweep: Sweep,
    points: list[Point],
    frame: pd.DataFrame,
    executor: ExecutorName,
    workers: int,
    scheduler: str | None,
    trajectories: bool,
    chunk_size: int | None,
    progress: bool | None,
    started: float,
) -> SweepReport:
    """The sweep's runs as a table in memory (nothing written)."""
    from .storage import results_table

    schema = results_schema(frame, sweep)
    point_values = frame.set_index("point")
    base = base_of(sweep)
    total = len(points) * sweep.spec.replicates
    size = chunk_size or auto_chunk_size(total, workers)
    chunks: list[ChunkResult] = []
    prepare(executor, workers)
    bar = _progress_bar(total, 0, progress)
    try:
        for result in execute(
            plan_chunks(points, sweep, np.empty(0, np.int64), size), base, executor, workers, scheduler, trajectories
        ):
            chunks.append(result)
            bar.update(result.size)
    finally:
        bar.close()
    table = results_table(chunks, schema, point_values).to_pandas() if chunks else pd.DataFrame()
    failed = int(table["error"].notna().sum()) if len(table) else 0
    return SweepReport(None, total, 0, len(table), failed, time.perf_counter() - started, results=table)


def _count_failed(layout: Layout) -> int:
    frame = read_parts(layout.results, columns=["run_id", "error"])
    return int(frame["error"].notna().sum()) if len(frame) else 0


def _progress_bar(total: int, initial: int, progress: bool | None) -> Any:
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else not progress
    return tqdm(total=total, initial=initial, unit="run", smoothing=0.1, disable=disable, dynamic_ncols=True)


# --- notebooks ---------------------------------------------------------------------------------------------------


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path | None = None,
    *,
    executor: ExecutorName = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    replicates: int | None = None,
    trajectories: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Run a sweep and return its results table (one row per run, sorted by run_id).

    With `out`, results are stored there (and a rerun resumes); without, they stay in memory.
    """
    report = execute_sweep(
        sweep,
        out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        replicates=replicates,
        trajectories=trajectories,
        progress=progress,
    )
    if report.results is not None:
        return report.results
    return open_sweep(report.folder).results  # type: ignore[arg-type]


# --- outcome distributions for notebooks and the classroom app ----------------------------------------------


def distribution(
    scenario: Scenario | str | Path,
    n: int = 1000,
    seed: int = 0,
    workers: int | None = 2,
    branch_date: dt.date | str | None = None,
) -> pd.DataFrame:
    """Outcomes of `n` runs of one scenario (seeds from SeedSequence(seed)), one row per run, in memory.

    Reuses a process pool kept across calls, so a second call starts at once. Replicate r has the seed
    `run_seed(seed, 0, r)`: the same runs as point 0 of a sweep with that root seed.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if n < 1:
        raise ValueError(f"n: expected a number of runs >= 1, got {n}")
    branch = branch_date.isoformat() if isinstance(branch_date, dt.date) else branch_date
    base = BaseScenario(scenario.sha256(), scenario.model_dump(mode="json"), tuple(scenario.actors), scenario.days)
    point = Point(0, "base", {}, {}, (), branch)
    tasks = [RunTask(r, point, r, run_seed(seed, 0, r)) for r in range(n)]
    count = max(1, workers or default_workers())
    size = auto_chunk_size(n, count)
    chunks = [tasks[i : i + size] for i in range(0, n, size)]
    executor: ExecutorName = "serial" if count == 1 else "process"
    results = list(execute(chunks, base, executor, count))
    columns: dict[str, list[Any]] = {}
    for result in results:
        for name, values in result.columns.items():
            columns.setdefault(name, []).extend(values)
    frame = pd.DataFrame(columns).sort_values("run_id", kind="stable").reset_index(drop=True)
    return frame.drop(columns=["point", "counterfactual"])
