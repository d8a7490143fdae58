"""Run many crises' scenarios, each many times, on the sweep executors' shared process pool.

Why not `sweep.distribution` once per crisis: it waits for each crisis's last chunk before the next starts, so
workers idle at every crisis's tail. Here the chunks of all crises share one bounded window on the shared process
pool (`sweep.executors.shared_pool`).

Why not the sweep's own unit of work (`sweep.worker.run_chunk`): it ships each crisis's scenario as raw data that
every worker validates again, and files every outcome column of every run (tens per run); `icb predict` reads
seven. A chunk here carries the scenario already validated (pickled as it is) and keeps only what
`observe.code_runs` reads. Each run is the same `EscalationModel(scenario, rng=seed, collect=False)` run to its
horizon that `run_chunk` makes, so the runs are exactly those of `escalation-sim distribution`
(tests/icb/test_icb_predict.py checks it run by run).

Seeds: run r of crisis c has seed `run_seed(root, c, r)`; the same for every value of the shared parameter, so
grid values are compared on common random numbers (crossval.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model import EscalationModel
from ..scenario import Scenario
from ..sweep.design import run_seed
from ..sweep.executors import default_workers, shared_pool

# What each run keeps: the outcome fields observe.code_runs reads, and the dyad's ICB-style termination.
OUTCOME_FIELDS = ("max_rung", "outcome", "days_to_calm", "hostile_deaths_after_branch", "retaliations", "censored")
KEEP = ("run_id", "seed", *OUTCOME_FIELDS, "termination", "error")
CHUNK = 50  # runs per task: large enough that pickling is negligible, small enough to balance two workers


@dataclass(frozen=True)
class Job:
    """One crisis's scenario to run `runs` times; `key` names it in the results (e.g. (crisno, grid value))."""

    key: Any
    scenario: Scenario
    crisno: int


def run_runs(scenario: Scenario, run_ids: Sequence[int], seeds: Sequence[int]) -> dict[str, list[Any]]:
    """Worker: one run of `scenario` per seed, columns KEEP; a run that raises gets its error, never stops the rest."""
    actors = tuple(scenario.actors)
    columns: dict[str, list[Any]] = {name: [] for name in KEEP}
    for run_id, seed in zip(run_ids, seeds, strict=True):
        columns["run_id"].append(run_id)
        columns["seed"].append(seed)
        try:
            model = EscalationModel(scenario=scenario, rng=int(seed), collect=False)
            model.run_model()
            outcome = model.outcome
            row = outcome.as_row()  # the scalar columns only, as `run_chunk` files them (no hostile act: None)
            ending = next((d.termination for d in outcome.dyads if d.actors == actors[:2]), None)
        except Exception as exc:  # a run that raises is recorded, the others go on (as sweep.worker does)
            for name in (*OUTCOME_FIELDS, "termination"):
                columns[name].append(None)
            columns["error"].append(f"{type(exc).__name__}: {exc}")
            continue
        for name in OUTCOME_FIELDS:
            columns[name].append(row[name])
        columns["termination"].append(ending)
        columns["error"].append(None)
    return columns


def _chunks(job: Job, runs: int, seed: int) -> Iterator[tuple[Job, list[int], list[int]]]:
    for first in range(0, runs, CHUNK):
        ids = list(range(first, min(runs, first + CHUNK)))
        yield job, ids, [run_seed(seed, job.crisno, r) for r in ids]


def simulate(
    jobs: Sequence[Job],
    runs: int,
    seed: int = 0,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[Any, pd.DataFrame]:
    """Every job's runs, one row per run in run order (columns KEEP), keyed by `job.key`.

    `progress(n)` is called with the number of runs each finished chunk held. workers=1 runs in this process.
    """
    count = max(1, workers or default_workers())
    parts: dict[Any, list[dict[str, list[Any]]]] = {job.key: [] for job in jobs}
    source = (item for job in jobs for item in _chunks(job, runs, seed))
    if count == 1:
        for job, ids, seeds in source:
            parts[job.key].append(run_runs(job.scenario, ids, seeds))
            if progress:
                progress(len(ids))
    else:
        pool = shared_pool(count)
        pending: dict[Future, tuple[Job, int]] = {}
        try:
            while True:
                while len(pending) < 4 * count:
                    item = next(source, None)
                    if item is None:
                        break
                    job, ids, seeds = item
                    pending[pool.submit(run_runs, job.scenario, ids, seeds)] = (job, len(ids))
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job, n = pending.pop(future)
                    parts[job.key].append(future.result())
                    if progress:
                        progress(n)
        finally:
            for future in pending:
                future.cancel()
    frames = {}
    for key, chunks in parts.items():
        merged: dict[str, list[Any]] = {name: [] for name in KEEP}
        for chunk in chunks:
            for name, values in chunk.items():
                merged[name].extend(values)
        frames[key] = pd.DataFrame(merged).sort_values("run_id", kind="stable").reset_index(drop=True)
    return frames
