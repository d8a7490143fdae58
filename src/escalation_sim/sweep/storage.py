"""A sweep folder on disk: crash-safe Parquet parts, a manifest, the design's points, a lock.

Layout of OUT:
    manifest.json          what was swept (sweep and scenario hashes, design, seed, version) and how far it got
    points.parquet         one row per design point: its values, counterfactual and the edits that make it
    results/part-*.parquet one row per finished run; `pandas.read_parquet(OUT / "results")` reads them whole
    trajectories/part-*.parquet  per-day highest rung per actor (with --trajectories), same parts as results
    points/point-*.yaml    a point's scenario, written on demand to re-run one run with `escalation-sim run`
    quarantine/            parts found unreadable or altered at a resume, moved aside (their runs are recomputed)
    .tmp/                  files being written; never read as data

A part is written under .tmp/, flushed to disk (fsync), then renamed into place: a kill at any moment leaves
either the whole part or none of it. The results part is renamed last, so it is the commit mark of its runs;
its SHA-256 (and its trajectory part's) then goes into the manifest's `parts`. A resume checks every part
against that checksum (a part committed just before a kill, not yet recorded, must read whole, footer and all)
and moves any that fails to quarantine/, so its runs are run again. The sweep only ever deletes its own
temporary files (`*.<pid>.tmp` in .tmp/), and never writes into a folder that has content but no manifest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..files import read_text_file
from ..model import NO_RUNG
from .atomic import atomic_write_bytes, atomic_write_table, fsync_dir, readable, sha256_file
from .worker import ChunkResult

RESULTS = "results"
TRAJECTORIES = "trajectories"
MANIFEST = "manifest.json"
POINTS = "points.parquet"
QUARANTINE = "quarantine"
PART = re.compile(r"^part-(\d{6})\.parquet$")
OWN_TMP = re.compile(r"^(part-\d{6}\.parquet|manifest\.json|points\.parquet)\.\d+\.tmp$")  # what we write in .tmp
MANIFEST_FORMAT = 1


class StorageError(Exception):
    """A sweep folder that cannot be used as asked (another sweep's folder, locked, unwritable)."""


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def results(self) -> Path:
        return self.root / RESULTS

    @property
    def trajectories(self) -> Path:
        return self.root / TRAJECTORIES

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    @property
    def points(self) -> Path:
        return self.root / POINTS

    @property
    def tmp(self) -> Path:
        return self.root / ".tmp"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def quarantine(self) -> Path:
        return self.root / QUARANTINE


def check_new_folder(root: Path) -> None:
    """A folder without a manifest is written into only if empty (but for our own lock and temp files)."""
    if not root.exists():
        return
    if not root.is_dir():
        raise StorageError(f"--out: {root} exists and is not a folder; choose a folder")
    layout = Layout(root)
    others = [name for name in os.listdir(root) if name not in (".lock", ".tmp")]
    if layout.tmp.is_dir():
        others += [f".tmp/{n}" for n in os.listdir(layout.tmp) if not OWN_TMP.match(n)]
    if others:
        raise StorageError(
            f"--out: {root} is not empty and holds no sweep (no {MANIFEST}: found {', '.join(sorted(others)[:3])}); "
            "choose a new or empty folder (a sweep never writes into a folder it did not create)"
        )


@contextlib.contextmanager
def locked(root: Path) -> Iterator[Layout]:
    """Hold the folder's lock: two sweeps writing one folder would duplicate rows."""
    layout = Layout(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(layout.lock, "a+")  # noqa: SIM115 - held for the whole sweep
    except OSError as exc:
        raise StorageError(f"{root}: cannot create the sweep folder ({exc.strerror})") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StorageError(f"{root}: another sweep is writing this folder; wait for it or use another --out") from None
    try:
        yield layout
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def write_manifest(layout: Layout, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write_bytes(layout.manifest, text.encode(), layout.tmp)


def read_manifest(root: Path) -> dict[str, Any] | None:
    path = Layout(root).manifest
    if not path.exists() and not path.is_symlink():
        return None
    try:
        manifest = json.loads(read_text_file(path))
    except (OSError, ValueError) as exc:  # a FIFO or device, too large, not JSON
        raise StorageError(f"{path}: not a readable sweep manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise StorageError(f"{path}: not a sweep manifest (expected a JSON object)")
    return manifest


def part_numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for name in os.listdir(folder) if (m := PART.match(name)))


def prepare_resume(layout: Layout) -> None:
    """Clear what a killed sweep left half-done: its temp files, and trajectory parts whose results never landed.

    Only files the sweep writes are removed: `.tmp/` is emptied of `*.<pid>.tmp` files, nothing else.
    """
    if layout.tmp.is_dir():
        for name in os.listdir(layout.tmp):
            if OWN_TMP.match(name):
                (layout.tmp / name).unlink(missing_ok=True)
    committed = set(part_numbers(layout.results))
    for number in part_numbers(layout.trajectories):
        if number not in committed:
            (layout.trajectories / f"part-{number:06d}.parquet").unlink()


def verify_parts(
    layout: Layout, recorded: dict[str, dict[str, str]] | None, runs: int | None = None
) -> tuple[dict[str, dict[str, str]], list[Path]]:
    """Check every committed part (and its trajectory part) against the manifest's checksums.

    Returns the checksums of the parts that passed, and where the failed ones were moved (quarantine/): their
    runs count as not done, so the sweep runs them again. A part the manifest does not record was either
    committed just before a kill (then it is the one part after the last recorded, reads whole, and holds new
    run_ids within 0..runs-1) or not written by this sweep (a copy, a leftover): that one is quarantined too.
    `recorded` None: a manifest from before parts were recorded; any part that reads whole with new runs passes.
    """
    legacy = recorded is None
    recorded = recorded if isinstance(recorded, dict) else {}
    good: dict[str, dict[str, str]] = {}
    moved: list[Path] = []
    last = max((int(m.group(1)) for name in recorded if (m := PART.match(name))), default=-1)
    for number in part_numbers(layout.results):
        name = f"part-{number:06d}.parquet"
        files = {RESULTS: layout.results / name}
        if (layout.trajectories / name).exists():
            files[TRAJECTORIES] = layout.trajectories / name
        expected = recorded.get(name, {})
        sums = {kind: sha256_file(path) for kind, path in files.items()}
        ok = all(sums[k] == expected[k] if k in expected else readable(p) for k, p in files.items())
        if ok and set(expected) - set(files):  # a recorded trajectory part has gone missing
            ok = False
        if ok and not expected:
            ok = (legacy or number == last + 1) and _new_runs(files[RESULTS], layout, good, runs)
        if ok:
            good[name] = sums
            continue
        layout.quarantine.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for kind, path in files.items():
            target = layout.quarantine / f"{stamp}-{kind}-{name}"
            os.replace(path, target)
            moved.append(target)
    if moved:
        fsync_dir(layout.results)
    return good, moved


def _new_runs(path: Path, layout: Layout, good: dict[str, dict[str, str]], runs: int | None) -> bool:
    """Whether an unrecorded part holds only run_ids in 0..runs-1 that no part already accepted holds."""
    ids = pq.read_table(path, columns=["run_id"]).column(0).to_numpy()
    if len(np.unique(ids)) != len(ids) or (len(ids) and (ids.min() < 0 or (runs is not None and ids.max() >= runs))):
        return False
    for name in good:
        if np.intersect1d(ids, pq.read_table(layout.results / name, columns=["run_id"]).column(0).to_numpy()).size:
            return False
    return True


def finished_run_ids(layout: Layout) -> np.ndarray:
    """run_ids of every committed row (sorted, unique)."""
    ids = [
        pq.read_table(layout.results / f"part-{n:06d}.parquet", columns=["run_id"]).column(0).to_numpy()
        for n in part_numbers(layout.results)
    ]
    return np.unique(np.concatenate(ids)) if ids else np.empty(0, dtype=np.int64)


class PartWriter:
    """Buffers finished chunks and commits them as Parquet parts of a fixed schema."""

    def __init__(
        self,
        layout: Layout,
        schema: pa.Schema,
        point_values: pd.DataFrame,
        actor_ids: tuple[str, ...],
        flush_rows: int,
        trajectory_schema: pa.Schema | None,
        on_commit: Callable[[str, dict[str, str]], None] | None = None,
    ) -> None:
        self.layout = layout
        self.schema = schema
        self.point_values = point_values  # indexed by point: the swept values, joined onto each row
        self.actor_ids = actor_ids
        self.flush_rows = flush_rows
        self.trajectory_schema = trajectory_schema
        self.on_commit = on_commit  # records a committed part's checksums (in the manifest)
        self.buffer: list[ChunkResult] = []
        self.buffered = 0
        existing = part_numbers(layout.results)
        self.next_part = existing[-1] + 1 if existing else 0
        layout.results.mkdir(parents=True, exist_ok=True)
        if trajectory_schema is not None:
            layout.trajectories.mkdir(parents=True, exist_ok=True)

    def add(self, result: ChunkResult) -> None:
        self.buffer.append(result)
        self.buffered += result.size
        if self.buffered >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        name = f"part-{self.next_part:06d}.parquet"
        sums = {}
        if self.trajectory_schema is not None:
            table = trajectory_table(self.buffer, self.actor_ids, self.trajectory_schema)
            sums[TRAJECTORIES] = atomic_write_table(self.layout.trajectories / name, table, self.layout.tmp)
        table = results_table(self.buffer, self.schema, self.point_values)
        sums[RESULTS] = atomic_write_table(self.layout.results / name, table, self.layout.tmp)  # the commit
        if self.on_commit is not None:
            self.on_commit(name, sums)
        self.next_part += 1
        self.buffer = []
        self.buffered = 0


def results_table(chunks: list[ChunkResult], schema: pa.Schema, point_values: pd.DataFrame) -> pa.Table:
    """Rows of finished chunks, sorted by run_id, with the swept values of each row's point."""
    columns: dict[str, list[Any]] = {}
    for chunk in chunks:
        for name, values in chunk.columns.items():
            columns.setdefault(name, []).extend(values)
    order = np.argsort(np.asarray(columns["run_id"], dtype=np.int64), kind="stable")
    points = np.asarray(columns["point"], dtype=np.int64)[order]
    arrays = []
    for field in schema:
        if field.name in columns:
            values = columns[field.name]
            arrays.append(pa.array([values[i] for i in order], type=field.type))
        else:
            arrays.append(pa.array(point_values[field.name].to_numpy()[points].tolist(), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def trajectory_table(chunks: list[ChunkResult], actor_ids: tuple[str, ...], schema: pa.Schema) -> pa.Table:
    """Long table: one row per run and day, the highest hostile rung of each actor and overall (null: none)."""
    run_ids = np.concatenate([np.asarray(c.columns["run_id"], dtype=np.int64) for c in chunks])
    paths = np.concatenate([c.trajectories for c in chunks if c.trajectories is not None])
    order = np.argsort(run_ids, kind="stable")
    run_ids, paths = run_ids[order], paths[order]
    runs, days, _ = paths.shape
    arrays = [pa.array(np.repeat(run_ids, days)), pa.array(np.tile(np.arange(days, dtype=np.int16), runs))]
    for j, _actor in enumerate(actor_ids):
        column = paths[:, :, j].reshape(-1)
        arrays.append(pa.array(column, mask=column == NO_RUNG, type=pa.int16()))
    crisis = paths.max(axis=2).reshape(-1)
    arrays.append(pa.array(crisis, mask=crisis == NO_RUNG, type=pa.int16()))
    return pa.Table.from_arrays(arrays, schema=schema)


def read_parts(folder: Path, columns: list[str] | None = None, manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """All committed parts of a results or trajectories folder as one DataFrame, sorted by run_id.

    With the folder's `manifest` of a finished sweep: a part it does not record (a copy, a leftover) is refused,
    never read as runs (a copied part once counted its runs twice)."""
    numbers = part_numbers(folder)
    recorded = (manifest or {}).get("parts")
    if isinstance(recorded, dict) and (manifest or {}).get("status") == "complete":
        stray = [f"part-{n:06d}.parquet" for n in numbers if f"part-{n:06d}.parquet" not in recorded]
        if stray:
            raise StorageError(
                f"{folder / stray[0]} was not written by this sweep (its manifest does not record it); rerun the "
                "same `escalation-sim sweep` command: it moves such parts to quarantine/"
            )
    if not numbers:
        return pd.DataFrame()
    tables = []
    for n in numbers:
        path = folder / f"part-{n:06d}.parquet"
        try:
            tables.append(pq.read_table(path, columns=columns))
        except Exception as exc:  # a damaged part: say which, and how to repair it
            raise StorageError(
                f"{path} cannot be read ({type(exc).__name__}); rerun the same `escalation-sim sweep` command: "
                "it moves damaged parts to quarantine/ and runs them again"
            ) from None
    table = pa.concat_tables(tables, promote_options="default")
    sort = [("run_id", "ascending"), ("day", "ascending")] if "day" in table.column_names else [("run_id", "ascending")]
    return table.sort_by(sort).to_pandas().reset_index(drop=True)
