"""Simulations for the outcome emulator (issue 20, item 3): parameter values drawn from the prior box, each case
run at each value on the sweep executors, one row per run with its outcome class.

Every draw is seeded through numpy's SeedSequence from one root seed: the parameter values from stream
`(THETA_STREAM, purpose)`, each run's seed from the sweep's `run_seed(root, point, replicate)` with a root seed
per purpose (training simulations and SBC replications never share a stream). Runs go through the project's
runner (`sweep.worker.run_chunk` on the serial, process or Dask executor), never a loop of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..sweep.design import Point, run_seed
from ..sweep.executors import ExecutorName, default_workers, execute, prepare
from ..sweep.runner import auto_chunk_size
from ..sweep.worker import BaseScenario, RunTask
from .sampler import Param

CLASSES = ("de-escalation", "protracted", "war")  # docs/outcomes.md, ordered
# The shared hand-set parameters of the library fit (docs/validation.md, "The crisis library"): uniform boxes
# about a third to three times the project defaults.
SHARED_BOX = (
    Param("actors.*.rule.spread", 0.2, 2.0),
    Param("actors.*.rule.ignore_below", 0.5, 6.0),
    Param("actors.*.perception.noise_sd", 0.1, 2.0),
)
THETA_STREAM = 7  # SeedSequence spawn-key namespace of the prior draws (the sweep uses 0 and 1)
PURPOSES = {"train": 0, "sbc": 1}


def purpose_seed(seed: int, purpose: str) -> int:
    """The root seed of one purpose's runs (training or SBC): a 63-bit integer derived from `seed`."""
    words = np.random.SeedSequence(seed, spawn_key=(THETA_STREAM, PURPOSES[purpose], 1)).generate_state(2)
    return (int(words[0]) << 31) ^ int(words[1])


def prior_draws(params: Sequence[Param], n: int, seed: int, purpose: str = "train") -> np.ndarray:
    """`n` values from the uniform prior on the boxes, (n, len(params)), seeded by (seed, purpose)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(THETA_STREAM, PURPOSES[purpose], 0)))
    lows = np.array([p.low for p in params])
    highs = np.array([p.high for p in params])
    return lows + (highs - lows) * rng.random((n, len(params)))


def simulate_case(
    scenario: Scenario,
    params: Sequence[Param],
    thetas: np.ndarray,
    runs: int,
    root_seed: int,
    executor: ExecutorName = "serial",
    workers: int | None = None,
    start: int = 0,
) -> pd.DataFrame:
    """`runs` runs of `scenario` at each row of `thetas` (from its branch date): columns case, theta (the row,
    counted from `start`), replicate, seed, one column per parameter, outcome. A run that fails is an error, not
    a missing row. Run seeds depend on (root seed, theta's index, replicate) only, so a design extended later
    (more prior draws from the same stream) keeps the runs it had."""
    base = BaseScenario(scenario.sha256(), scenario.model_dump(mode="json"), tuple(scenario.actors), scenario.days)
    tasks = []
    for i, theta in enumerate(thetas, start=start):
        changes = {p.name: float(x) for p, x in zip(params, theta, strict=True)}
        point = Point(i, "base", dict(changes), changes)
        tasks.extend(RunTask(i * runs + r, point, r, run_seed(root_seed, i, r)) for r in range(runs))
    count = 1 if executor == "serial" else max(1, workers or default_workers())
    size = auto_chunk_size(len(tasks), count)
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    prepare(executor, count)
    columns: dict[str, list] = {"run_id": [], "outcome": [], "error": []}
    for result in execute(chunks, base, executor, count):
        for name in columns:
            columns[name].extend(result.columns[name])
    frame = pd.DataFrame(columns).sort_values("run_id", kind="stable").reset_index(drop=True)
    failed = frame[frame["error"].notna()]
    if len(failed):
        raise RuntimeError(f"{scenario.name}: {len(failed)} runs failed, the first: {failed['error'].iloc[0]}")
    theta_index = frame["run_id"].to_numpy() // runs  # counted from `start`
    replicate = frame["run_id"].to_numpy() % runs
    out = pd.DataFrame(
        {
            "case": scenario.name,
            "theta": theta_index,
            "replicate": replicate,
            "seed": [run_seed(root_seed, int(i), int(r)) for i, r in zip(theta_index, replicate, strict=True)],
        }
    )
    for j, p in enumerate(params):
        out[p.name] = thetas[theta_index - start, j]
    out["outcome"] = pd.Categorical(frame["outcome"], categories=CLASSES)
    return out


def simulate(
    scenarios: Sequence[Scenario],
    params: Sequence[Param],
    thetas: np.ndarray,
    runs: int,
    seed: int,
    purpose: str = "train",
    executor: ExecutorName = "serial",
    workers: int | None = None,
    cache: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> pd.DataFrame:
    """Every case at every theta, `runs` runs each; with `cache`, each case's table is kept there
    (`<purpose>-<case>.parquet`, with its settings checked) so an interrupted simulation resumes by case, and a
    design extended with more draws of the same stream runs only the new draws."""
    frames = []
    for scenario in scenarios:
        path = cache / f"{purpose}-{scenario.name}.parquet" if cache else None
        kept = _cached(path, scenario, params, thetas, runs) if path is not None and path.exists() else None
        done = 0 if kept is None else int(kept["theta"].max()) + 1
        if done == len(thetas):
            frames.append(kept)
            continue
        started = time.perf_counter()
        root = purpose_seed(seed, purpose)
        frame = simulate_case(scenario, params, thetas[done:], runs, root, executor, workers, start=done)
        frame["scenario_sha256"] = scenario.sha256()
        if kept is not None:
            frame = pd.concat([kept, frame], ignore_index=True)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(path, index=False)
        frames.append(frame)
        if progress:
            progress(scenario.name, time.perf_counter() - started)
    return pd.concat(frames, ignore_index=True)


def _cached(
    path: Path, scenario: Scenario, params: Sequence[Param], thetas: np.ndarray, runs: int
) -> pd.DataFrame | None:
    """The cached runs at the leading values of `thetas` (all of them, or a first part to extend), or None when
    the cache is of another scenario file, parameters, runs or draws."""
    frame = pd.read_parquet(path)
    names = [p.name for p in params]
    if not set(names) <= set(frame.columns) or frame["scenario_sha256"].iloc[0] != scenario.sha256():
        return None
    frame = frame.sort_values(["theta", "replicate"], kind="stable").reset_index(drop=True)
    frame = frame[frame["theta"] < len(thetas)].reset_index(drop=True)
    count = int(frame["theta"].max()) + 1 if len(frame) else 0
    if count == 0 or len(frame) != count * runs or not (frame["replicate"].to_numpy() < runs).all():
        return None
    cached = frame[names].to_numpy()[::runs]
    return frame if np.array_equal(cached, thetas[:count]) else None
