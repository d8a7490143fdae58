"""The simulated grid of the shared parameters: every crisis run once per grid point, cached on disk.

Why a cache: simulating 386 crises at every point of the grid is the expensive part of the cross-validation
(minutes of CPU per point); the fold fits, the recalibration and the scores are cheap. Each point's per-crisis
summaries (`observe.summarise`) go to one CSV named by the point, the runs, the seed and a hash of the point's
scenarios, so a changed mapping, seed or run count is never read from an old file, and an interrupted run resumes
at the first point not yet cached. Points are simulated one after another (each a job of a few minutes).

The name also carries the decision model (`--model`) and a fingerprint of the model's code (every source and data
file of the package but the CLI and the ICB scoring modules): the same scenario run by a changed model (the
two-channel merge, say) gives different runs, so a cache made before a change to the model is never read after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from .data import IcbData
from .mapping import DEFAULT_MODEL, Shared
from .observe import summarise
from .predict import build_jobs
from .simulate import simulate

# ICB modules that read results but never change a run (the CLI is left out as a whole).
SCORING = {"baselines", "crossval", "facts", "grid", "recalibrate", "reliability", "report", "scores", "compare"}


@cache
def model_fingerprint() -> str:
    """sha256 of the package files a run depends on (all .py, .json, .yaml but cli/ and the ICB scoring modules)."""
    root = Path(str(resources.files("escalation_sim")))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.suffix not in (".py", ".json", ".yaml") or rel.parts[0] == "cli" or "__pycache__" in rel.parts:
            continue
        if rel.parts[0] == "icb" and path.stem in SCORING:
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _name(point: Shared, runs: int, seed: int, digest: str, model: str) -> str:
    values = "_".join(f"{k}{v:g}" for k, v in point.as_dict().items())
    return f"point_{model}_{values}_runs{runs}_seed{seed}_{digest[:12]}_code{model_fingerprint()[:8]}.csv"


def simulate_point(
    data: IcbData,
    point: Shared,
    runs: int,
    seed: int,
    workers: int,
    cache: Path | None = None,
    progress: Callable[[int], None] | None = None,
    model: str = DEFAULT_MODEL,
) -> pd.DataFrame:
    """One summary row per crisis (index crisno) at one grid point, read from the cache when it is there."""
    jobs, reasons = build_jobs(data, point, model=model)
    if reasons:
        raise ValueError(f"crises that cannot be mapped cannot be cross-validated: {reasons}")
    digest = hashlib.sha256("".join(job.scenario.sha256() for job in jobs).encode()).hexdigest()
    path = cache / _name(point, runs, seed, digest, model) if cache is not None else None
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
    model: str = DEFAULT_MODEL,
) -> dict[Shared, pd.DataFrame]:
    """Every grid point's per-crisis summaries, with common seeds at every point (run r of crisis c: the same
    seed at each point)."""
    total = len(points) * len(data.crises) * runs
    tick = (lambda n: progress(n, total)) if progress else None
    return {pt: simulate_point(data, pt, runs, seed, workers, cache, tick, model) for pt in points}
