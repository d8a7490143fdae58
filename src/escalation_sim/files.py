"""Files in and out, safely: inputs are regular files of bounded size, outputs are written whole or not at all.

Every file the package reads (scenarios, `extends` bases, sweep files, saved games) goes through
`read_text_file`: it refuses FIFOs, devices, sockets and folders before opening them for reading (os.stat +
S_ISREG, then an O_NONBLOCK open re-checked with fstat, so a FIFO swapped in between never blocks), and stops
at `MAX_INPUT_BYTES`. Every file it writes goes through `write_bytes`/`write_text`/`write_csv`: a temporary
file in the destination's folder, fsync, then os.replace; a destination that exists and is not a regular
file (a device, a FIFO, a folder) is refused, so `/dev/full` is never replaced. CSV cells that are text and
start with = + - @ (or a tab or carriage return) get a leading single quote, so a spreadsheet shows them as
text instead of running them as formulas (OWASP "CSV injection"); a carriage return inside text becomes a
newline (which the CSV writer quotes; a bare CR would split the row); numbers stay numbers.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_INPUT_BYTES = 4 * 1024 * 1024  # 4 MiB: the shipped scenarios are ~30 KB; a saved game of 365 days ~200 KB
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FileProblem(OSError):
    """A path that cannot be used as asked; the message says which path, why, and what would work."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_text_file(path: str | Path, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The UTF-8 text of a regular file no bigger than `max_bytes`; FileProblem otherwise (never blocks)."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise FileProblem(f"cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"cannot read the file: it is {_kind(info.st_mode)}, not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileProblem(f"cannot read the file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())  # the file actually opened (it may have been swapped since the stat)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"cannot read the file: it is {_kind(info.st_mode)}, not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileProblem(
            f"cannot read the file: it is larger than {max_bytes // (1024 * 1024)} MiB, the most an input file may be"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"cannot read the file: it is not UTF-8 text (byte {exc.start})") from None


# --- outputs -------------------------------------------------------------------------------------------------


def output_problem(path: str | Path, *, folder: bool = False) -> str | None:
    """Why `path` cannot be written as a file (or, with folder=True, used as an output folder); None if it can.

    A missing parent folder is not a problem: writers create it (consistently, for every output option).
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        return f"cannot use {path} ({exc.strerror})"
    if info is not None:
        if folder and not stat.S_ISDIR(info.st_mode):
            return (
                f"{path} exists and is {_kind(info.st_mode) if not stat.S_ISREG(info.st_mode) else 'a file'}; "
                "give a folder"
            )
        if not folder and not stat.S_ISREG(info.st_mode):
            return f"{path} is {_kind(info.st_mode)}; give the path of a file to write"
    parent = path if folder and info is not None else path.parent
    existing = parent
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return f"{existing} is not a folder, so {path} cannot be created under it"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable; choose another place"
    return None


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all (temp file in the same folder, fsync, os.replace)."""
    return _write(Path(path), lambda handle: handle.write(data))


def write_text(path: str | Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_with(path: str | Path, writer: Callable[[Any], Any]) -> Path:
    """Like write_bytes, for writers that take a binary handle (matplotlib's savefig, pyarrow)."""
    return _write(Path(path), writer)


def _write(path: Path, writer: Callable[[Any], Any]) -> Path:
    problem = output_problem(path)
    if problem:
        raise FileProblem(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):  # swapped for a device since the check
            raise FileProblem(f"{path} is {_kind(info.st_mode)}; give the path of a file to write")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading quote; others as given."""
    if isinstance(value, str):
        if value.startswith(FORMULA_START):
            value = "'" + value
        # a bare CR is not quoted by the csv module and splits the row for readers: make it a (quoted) newline
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def write_csv(frame: Any, path: str | Path, **options: Any) -> Path:
    """Write a DataFrame as CSV (atomically), text cells made spreadsheet-safe; numeric columns untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) in ("string", "str"):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in safe.columns]
    options.setdefault("index", False)
    options.setdefault("lineterminator", "\n")
    text = safe.to_csv(**options)
    return write_text(path, text)
