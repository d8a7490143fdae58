"""The input policy: what any input file (scenario, `extends` base, sweep file, saved game) may contain.

One reader for all of them, so every entry point (CLI, `load_scenario`, sweeps, the app, `play`, `debrief`)
gets the same guards:

- the file: a regular file (no FIFO, device or folder), at most `files.MAX_INPUT_BYTES` (4 MiB), UTF-8;
- the YAML: safe tags only (never code); aliases may expand to at most `MAX_NODES` values and may not refer
  to the node that holds them; at most `MAX_DEPTH` levels of nesting; a key written twice in one mapping is
  an error naming both lines (YAML says keys are unique; PyYAML would silently keep the last), and so is a key
  a merge (`<<: *base`) brings in that the mapping also writes, or that two merged mappings both give (which
  one wins is YAML's small print, not something a reader of the file should need to know);
- text: at most `MAX_TEXT` characters in any one string (key or value); `!!binary` and `!!set` values are
  refused (no field takes bytes or a set; pydantic would quietly turn bytes into text);
- numbers: every number in the data lies within +-`MAX_MAGNITUDE` (1e9) and is finite, so no integer is too
  large for a float and nothing the model multiplies overflows; each field has tighter bounds of its own;
- booleans: `true` where a number is expected is refused (pydantic would read it as 1);
- dates: years `MIN_YEAR`-`MAX_YEAR`; the horizon, actors, ladder actions and events are bounded below.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .errors import InputFileError, short, yaml_problem

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, safe constructors only
MAX_NODES = 200_000  # YAML values a document may expand to through aliases ("billion laughs" guard)
MAX_DEPTH = 64  # nesting levels (a scenario needs 5: actors.USA.rule.params...)
MAX_MAGNITUDE = 1e9  # any number in an input file; 2**53 (exact integers in a float) is far above it
MAX_DAYS = 3660  # horizon: ten years of days; the model's cost is linear in days (jan2020 has 65)
MAX_EVENTS = 10_000  # historical events in one scenario (jan2020 has 22)
MAX_ACTORS = 100
MAX_ACTIONS = 200  # ladder actions (the default ladder has 21)
MAX_TEXT = 20_000  # characters in one string: the longest shipped text is ~650; a title is drawn on figures
MIN_YEAR = 1000  # dates outside 1000-2999 are refused: matplotlib's calendar (and its margins) ends at 0001/9999
MAX_YEAR = 2999


MERGE = "tag:yaml.org,2002:merge"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping: written twice, or written and also brought in by
    a merge key `<<`, or brought in by two merges (a key overridden in silence either way)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            merges = [value for key, value in node.value if key.tag == MERGE]
            if len(merges) > 1:
                raise _DuplicateKey(
                    f"line {node.start_mark.line + 1}: the merge key '<<' is written twice in one "
                    "mapping; merge a list instead: <<: [*first, *second]"
                )
            for key_node, _ in node.value:
                if key_node.tag != MERGE:
                    self._note(seen, key_node, "written twice in one mapping")
            for value in merges:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        for key_node, _ in source.value:
                            if key_node.tag != MERGE:
                                self._note(seen, key_node, "given twice: by the merge key '<<' and again")
        return super().construct_mapping(node, deep=deep)

    def _note(self, seen: dict[Any, int], key_node: yaml.Node, how: str) -> None:
        if not isinstance(key_node, yaml.ScalarNode):
            return
        key = self.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:
            return
        line = key_node.start_mark.line + 1
        if first is not None:
            raise _DuplicateKey(f"line {line}: key {short(key)} is {how} (lines {first} and {line}); keep one")
        seen[key] = line


class _DuplicateKey(ValueError):
    pass


def read_yaml(text: str, path: str | Path, error: type[InputFileError]) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text under the policy: (data, composed root for the line map); `error` on any problem."""
    root = None
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
        if root is None:
            return None, None
        check_shape(root, path, error)
        data = _UniqueKeyLoader("").construct_document(root)
    except _DuplicateKey as exc:
        raise error(path, [str(exc)]) from None
    except yaml.YAMLError as exc:
        raise error(path, [yaml_problem(exc)]) from None
    except RecursionError:
        raise error(path, [f"not valid YAML: nested more than {MAX_DEPTH} levels deep"]) from None
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError) as exc:
        # a scalar YAML cannot build: a date not in the calendar (2019-13-45), an explicit tag (!!bool x)
        raise error(path, [bad_scalar(root, exc)]) from None
    return data, root


