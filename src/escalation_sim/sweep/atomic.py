"""Crash-safe files: written under a temporary name, flushed to disk (fsync) and renamed into place, so that a
kill at any moment leaves the whole file or none of it; and the checks a resume makes of what it finds."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def atomic_write_bytes(path: Path, data: bytes, tmp_dir: Path) -> None:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def atomic_write_table(path: Path, table: pa.Table, tmp_dir: Path) -> str:
    """Write a Parquet file so that a kill at any moment leaves the whole file or nothing under `path`.

    Pages carry CRC checksums (checked when read); returns the file's SHA-256 for the manifest.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{path.name}.{os.getpid()}.tmp"
    digest = hashlib.sha256()

    class _Hashing:  # pyarrow writes through this: the checksum costs no second read
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def write(self, data: Any) -> int:
            digest.update(data)
            return self.handle.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

    with open(tmp, "wb") as handle:
        pq.write_table(table, _Hashing(handle), compression="zstd", write_page_checksum=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable: without it a crash can lose the new name though the data is on disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def readable(path: Path) -> bool:
    """Whether a Parquet file reads whole: footer, schema and every page (checksums of its pages included)."""
    try:
        pq.read_table(path, page_checksum_verification=True)
        return True
    except Exception:  # ArrowInvalid, OSError, ...: pyarrow's errors for damaged files vary
        return False
