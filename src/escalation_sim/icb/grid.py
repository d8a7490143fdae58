"""The simulated grid of the shared parameters: every crisis run once per grid point, cached on disk.

Why a cache: simulating 386 crises at every point of the grid is the expensive part of the cross-validation
(minutes of CPU per point); the fold fits, the recalibration and the scores are cheap. Each point's per-crisis
summaries (`observe.summarise`) go to one CSV named by the point, the runs, the seed and a hash of the point's
scenarios, so a changed mapping, seed or run count is never read from an old file, and an interrupted run resumes
at the first point not yet cached. Points are simulated one after another (each a job of a few minutes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from .data import IcbData
from .mapping import Shared
from .observe import summarise
from .predict import build_jobs
from .simulate import simulate


def _name(point: Shared, runs: int, seed: int, digest: str) -> str:
    values = "_".join(f"{k}{v:g}" for k, v in point.as_dict().items())
    return f"point_{values}_runs{runs}_seed{seed}_{digest[:12]}.csv"


def simulate_point(
    data: IcbData,
    point: Shared,
    runs: int,
    seed: int,
    workers: int,
    cache: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One summary row per crisis (index crisno) at one grid point, read from the cache when it is there."""
    jobs, reasons = build_jobs(data, point)
    if reasons:
        raise ValueError(f"crises that cannot be mapped cannot be cross-validated: {reasons}")
    digest = hashlib.sha256("".join(job.scenario.sha256() for job in jobs).encode()).hexdigest()
    path = cache / _name(point, runs, seed, digest) if cache is not None else None
    if path is not None and path.exists():
        if progress:
            progress(len(jobs) * runs)
        return pd.read_csv(path, index_col="crisno")
    frames = simulate(jobs, runs, seed, workers, progress)
    frame = pd.DataFrame.from_dict({job.crisno: summarise(frames[job.key]) for job in jobs}, orient="index")
    frame.index.name = "crisno"
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path)
    return frame


def simulate_grid(
    data: IcbData,
    points: Sequence[Shared],
    runs: int,
    seed: int,
    workers: int,
    cache: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Shared, pd.DataFrame]:
    """Every grid point's per-crisis summaries, with common seeds at every point (run r of crisis c: the same
    seed at each point)."""
    total = len(points) * len(data.crises) * runs
    tick = (lambda n: progress(n, total)) if progress else None
    return {pt: simulate_point(data, pt, runs, seed, workers, cache, tick) for pt in points}
