"""Provenance fields for a manifest: package version, git commit, library versions, parameters and their hash.

Why one small function: the project is adding a provenance module of its own; until it lands, every manifest this
subsystem writes takes its provenance from `provenance()` here, so the lead can swap one function.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = ("mesa", "numpy", "pandas", "pydantic", "statsmodels", "scipy", "matplotlib")


def _commit() -> str | None:
    root = Path(__file__).resolve().parents[3]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def parameters_hash(parameters: dict[str, Any]) -> str:
    """sha256 of the parameters as canonical JSON (sorted keys): equal parameters, equal hash."""
    return hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()


def file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance() -> dict[str, Any]:
    """Version, commit (None outside a git checkout), Python and library versions."""
    return {
        "version": _version("escalation-sim"),
        "commit": _commit(),
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }
