"""A finished (or interrupted) sweep folder, opened for analysis; and one run's point as a scenario file.

`open_sweep` gives a `SweepFolder` (manifest, points, results, trajectories as DataFrames);
`point_scenario_file` writes the scenario of one run's point so that `escalation-sim run` re-runs it alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..files import write_text
from ..scenario import apply_edits, load_scenario_data, validate_scenario_data
from .storage import Layout, StorageError, read_manifest, read_parts


@dataclass
class SweepFolder:
    """A sweep folder opened for analysis: manifest, points, results and trajectories as DataFrames."""

    root: Path
    manifest: dict[str, Any]

    @property
    def layout(self) -> Layout:
        return Layout(self.root)

    @property
    def results(self) -> pd.DataFrame:
        return read_parts(self.layout.results, manifest=self.manifest)

    @property
    def points(self) -> pd.DataFrame:
        return pd.read_parquet(self.layout.points)

    @property
    def has_trajectories(self) -> bool:
        return bool(self.manifest.get("trajectories"))

    def trajectories(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Per-day rungs (run_id, day, rung_<actor>..., rung); empty unless the sweep ran with trajectories."""
        return read_parts(self.layout.trajectories, columns, self.manifest)

    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["scenario_start_date"])

    def run(self, run_id: int) -> dict[str, Any]:
        """The stored row of one run."""
        results = self.results
        rows = results[results["run_id"] == run_id]
        if rows.empty:
            raise KeyError(f"{self.root}: no run {run_id} stored (run_ids 0-{self.manifest['runs'] - 1})")
        return rows.iloc[0].to_dict()


def open_sweep(folder: str | Path) -> SweepFolder:
    """Open a sweep folder written by `escalation-sim sweep` (or `run_sweep(..., out=...)`)."""
    root = Path(folder)
    manifest = read_manifest(root)
    if manifest is None:
        raise StorageError(f"{root}: not a sweep folder (no {Layout(root).manifest.name}); run a sweep into it first")
    return SweepFolder(root, manifest)


# --- re-running one run --------------------------------------------------------------------------------------------


def point_scenario_file(folder: SweepFolder, run_id: int, out: Path | None = None) -> tuple[Path, list[str]]:
    """Write the scenario of a run's point (self-contained) and return it with the `escalation-sim run` arguments.

    The file is the base scenario with the point's edits applied, so it re-runs even if the base file later
    changes; the manifest's scenario hash tells whether it has.
    """
    row = folder.run(run_id)
    points = folder.points
    point = points[points["point"] == row["point"]].iloc[0]
    data = point_scenario_data(folder, int(row["point"]))
    out = out or folder.root / "points" / f"point-{int(row['point']):06d}.yaml"
    header = (
        f"# Scenario of point {int(row['point'])} of sweep {folder.manifest['sweep']} ({folder.root}):\n"
        f"# {folder.manifest['scenario_file']} with set: {point['set']} remove_events: {point['remove_events']}\n"
    )
    text = header + yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=110)
    write_text(out, text)  # a regular file, written whole, in its own folder (never onto a device)
    args = [str(out), "--seed", str(int(row["seed"])), "--decisions", "doctrines"]  # a sweep runs the file's rules
    if row.get("branch_date"):
        args += ["--branch-date", str(row["branch_date"])]
    return out, args


def base_scenario_data(folder: SweepFolder) -> dict[str, Any]:
    """The sweep's base scenario data, read again from its file; StorageError if the file changed since the sweep
    ran (its hash differs from the manifest's): the points' scenarios could not be rebuilt from it."""
    base_path = Path(folder.manifest["scenario_file"])
    base = load_scenario_data(base_path)
    if validate_scenario_data(base, base_path).sha256() != folder.manifest["scenario_sha256"]:
        raise StorageError(
            f"{base_path} has changed since the sweep ran (its hash differs from the manifest's), so the point's "
            "scenario cannot be rebuilt from it; restore the file (e.g. from git) and try again"
        )
    return base


def point_scenario_data(folder: SweepFolder, point: int, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A point's scenario data: the base scenario with the point's edits (`set`, `remove_events`) applied, as the
    sweep's workers built it."""
    points = folder.points
    rows = points[points["point"] == point]
    if rows.empty:
        raise KeyError(f"{folder.root}: no point {point} in the design")
    row = rows.iloc[0]
    base = base_scenario_data(folder) if base is None else base
    return apply_edits(base, json.loads(row["set"]), json.loads(row["remove_events"]))


def _plain(value: Any) -> Any:
    """YAML-safe plain data (dates as dates, tuples as lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
