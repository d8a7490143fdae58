"""Sweep files' errors in words: the shared formatter (scenario.errors) with what differs for sweep files."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..scenario.errors import Dialect

# --- sweep files' errors in words (the formatter is shared with scenario files: scenario.errors) ----------------

_UNION_LABELS = ("grid", "points", "random", "lhs", "saltelli", "bool", "int", "float", "str", "date")
_OWN_PATH_HEADS = ("parameters", "design", "range", "values", "steps", "replicates")


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch labels (design kinds, scalar types) from a field path."""
    return tuple(p for p in loc if not (isinstance(p, str) and (p.startswith("function-") or p in _UNION_LABELS)))


def _own_path(loc: tuple, message: str, data: Any) -> tuple[tuple, str]:
    """Cross-checks name their field: "parameters.0.name: ..." (from the top) or "range: ..." (under loc)."""
    head = message.split(":", 1)[0]
    if (" " not in head and "." in head) or head in _OWN_PATH_HEADS:
        parts = tuple(int(p) if p.isdigit() else p for p in head.split("."))
        loc = parts if parts[0] in ("parameters", "design", "counterfactuals") else (*loc, *parts)
        message = message.split(":", 1)[1].strip()
    return loc, message


def _special(err: Any, kind: str, loc: tuple) -> str | None:
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag", "")
        return f"unknown design kind {tag!r}; expected grid, points, random, lhs or saltelli"
    return None


def _show(value: Any) -> str:
    shown = repr(value)
    return f"{shown[:60]}{'...' if len(shown) > 60 else ''}"


def dialect(models: dict[str, type[BaseModel]]) -> Dialect:
    """The sweep files' dialect, given the models of the file ("") and of its lists (spec.py passes them, so
    this module imports nothing of spec.py)."""

    def known_fields(parent: tuple, data: Any = None) -> list[str]:
        if not parent:
            return sorted(models[""].model_fields)
        if parent[0] == "design":
            return ["kind", "points", "samples", "base_samples", "second_order"]
        model = models.get(str(parent[0]))
        return sorted(model.model_fields) if model else []

    return Dialect(clean_loc=_clean_loc, known_fields=known_fields, own_path=_own_path, special=_special, show=_show)
