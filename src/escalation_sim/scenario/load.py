"""Reading scenario files: safe YAML (never code), `extends` chains, and every problem with its file and line.

`load_scenario(path)` is the entry point; `load_scenario_data` gives the raw data (`extends` resolved) for tools
that edit it before validating (sweeps, the app); `scenario_paths` finds the shipped scenarios by name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..files import read_text_file
from .edits import apply_edits, deep_merge, get_path, path_in
from .errors import Lines, ScenarioError, at_line, line_map, short
from .policy import read_yaml
from .schema import Scenario
from .validate import not_a_mapping, validate_scenario_data


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise ScenarioError with file, field path and line on bad input."""
    path = Path(path)
    return parse_scenario(_read_text(path), path)


def load_scenario_data(path: str | Path) -> dict[str, Any]:
    """The raw data of a scenario file, `extends` resolved and edits applied, before validation.

    For tools that edit scenarios (sweeps, the app): the result can be changed and then validated with
    `validate_scenario_data`. Raises ScenarioError if the file cannot be read or its `extends` chain is
    broken.
    """
    path = Path(path)
    data, lines = _read_yaml(_read_text(path), path)
    data, _ = _resolve_extends(data, path, (path.resolve(),), lines)
    return data


def parse_scenario(text: str, path: str | Path = "<string>") -> Scenario:
    """Validate a scenario given as YAML text; `extends` is resolved relative to `path`."""
    data, lines = _read_yaml(text, path)
    data, lines = _resolve_extends(data, Path(path), (Path(path).resolve(),), lines)
    return validate_scenario_data(data, path, lines)


def _read_text(path: Path) -> str:
    """A scenario file's text under the input policy (a regular file, at most 4 MiB, UTF-8)."""
    try:
        return read_text_file(path)
    except FileNotFoundError:
        raise ScenarioError(path, ["file not found; `escalation-sim list` shows the shipped scenarios"]) from None
    except (OSError, ValueError) as exc:  # not a regular file, too large, no permission, not UTF-8
        raise ScenarioError(path, [str(exc)]) from None


def _read_yaml(text: str, path: str | Path) -> tuple[dict[str, Any], Lines]:
    """Parse safely (see `policy`: no code, bounded size and depth, unique keys); map field paths to lines."""
    data, root = read_yaml(text, path, ScenarioError)
    if not isinstance(data, dict):
        raise ScenarioError(path, [not_a_mapping(data)])
    return data, line_map(root)


def _resolve_extends(
    data: dict[str, Any], path: Path, seen: tuple[Path, ...], lines: Lines | None = None
) -> tuple[dict[str, Any], Lines]:
    """A counterfactual file names its base (`extends`), then edits it (`remove_events`, `set`)."""
    lines = dict(lines or {})
    if "extends" not in data:
        for key in ("remove_events", "set"):
            if key in data:
                problem = f"{key}: only allowed together with 'extends: BASE_FILE'"
                raise ScenarioError(path, [at_line(problem, lines, key)])
        return data, lines
    data = dict(data)
    base_name = data.pop("extends")
    removals = data.pop("remove_events", []) or []
    changes = data.pop("set", {}) or {}
    if not isinstance(base_name, str) or not base_name.strip():
        problem = "extends: expected the path of a base scenario file, relative to this one"
        raise ScenarioError(path, [at_line(problem, lines, "extends")])
    if isinstance(removals, str) or not isinstance(removals, list):
        raise ScenarioError(
            path,
            [
                at_line(
                    f"remove_events: expected a list of event ids, e.g. [A06], found {short(removals)}",
                    lines,
                    "remove_events",
                )
            ],
        )
    try:
        base_path = (path.parent / base_name).resolve()
    except (OSError, ValueError, RuntimeError):
        base_path = None
    if base_path in seen:
        chain = " -> ".join(p.name for p in (*seen, base_path))
        problem = f"extends: {base_name} is already in the chain of bases (a cycle: {chain})"
        raise ScenarioError(path, [at_line(problem, lines, "extends")])
    try:
        if base_path is None:
            raise FileNotFoundError
        base_text = read_text_file(base_path)
    except FileNotFoundError:
        raise ScenarioError(
            path, [at_line(f"extends: base scenario {base_name!r} not found next to this file", lines, "extends")]
        ) from None
    except (OSError, ValueError) as exc:  # a FIFO, a device, too large, not UTF-8
        problem = f"extends: base scenario {base_name!r}: {exc}"
        raise ScenarioError(path, [at_line(problem, lines, "extends")]) from None
    base, base_lines = _read_yaml(base_text, base_path)
    base, base_lines = _resolve_extends(base, base_path, (*seen, base_path), base_lines)
    merged = deep_merge(base, data)
    try:
        edited = apply_edits(merged, changes, removals)
    except ValueError as exc:
        key = "set" if str(exc).startswith("set") else "remove_events"
        raise ScenarioError(path, [at_line(str(exc), lines, key)]) from None
    return edited, _merge_lines(base_lines, base_path, path, lines, merged, edited, changes, removals)


def _merge_lines(
    base_lines: Lines,
    base_path: Path,
    path: Path,
    lines: Lines,
    merged: dict[str, Any],
    edited: dict[str, Any],
    changes: dict[str, Any],
    removals: list[Any],
) -> Lines:
    """Where each field of an extended scenario was written: in this file, or in (which) base file."""
    try:
        label = str(Path(os.path.relpath(base_path, path.resolve().parent)))
    except ValueError:  # another drive
        label = str(base_path)
    out: Lines = {key: (where or label, line) for key, (where, line) in base_lines.items()}
    events = merged.get("events")
    if removals and isinstance(events, list):  # events after a removal move up the list
        kept = [i for i, e in enumerate(events) if not (isinstance(e, dict) and e.get("id") in removals)]
        moved = {old: new for new, old in enumerate(kept)}
        out = {
            ((*k[:1], moved[k[1]], *k[2:]) if len(k) > 1 and k[0] == "events" and k[1] in moved else k): v
            for k, v in out.items()
            if not (len(k) > 1 and k[0] == "events" and isinstance(k[1], int) and k[1] not in moved)
        }
    for key, value in lines.items():
        if key[:1] in (("extends",), ("remove_events",), ("set",)):
            continue
        if key and not isinstance(get_path(merged, key), dict):  # replaced whole: the base's lines are stale
            out = {k: v for k, v in out.items() if k[: len(key)] != key}
        out[key] = value
    for dotted in changes:
        target = path_in(edited, str(dotted))
        where = lines.get(("set", dotted))
        if where is not None:
            out = {k: v for k, v in out.items() if k[: len(target)] != target}
            out[target] = where
    return out


def scenario_paths() -> dict[str, Path]:
    """Shipped scenario files by name: ./scenarios, then the package's own copy, then the source tree's."""
    here = Path(__file__).resolve().parents[1]  # the package folder
    roots = [Path.cwd() / "scenarios", here / "scenarios", here.parents[1] / "scenarios"]
    folders = [folder for root in roots for folder in (root, root / "library")]  # the crisis library too
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in found:
                continue
            try:
                head, _ = read_yaml(read_text_file(path), path, ScenarioError)
            except (OSError, ValueError, ScenarioError):
                head = None  # a broken file is still listed if it looks like a scenario? no: it cannot say so
            if isinstance(head, dict) and ("actors" in head or "extends" in head):
                found[path.stem] = path
    return found
