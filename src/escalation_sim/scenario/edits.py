"""Editing raw scenario data: values set by dotted path, events dropped by id, base files merged.

One way to make a counterfactual, used by `extends:` files, `Scenario.with_edits`, sweeps and the app's sliders.
Works on plain data (before validation) and raises ValueError naming the path that does not exist.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable
from typing import Any

from .errors import short


def apply_edits(
    data: dict[str, Any], changes: dict[str, Any] | None = None, remove_events: Iterable[str] = ()
) -> dict[str, Any]:
    """Edit raw scenario data: drop events by id and set values by dotted path.

    Paths address mappings by key, lists by index, and events by id: `actors.USA.rule.margin`,
    `events.A06.killed`, `outcomes.calm_days`. Raises ValueError naming the path that does not exist.
    """
    data = copy.deepcopy(data)
    if changes is None:
        changes = {}
    if not isinstance(changes, dict):
        raise ValueError(f"set: expected a mapping of dotted paths to values, found {type(changes).__name__}")
    if isinstance(remove_events, str | bytes | dict) or not isinstance(remove_events, Iterable):
        raise ValueError(f"remove_events: expected a list of event ids, found {short(remove_events)}")
    removals = list(remove_events)
    if removals:
        events = data.get("events", [])
        if not isinstance(events, list):
            raise ValueError(f"remove_events: the base scenario's events are not a list ({short(events)})")
        ids = [e.get("id") for e in events if isinstance(e, dict)]
        for event_id in removals:
            if not isinstance(event_id, str | int | float | bool | None):
                raise ValueError(f"remove_events: expected event ids, found {short(event_id)}")
            if event_id not in ids:
                hint = difflib.get_close_matches(str(event_id), [str(i) for i in ids], n=1, cutoff=0.5)
                raise ValueError(
                    f"remove_events: no event {event_id!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                )
        data["events"] = [e for e in events if not (isinstance(e, dict) and e.get("id") in removals)]
    for dotted, value in changes.items():
        if not isinstance(dotted, str) or not all(dotted.split(".")):
            raise ValueError(f"set: {dotted!r} is not a dotted field path such as actors.USA.rule.margin")
        for path in expand_wildcard(data, dotted):
            _set_path(data, path, value)
    return data


def expand_wildcard(data: dict[str, Any], dotted: str) -> list[str]:
    """`actors.*.REST` as one path per actor; `actors.*.rule.FIELD` also reaches the rules nested in a regime
    (`rule.regimes.NAME.FIELD`) or a mixture (`rule.components.I.rule.FIELD`), one level down, so a shared
    parameter (every rule's `spread`) is set wherever a rule reads it. Any other path is returned as it is."""
    parts = dotted.split(".")
    if len(parts) < 3 or parts[0] != "actors" or parts[1] != "*":
        if "*" in parts:
            raise ValueError(f"set {dotted}: a wildcard is allowed only as the actor id (actors.*.rule.spread)")
        return [dotted]
    rest = parts[2:]
    if "*" in rest:
        raise ValueError(f"set {dotted}: a wildcard is allowed only as the actor id (actors.*.rule.spread)")
    actors = data.get("actors")
    if not isinstance(actors, dict) or not actors:
        raise ValueError(f"set {dotted}: the scenario has no actors to apply the wildcard to")
    paths = []
    for actor_id, actor in actors.items():
        paths.append(".".join(["actors", str(actor_id), *rest]))
        rule = actor.get("rule") if isinstance(actor, dict) else None
        if rest[0] != "rule" or len(rest) != 2 or not isinstance(rule, dict):
            continue
        if rule.get("name") == "regime" and isinstance(rule.get("regimes"), dict):
            paths += [f"actors.{actor_id}.rule.regimes.{name}.{rest[1]}" for name in rule["regimes"]]
        if rule.get("name") == "mixture" and isinstance(rule.get("components"), list):
            paths += [f"actors.{actor_id}.rule.components.{i}.rule.{rest[1]}" for i in range(len(rule["components"]))]
    return paths


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            index = _list_index(node, part, where)
            if last:
                node[index] = value
                return
            node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            if part not in node:
                if (parts[0] == "actors" and depth >= 2) or part in ("rule", "traits", "perception", "outcomes"):
                    node[part] = {}
                else:
                    hint = difflib.get_close_matches(part, [str(k) for k in node], n=1)
                    raise ValueError(f"set {dotted}: no {where!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
            node = node[part]
        else:
            raise ValueError(f"set {dotted}: {'.'.join(parts[:depth])!r} is a value, not a mapping or list")


def _list_index(items: list[Any], part: str, where: str) -> int:
    if part.isdigit() and int(part) < len(items):
        return int(part)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    raise ValueError(f"set: no item {where!r} (use a list index or an event id)")


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def get_path(data: Any, key: tuple) -> Any:
    for part in key:
        in_dict = isinstance(data, dict) and part in data
        if not (in_dict or (isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data))):
            return None
        data = data[part]
    return data


def path_in(data: Any, dotted: str) -> tuple:
    """A `set:` path as a field path: event ids become list indices."""
    out: list[Any] = []
    node = data
    for part in dotted.split("."):
        if isinstance(node, list):
            index = next((i for i, e in enumerate(node) if isinstance(e, dict) and e.get("id") == part), None)
            if index is None and part.isdigit():
                index = int(part)
            out.append(index if index is not None else part)
            node = node[index] if index is not None and index < len(node) else None
        else:
            out.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(out)
