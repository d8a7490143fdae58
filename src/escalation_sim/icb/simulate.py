"""Run many crises' scenarios, each many times, through the sweep executors' worker pool.

Why not `sweep.distribution` once per crisis: it waits for each crisis's last chunk before the next starts, so
workers idle at every crisis's tail. Here the chunks of all crises share one bounded window on the shared process
pool (`sweep.executors.shared_pool`), each chunk being the runner's own unit of work (`sweep.worker.run_chunk`,
collect=False), so the runs are exactly those `escalation-sim distribution` would make.

Seeds: run r of crisis c has seed `run_seed(root, c, r)`; the same for every value of the shared parameter, so
grid values are compared on common random numbers (crossval.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..scenario import Scenario
from ..sweep.design import Point, run_seed
from ..sweep.executors import default_workers, shared_pool
from ..sweep.worker import BaseScenario, RunTask, run_chunk

KEEP = (
    "run_id",
    "seed",
    "max_rung",
    "outcome",
    "days_to_calm",
    "hostile_deaths_after_branch",
    "retaliations",
    "censored",
    "error",
)
CHUNK = 50  # runs per task: large enough that pickling is negligible, small enough to balance two workers


@dataclass(frozen=True)
class Job:
    """One crisis's scenario to run `runs` times; `key` names it in the results (e.g. (crisno, grid value))."""

    key: Any
    scenario: Scenario
    crisno: int


def _tasks(job: Job, runs: int, seed: int) -> Iterator[tuple[Job, BaseScenario, list[RunTask]]]:
    s = job.scenario
    base = BaseScenario(f"{s.sha256()}:{job.key}", s.model_dump(mode="json"), tuple(s.actors), s.days)
    point = Point(0, "base", {}, {}, (), None)
    tasks = [RunTask(r, point, r, run_seed(seed, job.crisno, r)) for r in range(runs)]
    for i in range(0, runs, CHUNK):
        yield job, base, tasks[i : i + CHUNK]


def _keep(columns: dict[str, list[Any]], actors: tuple[str, ...]) -> dict[str, list[Any]]:
    out = {name: columns[name] for name in KEEP}
    out["termination"] = columns[f"dyad_{actors[0]}_{actors[1]}_termination"]
    return out


def simulate(
    jobs: Sequence[Job],
    runs: int,
    seed: int = 0,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[Any, pd.DataFrame]:
    """Every job's runs, one row per run (columns KEEP + termination), keyed by `job.key`.

    `progress(n)` is called with the number of runs each finished chunk held. workers=1 runs in this process.
    """
    count = max(1, workers or default_workers())
    parts: dict[Any, list[dict[str, list[Any]]]] = {job.key: [] for job in jobs}
    source = (item for job in jobs for item in _tasks(job, runs, seed))
    if count == 1:
        for job, base, tasks in source:
            parts[job.key].append(_keep(run_chunk(tasks, base).columns, base.actor_ids))
            if progress:
                progress(len(tasks))
    else:
        pool = shared_pool(count)
        pending: dict[Future, tuple[Job, BaseScenario, int]] = {}
        try:
            while True:
                while len(pending) < 4 * count:
                    item = next(source, None)
                    if item is None:
                        break
                    job, base, tasks = item
                    pending[pool.submit(run_chunk, tasks, base)] = (job, base, len(tasks))
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job, base, n = pending.pop(future)
                    parts[job.key].append(_keep(future.result().columns, base.actor_ids))
                    if progress:
                        progress(n)
        finally:
            for future in pending:
                future.cancel()
    frames = {}
    for key, chunks in parts.items():
        merged: dict[str, list[Any]] = {}
        for chunk in chunks:
            for name, values in chunk.items():
                merged.setdefault(name, []).extend(values)
        frames[key] = pd.DataFrame(merged).sort_values("run_id", kind="stable").reset_index(drop=True)
    return frames
