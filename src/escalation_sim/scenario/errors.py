"""Input-file errors in words: "field (line N): message; did you mean ...".

Shared by scenario files (`scenario.load`) and sweep files (`sweep.spec`): a map from each field path of a
YAML document to its line, and one formatter that turns a pydantic error into a line a user can act on. What
differs between kinds of file (their unions, their cross-checks, their field names) is a `Dialect`.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# A field path -> where it was written: (file label, line). The label is None for the file being loaded and
# the path of a base file (relative to the loaded one) for what `extends` brought in.
Lines = dict[tuple, tuple[str | None, int]]

VALUE_ERROR = "Value error, "
# pydantic error types whose input is not worth quoting (a whole mapping, or a message that says it already)
UNQUOTED = ("model_type", "dict_type", "value_error", "assertion_error")


class InputFileError(Exception):
    """An input file that cannot be used; the message names the file, each problem's field and line."""

    kind = "file"

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"{self.path}: invalid {self.kind} ({count} problem{'s' * (count > 1)})"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ScenarioError(InputFileError):
    """A scenario file that cannot be used; the message says where and what was expected."""

    kind = "scenario"


# --- where things are written -------------------------------------------------------------------------------


def line_map(root: yaml.Node | None) -> Lines:
    """Map each field path in a composed YAML document to the line where it starts (1-based)."""
    lines: Lines = {}
    done: set[int] = set()

    def walk(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, (None, node.start_mark.line + 1))
        if id(node) in done:  # an alias: its contents were mapped where the anchor is
            return
        done.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                name = _key_of(key)
                lines[(*path, name)] = (None, key.start_mark.line + 1)
                walk(value, (*path, name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _key_of(node: yaml.ScalarNode) -> Any:
    """A mapping key as safe_load reads it (so `1:` is the int 1), falling back to its text."""
    try:
        key = yaml.SafeLoader("").construct_object(node)
        hash(key)
        return key
    except Exception:  # an unreadable key is reported by the loader, not here
        return node.value


def nearest_line(loc: tuple, lines: Lines) -> str | None:
    """'line N' (or 'line N of base.yaml') for the field or its nearest ancestor written in the file."""
    key = tuple(loc)
    while key:
        where = lines.get(key)
        if where is None:
            alt = tuple(str(p) if not isinstance(p, int) else p for p in key)
            where = lines.get(alt)
        if where is not None:
            label, line = where
            return f"line {line}" + (f" of {label}" if label else "")
        key = key[:-1]
    return None


def at_line(message: str, lines: Lines, *key: Any) -> str:
    """Prefix a message's field path with its line, where known."""
    where = nearest_line(key, lines)
    if where is None:
        return message
    head, sep, rest = message.partition(":")
    return f"{head} ({where}){sep}{rest}"


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML syntax error as 'line N, column M: not valid YAML (what)'."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
    return f"{where}not valid YAML ({problem})"


_REPR = reprlib.Repr(maxlevel=2, maxdict=3, maxlist=4, maxstring=40, maxother=40)


def short(value: Any) -> str:
    """A bounded repr: inputs may be large, or shared many times through YAML aliases."""
    return _REPR.repr(value)


def did_you_mean(given: Any, known: list[str], cutoff: float = 0.6) -> str:
    """'; did you mean 'x'?' for the closest known name, or nothing."""
    close = difflib.get_close_matches(str(given), known, n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- pydantic errors in words ----------------------------------------------------------------------------------


def _no_special(err: Any, kind: str, loc: tuple) -> str | None:
    return None


def _same_path(loc: tuple, message: str, data: Any) -> tuple[tuple, str]:
    return loc, message


@dataclass(frozen=True)
class Dialect:
    """What differs between kinds of input file in how their errors read.

    clean_loc: drop pydantic's union-branch labels from a field path.
    known_fields: the field names allowed under a parent path (for "did you mean" on unknown fields).
    own_path: a cross-check's message that names its own field ("actors.USA.capabilities: ...") -> (loc, message).
    special: the message for errors of the file's own unions (an unknown rule, an unknown design), or None.
    show: how a bad input is quoted.
    """

    clean_loc: Callable[[tuple], tuple]
    known_fields: Callable[[tuple, Any], list[str]]
    own_path: Callable[[tuple, str, Any], tuple[tuple, str]] = _same_path
    special: Callable[[Any, str, tuple], str | None] = _no_special
    show: Callable[[Any], str] = short


def describe(err: Any, lines: Lines, dialect: Dialect, data: Any = None) -> str:
    """One pydantic error as 'field.path (line N): message; did you mean ...'."""
    loc = dialect.clean_loc(tuple(err["loc"]))
    message = err["msg"]
    kind = err["type"]
    if message.startswith(VALUE_ERROR):
        message = message[len(VALUE_ERROR) :]
        loc, message = dialect.own_path(loc, message, data)
    path = ".".join(str(p) for p in loc) or "(top level)"
    special = dialect.special(err, kind, loc)
    if kind == "extra_forbidden":
        known = dialect.known_fields(loc[:-1], data)
        hint = did_you_mean(loc[-1], known)
        if not hint and known:
            hint = f"; expected one of: {', '.join(known)}"
        message = "unknown field" + hint
    elif special is not None:
        message = special
    elif kind == "missing":
        message = "required field missing"
    elif "input" in err and kind not in UNQUOTED:
        message = f"{message} (got {dialect.show(err['input'])})"
    if loc[-1:] == ("[key]",):
        loc = loc[:-1]
        path = ".".join(str(p) for p in loc)
        message = f"a key here: {message}"
    where = nearest_line(loc, lines)
    at = f" ({where})" if where else ""
    return f"{path}{at}: {message}"
