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

from ..files import read_text_file, write_text

DEFAULT_REGISTRY = Path("calibration/frozen.json")


class FrozenError(ValueError):
    """A parameter file that cannot be read, or a test scenario scored with unrecorded parameters."""


def read_params(path: Path) -> dict[str, Any]:
    """A parameters file: a JSON mapping of dotted paths to values (or calibrate's `{"params": {...}}`).

    Read under the input policy, as every input file is: a regular file of at most 4 MiB (never a FIFO or
    /dev/zero), no key written twice, nesting at most `MAX_DEPTH` levels, numbers within the model's range."""
    from ..scenario.policy import MAX_DEPTH, value_problems

    try:
        data = json.loads(read_text_file(path), object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except FileNotFoundError:
        raise FrozenError(f"{path}: no such file; expected a JSON mapping of parameters") from None
    except RecursionError:
        raise FrozenError(f"{path}: nested too deeply for a parameters file") from None
    except (OSError, ValueError) as exc:  # not a regular file, too large, not UTF-8, not JSON, a repeated key
        raise FrozenError(f"{path}: cannot read the parameters ({exc}); expected a JSON mapping") from None
    if isinstance(data, dict) and isinstance(data.get("params"), dict):
        data = data["params"]
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise FrozenError(
            f'{path}: expected a JSON mapping of dotted paths to values, e.g. {{"actors.IRN.rule.temperature": 0.2}}'
        )
    if _depth(data) > MAX_DEPTH:
        raise FrozenError(f"{path}: nested more than {MAX_DEPTH} levels deep")
    problems = value_problems(data)
    if problems:
        where, problem = problems[0]
        raise FrozenError(f"{path}: {'.'.join(str(p) for p in where) or 'the file'}: {problem}")
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} is written twice in one object; keep one")
        out[key] = value
    return out


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a parameter can take")


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict | list):
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def params_hash(params: dict[str, Any]) -> str:
    """sha256 of the parameters in canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def registry(path: Path = DEFAULT_REGISTRY) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(read_text_file(path))
    except (OSError, ValueError) as exc:  # not JSON, not a regular file, too large
        raise FrozenError(f"{path}: the registry cannot be read ({exc}); restore it from git") from None
    return data if isinstance(data, dict) else {}


def record(params: dict[str, Any], note: str, path: Path = DEFAULT_REGISTRY) -> str:
    """Record the parameters' hash (with the parameters and a note); return the hash."""
    digest = params_hash(params)
    entries = registry(path)
    entries.setdefault(digest, {"params": params, "note": note, "recorded": dt.date.today().isoformat()})
    write_text(path, json.dumps(entries, indent=2, sort_keys=True) + "\n")  # whole or not at all, a regular file
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
