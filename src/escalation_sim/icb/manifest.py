"""Provenance fields for a manifest: the project's provenance (version, git commit, library versions) plus the
libraries this subsystem's numbers also depend on, and the hashes of parameters and input files.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from ..provenance import provenance as project_provenance

EXTRA_LIBRARIES = ("pydantic", "statsmodels", "scipy", "matplotlib")  # the ordered logit, the figures


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
    """The project's provenance (`escalation_sim.provenance`), with this subsystem's further libraries."""
    out = project_provenance()
    out["libraries"] = {**out["libraries"], **{name: _version(name) for name in EXTRA_LIBRARIES}}
    return out
