"""Provenance: what produced an output, so a result in a paper can be traced to the code and libraries behind it.

`provenance()` is the one place every writer asks: the package version, the git commit when the package runs from
a checkout (None from an installed wheel), whether that checkout had uncommitted changes, and the versions of
Python and of the libraries that shape results (Mesa, NumPy, pandas). Low in the layers (beside `files`): it
imports nothing of the package, and reads library versions from their metadata without importing them.
"""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGE = "escalation-sim"
LIBRARIES = ("mesa", "numpy", "pandas")  # the libraries whose versions can change a number in an output
_SOURCE = Path(__file__).resolve().parent  # src/escalation_sim in a checkout; site-packages/... when installed


def package_version() -> str:
    try:
        return version(PACKAGE)
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0+unknown"


def library_versions() -> dict[str, str | None]:
    """Python's version and each library's installed version (None if it is not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(_SOURCE), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):  # no git on this machine, or it hung
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.cache
def git_commit() -> tuple[str | None, bool | None]:
    """(commit, dirty) of the checkout the package runs from; (None, None) when it is not a checkout of this
    project (an installed wheel, or a folder inside someone else's repository)."""
    top = _git("rev-parse", "--show-toplevel")
    if top is None or not (Path(top) / "pyproject.toml").is_file() or _SOURCE.parent.parent != Path(top).resolve():
        return None, None
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return None, None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return commit, (bool(status) if status is not None else None)


def provenance() -> dict[str, Any]:
    """The fields every output carries: `version`, `commit`, `commit_dirty` and `libraries`."""
    commit, dirty = git_commit()
    return {"version": package_version(), "commit": commit, "commit_dirty": dirty, "libraries": library_versions()}
