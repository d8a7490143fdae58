"""Frozen parameters: the train/test protocol that makes out-of-sample numbers honest by construction.

A parameter set (dotted scenario paths -> values, as `calibrate` writes it) is frozen by recording its hash in a
registry file kept in the repository (calibration/frozen.json, committed). A scenario marked `split: test` is
scored with parameters only if their hash was recorded before: parameters chosen after looking at the test
record cannot be passed off as frozen, because recording refuses while a test scenario is being scored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

DEFAULT_REGISTRY = Path("calibration/frozen.json")


class FrozenError(ValueError):
    """A parameter file that cannot be read, or a test scenario scored with unrecorded parameters."""


def read_params(path: Path) -> dict[str, Any]:
    """A parameters file: a JSON mapping of dotted paths to values (or calibrate's `{"params": {...}}`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FrozenError(f"{path}: cannot read the parameters ({exc}); expected a JSON mapping") from None
    if isinstance(data, dict) and isinstance(data.get("params"), dict):
        data = data["params"]
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise FrozenError(f"{path}: expected a JSON mapping of dotted paths to values, e.g. "
                          '{"actors.IRN.rule.temperature": 0.2}')  # fmt: skip
    return data


def params_hash(params: dict[str, Any]) -> str:
    """sha256 of the parameters in canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def registry(path: Path = DEFAULT_REGISTRY) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FrozenError(f"{path}: the registry is not valid JSON ({exc}); restore it from git") from None
    return data if isinstance(data, dict) else {}


def record(params: dict[str, Any], note: str, path: Path = DEFAULT_REGISTRY) -> str:
    """Record the parameters' hash (with the parameters and a note); return the hash."""
    digest = params_hash(params)
    entries = registry(path)
    entries.setdefault(digest, {"params": params, "note": note, "recorded": dt.date.today().isoformat()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")
    return digest


def check(params: dict[str, Any], split: str | None, path: Path = DEFAULT_REGISTRY) -> str:
    """The parameters' hash; raise FrozenError if a test scenario is scored with unrecorded parameters."""
    digest = params_hash(params)
    if split == "test" and digest not in registry(path):
        raise FrozenError(
            f"this is a test scenario and the parameters (sha256 {digest[:12]}) were never frozen in {path}; "
            "freeze them first on training data (`escalation-sim calibrate ... --freeze` or `escalation-sim "
            "score TRAIN_SCENARIO --frozen PARAMS --record-frozen`), then score the test scenario"
        )
    return digest
