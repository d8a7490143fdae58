"""Validating scenario data, and what its pydantic errors mean in a scenario file's words.

The scenario's `Dialect` for the shared formatter (`scenario.errors`): rule parameters are a union tagged by
`name`, the ladder is 'default' or a mapping, and cross-checks name the field they are about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..rules import RULES, RuleParams
from .edits import get_path
from .errors import Dialect, Lines, ScenarioError, at_line, describe, did_you_mean, short
from .policy import bool_problems, value_problems
from .schema import Scenario


def validate_scenario_data(data: dict[str, Any], path: str | Path = "<data>", lines: Lines | None = None) -> Scenario:
    """Validate raw scenario data; raise ScenarioError describing every problem with its path and line."""
    if not isinstance(data, dict):
        raise ScenarioError(path, [not_a_mapping(data)])
    bounds = value_problems(data) or bool_problems(Scenario, data)
    if bounds:  # numbers and dates the model cannot represent, booleans for numbers: before pydantic converts
        problems = [at_line(f"{'.'.join(str(p) for p in loc)}: {msg}", lines or {}, *loc) for loc, msg in bounds]
        raise ScenarioError(path, problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errs = _drop_union_noise(exc.errors())
        problems = list(dict.fromkeys(describe(err, lines or {}, SCENARIO, data) for err in errs))
        raise ScenarioError(path, problems) from None
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # unhashable keys, absurd dates
        raise ScenarioError(path, [str(exc) or type(exc).__name__]) from None


def not_a_mapping(data: Any) -> str:
    return f"expected a mapping of scenario fields at the top, found {type(data).__name__}"


def _drop_union_noise(errs: list[Any]) -> list[Any]:
    """`ladder` is 'default' or a mapping: report only the branch the user meant."""
    out = []
    for err in errs:
        loc = err["loc"]
        if loc[:1] == ("ladder",) and len(loc) > 1:
            given = err.get("input") if len(loc) == 2 else None
            if loc[1] == "literal['default']":
                if isinstance(err.get("input"), dict):
                    continue  # a mapping was meant: its own errors say what is wrong
                err = {**err, "msg": "expected 'default' or a mapping of actions (action key -> fields)"}
            elif len(loc) == 2 and err["type"] == "dict_type" and not isinstance(given, dict):
                continue  # said once, by the literal branch
        out.append(err)
    return out


def _own_path(loc: tuple, message: str, data: Any) -> tuple[tuple, str]:
    """Cross-checks name their own path: "actors.USA.capabilities: ..." or "branch_date 2021-01-04 must"."""
    head = message.split(":", 1)[0].split(" ", 1)[0]
    parts = head.split(".")
    if parts[0] in Scenario.model_fields and all(parts):
        loc = tuple(int(p) if p.isdigit() else p for p in parts)
        message = message[len(head) :].lstrip(": ") or message
        loc = _locate_item(loc, message, data)
    return loc, message


def _special(err: Any, kind: str, loc: tuple) -> str | None:
    """Errors of the rule union, in words."""
    if kind == "union_tag_invalid":
        given = err.get("ctx", {}).get("tag", "")
        hint = did_you_mean(given, list(RULES))
        return f"unknown rule {given!r}; expected one of: {', '.join(sorted(RULES))}{hint}"
    if kind == "union_tag_not_found":
        return f"a rule needs a 'name', one of: {', '.join(sorted(RULES))}"
    if kind == "model_attributes_type" and loc[-1:] == ("rule",):
        return f"expected a mapping such as {{name: proportional, margin: 1}} (got {short(err.get('input'))})"
    return None


def _locate_item(loc: tuple, message: str, data: dict[str, Any]) -> tuple:
    """If a cross-check names a list (`actors.USA.capabilities`) and quotes one of its items, point at it."""
    node = get_path(data, loc)
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, str) and repr(item) in message:
                return (*loc, i)
    return loc


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch labels (the rule tag, 'function-after[...]') from a field path."""
    out: list = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and (
            part.startswith(("function-", "dict[", "literal[")) or part in ("str", "dict[str,Action]")
        ):
            continue
        if isinstance(part, str) and part in RULES and i > 0 and loc[i - 1] == "rule":
            continue
        out.append(part)
    return tuple(out)


def _known_fields(parent: tuple, data: Any = None) -> list[str]:
    """Field names allowed at `parent`; inside `rule:` those of the rule the data names."""
    model: Any = Scenario
    node = data
    for part in parent:
        node = (
            node.get(part)
            if isinstance(node, dict)
            else (node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
        )
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part in fields:
            if part == "rule":
                name = node.get("name") if isinstance(node, dict) else None
                rule = RULES.get(name) if isinstance(name, str) else None
                model = rule.Params if rule is not None else RuleParams
            else:
                model = _inner_model(fields[part].annotation)
        # else: a dict key or list index: stay on the item model
    fields = getattr(model, "model_fields", None)
    return sorted(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in getattr(arg, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


SCENARIO = Dialect(clean_loc=_clean_loc, known_fields=_known_fields, own_path=_own_path, special=_special)

Scenario.validate_data = validate_scenario_data  # what `Scenario.with_edits` calls (schema.py)
