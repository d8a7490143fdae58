"""A sweep folder on disk: crash-safe Parquet parts, a manifest, the design's points, a lock.

Layout of OUT:
    manifest.json          what was swept (sweep and scenario hashes, design, seed, version) and how far it got
    points.parquet         one row per design point: its values, counterfactual and the edits that make it
    results/part-*.parquet one row per finished run; `pandas.read_parquet(OUT / "results")` reads them whole
    trajectories/part-*.parquet  per-day highest rung per actor (with --trajectories), same parts as results
    points/point-*.yaml    a point's scenario, written on demand to re-run one run with `escalation-sim run`
    .tmp/                  files being written; never read as data

A part is written under .tmp/, flushed to disk (fsync), then renamed into place: a kill at any moment leaves
either the whole part or none of it. The results part is renamed last, so it is the commit mark of its runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..model import NO_RUNG
from .worker import ChunkResult

RESULTS = "results"
TRAJECTORIES = "trajectories"
MANIFEST = "manifest.json"
POINTS = "points.parquet"
PART = re.compile(r"^part-(\d{6})\.parquet$")
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


def atomic_write_bytes(path: Path, data: bytes, tmp_dir: Path) -> None:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_table(path: Path, table: pa.Table, tmp_dir: Path) -> None:
    """Write a Parquet file so that a kill at any moment leaves the whole file or nothing under `path`."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as handle:
        pq.write_table(table, handle, compression="zstd")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(layout: Layout, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write_bytes(layout.manifest, text.encode(), layout.tmp)


def read_manifest(root: Path) -> dict[str, Any] | None:
    path = Layout(root).manifest
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise StorageError(f"{path}: not a readable sweep manifest ({exc})") from None


def part_numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for name in os.listdir(folder) if (m := PART.match(name)))


def prepare_resume(layout: Layout) -> None:
    """Clear what a killed sweep left half-done: temp files, and trajectory parts whose results never landed."""
    shutil.rmtree(layout.tmp, ignore_errors=True)
    committed = set(part_numbers(layout.results))
    for number in part_numbers(layout.trajectories):
        if number not in committed:
            (layout.trajectories / f"part-{number:06d}.parquet").unlink()


def finished_run_ids(layout: Layout) -> np.ndarray:
    """run_ids of every committed row (sorted, unique)."""
    ids = [pq.read_table(layout.results / f"part-{n:06d}.parquet", columns=["run_id"]).column(0).to_numpy()
           for n in part_numbers(layout.results)]  # fmt: skip
    return np.unique(np.concatenate(ids)) if ids else np.empty(0, dtype=np.int64)


class PartWriter:
    """Buffers finished chunks and commits them as Parquet parts of a fixed schema."""

    def __init__(
        self, layout: Layout, schema: pa.Schema, point_values: pd.DataFrame, actor_ids: tuple[str, ...],
        flush_rows: int, trajectory_schema: pa.Schema | None,
    ) -> None:  # fmt: skip
        self.layout = layout
        self.schema = schema
        self.point_values = point_values  # indexed by point: the swept values, joined onto each row
        self.actor_ids = actor_ids
        self.flush_rows = flush_rows
        self.trajectory_schema = trajectory_schema
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
        if self.trajectory_schema is not None:
            table = trajectory_table(self.buffer, self.actor_ids, self.trajectory_schema)
            atomic_write_table(self.layout.trajectories / name, table, self.layout.tmp)
        table = results_table(self.buffer, self.schema, self.point_values)
        atomic_write_table(self.layout.results / name, table, self.layout.tmp)  # the commit
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


def read_parts(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All committed parts of a results or trajectories folder as one DataFrame, sorted by run_id."""
    numbers = part_numbers(folder)
    if not numbers:
        return pd.DataFrame()
    tables = [pq.read_table(folder / f"part-{n:06d}.parquet", columns=columns) for n in numbers]
    table = pa.concat_tables(tables, promote_options="default")
    sort = [("run_id", "ascending"), ("day", "ascending")] if "day" in table.column_names else [("run_id", "ascending")]
    return table.sort_by(sort).to_pandas().reset_index(drop=True)