def check_shape(root: yaml.Node, path: str | Path, error: type[InputFileError]) -> None:
    """Reject self-referring aliases, alias bombs (> MAX_NODES values) and nesting deeper than MAX_DEPTH."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:  # iterative: a 10,000-deep document must not exhaust Python's stack
        node, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            active.discard(key)
            sizes[key] = min(total, MAX_NODES + 1)
            if total > MAX_NODES:
                raise error(path, [f"the document expands to over {MAX_NODES:,} values through aliases"])
            continue
        if key in sizes:
            continue
        if key in active:
            raise error(path, [f"line {node.start_mark.line + 1}: a YAML alias refers to the node that contains it"])
        if depth > MAX_DEPTH:
            raise error(path, [f"line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep"])
        active.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in active:
                raise error(
                    path, [f"line {child.start_mark.line + 1}: a YAML alias refers to the node that contains it"]
                )
            stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def bad_scalar(root: yaml.Node | None, exc: Exception) -> str:
    """Find the scalar YAML recognised (e.g. as a date) but could not build, for a message with a line."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node, deep=True)
            except Exception:  # whatever fails to build is the culprit
                tag = node.tag.rsplit(":", 1)[-1]
                why = f"cannot be read as {tag} ({exc})" if isinstance(exc, ValueError) else f"is not a valid {tag}"
                return (
                    f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}: {node.value!r} "
                    f"{why}; quote it if it is meant as text"
                )
        else:
            stack.extend(reversed(_children(node)))
    return f"not valid YAML ({exc})"


def value_problems(data: Any, prefix: tuple = ()) -> list[tuple[tuple, str]]:
    """Numbers, dates and text the model cannot represent (or should not be asked to: 1 MB titles), binary data
    and sets, as (field path, problem): checked before validation."""
    problems: list[tuple[tuple, str]] = []
    stack: list[tuple[tuple, Any]] = [(prefix, data)]
    while stack and len(problems) < 20:
        path, value = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                problems.append((path, f"text of {len(value):,} characters; at most {MAX_TEXT:,}"))
            continue
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, bytes | bytearray | set | frozenset):
            kind = "binary data (!!binary)" if isinstance(value, bytes | bytearray) else "a set (!!set)"
            problems.append((path, f"{kind} where text, a number, a list or a mapping is expected"))
            continue
        if isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                problems.append((path, f"{value} is not a finite number"))
            elif abs(value) > MAX_MAGNITUDE:
                problems.append(
                    (
                        path,
                        f"{short(value)} is outside what the model represents "
                        f"(numbers must lie within +-{MAX_MAGNITUDE:.0e})",
                    )
                )
        elif isinstance(value, dt.date):
            if not MIN_YEAR <= value.year <= MAX_YEAR:
                problems.append((path, f"{value} is outside the years {MIN_YEAR}-{MAX_YEAR} the model handles"))
        elif isinstance(value, dict):
            long = [k for k in value if isinstance(k, str) and len(k) > MAX_TEXT]
            if long:
                problems.append((path, f"a key of {len(long[0]):,} characters; at most {MAX_TEXT:,}"))
            stack.extend(((*path, k), v) for k, v in value.items() if k not in long)
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return problems


def bool_problems(model: type[BaseModel], data: Any, prefix: tuple = ()) -> list[tuple[tuple, str]]:
    """Booleans where `model` expects a number, as (field path, problem); walks nested models and rule unions."""
    problems: list[tuple[tuple, str]] = []
    if not isinstance(data, dict):
        return problems
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is not None:
            problems += _bool_in(field.annotation, value, (*prefix, key))
    return problems


def _bool_in(annotation: Any, value: Any, path: tuple) -> list[tuple[tuple, str]]:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(value, bool):
        return [(path, f"expected a number, got a boolean ({str(value).lower()})")] if _numeric(annotation) else []
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return bool_problems(annotation, value, path)
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return [p for k, v in value.items() for p in _bool_in(args[1], v, (*path, k))]
    if origin is list and isinstance(value, list) and args:
        return [p for i, v in enumerate(value) for p in _bool_in(args[0], v, (*path, i))]
    if origin in (typing.Union, types.UnionType) and isinstance(value, dict):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        chosen = [
            m
            for m in models
            if "name" in m.model_fields and value.get("name") in typing.get_args(m.model_fields["name"].annotation)
        ]
        found = chosen or [m for m in models if set(value) <= set(m.model_fields)]
        return bool_problems(found[0], value, path) if found else []
    if origin in (typing.Union, types.UnionType):
        return [p for a in args for p in _bool_in(a, value, path)][:1] if not isinstance(value, dict | list) else []
    return []


def _numeric(annotation: Any) -> bool:
    """Whether a field's type is a number: int or float, or a union of them and None."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(_numeric(a) for a in args)
    return False
