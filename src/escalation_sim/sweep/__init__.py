"""Scenario sweeps: designs over scenario parameters, seeded replicates, parallel and distributed execution,
resumable Parquet storage.

    from escalation_sim.sweep import run_sweep, open_sweep, distribution
    results = run_sweep("scenarios/jan2020_sweep.yaml", out="sweeps/demo", replicates=20)
    folder = open_sweep("sweeps/demo"); folder.results, folder.points, folder.trajectories()
    frame = distribution("scenarios/jan2020.yaml", n=1000, seed=0, workers=2)

    spec.py       sweep files (validated like scenario files, errors through scenario.errors)
    design.py     design points and every run's seed
    worker.py     a chunk of runs: one EscalationModel each, one `Outcome.as_row()` each
    executors.py  serial, process pool, Dask
    storage.py    a sweep folder: Parquet parts, manifest, lock (atomic.py: crash-safe single files)
    tables.py     the shape of what is stored: points table, results and trajectory schemas, the manifest
    runner.py     execute_sweep / run_sweep, and `distribution` (outcomes from a branch point)
    folder.py     open_sweep (a folder for analysis), point_scenario_file (re-run one run alone)
    analysis.py   per-point summaries, Wilson intervals, Sobol indices     } analysis layer: imported by
    figures.py    outcome curves, heatmaps, fan charts, Sobol bars          } name, not re-exported here

Runner layer: imports the scenario and model layers, never the analysis or interface layers.
"""

from .design import Point, make_points, run_seed, salib_problem
from .executors import EXECUTORS, ExecutorError, default_workers, shutdown_pools
from .folder import SweepFolder, open_sweep, point_scenario_file
from .runner import SweepReport, distribution, execute_sweep, run_sweep
from .spec import Sweep, SweepError, SweepSpec, load_sweep
from .storage import StorageError

__all__ = [
    "EXECUTORS",
    "ExecutorError",
    "Point",
    "StorageError",
    "Sweep",
    "SweepError",
    "SweepFolder",
    "SweepReport",
    "SweepSpec",
    "default_workers",
    "distribution",
    "execute_sweep",
    "load_sweep",
    "make_points",
    "open_sweep",
    "point_scenario_file",
    "run_seed",
    "run_sweep",
    "salib_problem",
    "shutdown_pools",
]
