"""Sweep files: a base scenario, the parameters to vary, named counterfactual edits and a design.

A sweep file is validated as strictly as a scenario file (unknown keys rejected), and every problem is
reported as a `SweepError` naming the file, the field path, the line and what was expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..files import read_text_file
from ..results.outcomes import column_names
from ..scenario import Scenario, ScenarioError, apply_edits, load_scenario_data, validate_scenario_data
from ..scenario.errors import Dialect, InputFileError, Lines, at_line, describe, line_map, nearest_line
from ..scenario.policy import read_yaml, value_problems

BRANCH_DATE = "branch_date"  # the one parameter path that is not an edit of the scenario file
RESERVED_COLUMNS = frozenset(
    {
        "run_id",
        "point",
        "replicate",
        "seed",
        "counterfactual",
        "branch_date",
        "outcome",
        "max_rung",
        "max_rung_overall",
        "days_to_calm",
        "hostile_deaths",
        "retaliations",
        "hostile_acts",
        "killed_other",
        "wounded_other",
        "wall_time_s",
        "error",
    }
)


MAX_POINTS = 200_000  # design points (each is a scenario edit held in memory: ~2 KB each, 400 MB at most)
MAX_RUNS = 50_000_000  # runs in one sweep (points x replicates): about a week on 2 cores; run_id stays exact


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Scalar = bool | int | float | str | dt.date | dict[str, Any]  # a dict: a whole sub-tree, e.g. a rule


class Parameter(_Strict):
    """One swept input: a dotted path into the scenario (or `branch_date`) and the values it takes."""

    path: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="dotted path, e.g. actors.USA.rule.margin")
    name: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$", description="column name; default: path")
    values: list[Scalar] | None = Field(None, min_length=1, description="the values of a grid (or list)")
    range: tuple[float | dt.date, float | dt.date] | None = Field(
        None, description="[low, high] for random, lhs and saltelli designs, or a grid with `steps`"
    )
    steps: int | None = Field(None, ge=2, le=10_000, description="grid points spread evenly over `range`")
    integer: bool = Field(False, description="round samples to whole numbers (thresholds, counts)")

    @property
    def column(self) -> str:
        return self.name or self.path

    @field_validator("values", mode="before")
    @classmethod
    def _values_are_scalars_or_mappings(cls, value: Any) -> Any:
        """One clear error for a value of the wrong shape (not one per member of the union it fails)."""
        if isinstance(value, list):
            for n, item in enumerate(value):
                if not isinstance(item, bool | int | float | str | dt.date | dict):
                    raise ValueError(
                        f"item {n}: expected a number, text, a date or a mapping (a whole rule, e.g. "
                        f"{{name: restraint}}), found {type(item).__name__} {item!r}"
                    )
        return value

    @property
    def is_date(self) -> bool:
        return self.path == BRANCH_DATE

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.values is None and self.range is None:
            raise ValueError("give `values` (a list) or `range` ([low, high])")
        if self.range is not None:
            low, high = self.range
            if isinstance(low, dt.date) != isinstance(high, dt.date):
                raise ValueError("range: both ends must be numbers, or both dates")
            if not low < high:  # type: ignore[operator]
                raise ValueError(f"range: low {low} must be below high {high}")
            if self.is_date and not isinstance(low, dt.date):
                raise ValueError("range: branch_date ranges are dates (YYYY-MM-DD)")
            if not self.is_date and isinstance(low, dt.date):
                raise ValueError("range: only branch_date takes dates")
        if self.steps is not None and self.range is None:
            raise ValueError("steps: needs a `range` to spread the grid over")
        if self.is_date and self.values is not None:
            bad = [v for v in self.values if not isinstance(v, dt.date)]
            if bad:
                raise ValueError(f"values: branch_date values must be dates (YYYY-MM-DD), got {bad[0]!r}")
        return self


class Counterfactual(_Strict):
    """A named edit of the base scenario, swept as a factor: events dropped, values set."""

    description: str = ""
    remove_events: list[str] = Field(default_factory=list, description="event ids to drop, e.g. [A06]")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted path -> value")


class GridDesign(_Strict):
    kind: Literal["grid"] = "grid"


class PointsDesign(_Strict):
    kind: Literal["points"]
    points: list[dict[str, Any]] = Field(
        min_length=1, description="each point gives every parameter (by name) and optionally `counterfactual`"
    )


class RandomDesign(_Strict):
    kind: Literal["random"]
    samples: int = Field(ge=1, le=10_000_000, description="points drawn uniformly over the parameter ranges")


class LatinHypercubeDesign(_Strict):
    kind: Literal["lhs"]
    samples: int = Field(ge=1, le=10_000_000, description="points of a Latin hypercube over the ranges")


class SaltelliDesign(_Strict):
    kind: Literal["saltelli"]
    base_samples: int = Field(
        ge=2, le=1_048_576, description="N of Saltelli's scheme (a power of 2): N x (D + 2) points"
    )
    second_order: bool = Field(False, description="also sample for second-order indices: N x (2D + 2) points")


Design = Annotated[
    GridDesign | PointsDesign | RandomDesign | LatinHypercubeDesign | SaltelliDesign, Field(discriminator="kind")
]


class SweepSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    description: str = ""
    base: str = Field(description="the base scenario file, relative to the sweep file")
    seed: int = Field(0, ge=0, description="root seed: every run's seed derives from it (numpy SeedSequence)")
    replicates: int = Field(1, ge=1, le=10_000_000, description="runs per point, each with its own seed")
    common_random_numbers: bool = Field(
        False, description="replicate r uses the same seed at every point (sharper comparisons between points)"
    )
    parameters: list[Parameter] = Field(default_factory=list)
    counterfactuals: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")], Counterfactual] = Field(
        default_factory=dict, description="named edits, swept as a factor; none: the base scenario as it is"
    )
    design: Design = GridDesign()

    @model_validator(mode="after")
    def _cross_check(self) -> SweepSpec:
        seen: set[str] = set()
        for i, p in enumerate(self.parameters):
            if p.column in RESERVED_COLUMNS and not (p.is_date and p.column == BRANCH_DATE):
                raise ValueError(f"parameters.{i}.name: {p.column!r} is a results column; give another name")
            if p.column in seen or p.column == "counterfactual":
                raise ValueError(f"parameters.{i}.name: {p.column!r} is used twice; names must be unique")
            seen.add(p.column)
        kind = self.design.kind
        if kind == "grid":
            for i, p in enumerate(self.parameters):
                if p.values is None and p.steps is None:
                    raise ValueError(f"parameters.{i}: a grid needs `values`, or `range` with `steps`")
        elif kind in ("random", "lhs", "saltelli"):
            for i, p in enumerate(self.parameters):
                if p.range is None:
                    raise ValueError(f"parameters.{i}.range: a {kind} design samples a [low, high] range")
            if not self.parameters:
                raise ValueError(f"parameters: a {kind} design needs at least one parameter")
        elif kind == "points":
            names = [p.column for p in self.parameters]
            for j, point in enumerate(self.design.points):  # type: ignore[union-attr]
                for key in point:
                    if key != "counterfactual" and key not in names:
                        hint = difflib.get_close_matches(str(key), names, n=1)
                        raise ValueError(
                            f"design.points.{j}: unknown parameter {key!r}"
                            + (f"; did you mean {hint[0]!r}?" if hint else f" (parameters: {', '.join(names)})")
                        )
                missing = [n for n in names if n not in point]
                if missing:
                    raise ValueError(f"design.points.{j}: missing parameter(s) {', '.join(missing)}")
                cf = point.get("counterfactual")
                if cf is not None and cf not in self.counterfactual_names:
                    raise ValueError(
                        f"design.points.{j}.counterfactual: unknown {cf!r} "
                        f"(known: {', '.join(self.counterfactual_names)})"
                    )
        problem = self.size_problem()
        if problem:
            raise ValueError(problem)
        return self

    @property
    def counterfactual_names(self) -> list[str]:
        return list(self.counterfactuals) or ["base"]

    def design_size(self, replicates: int | None = None) -> tuple[int, int]:
        """(points, runs) of the design, counted arithmetically (nothing is built): checked before any run."""
        design = self.design
        dims = len(self.parameters)
        if design.kind == "points":
            return len(design.points), len(design.points) * (replicates or self.replicates)  # type: ignore[union-attr]
        if design.kind == "grid":
            per = math.prod(len(p.values) if p.values is not None else (p.steps or 1) for p in self.parameters)
        elif design.kind == "saltelli":
            per = design.base_samples * ((2 * dims + 2) if design.second_order else (dims + 2))  # type: ignore[union-attr]
        else:
            per = design.samples  # type: ignore[union-attr]
        points = per * len(self.counterfactual_names)
        return points, points * (replicates or self.replicates)

    def size_problem(self, replicates: int | None = None) -> str | None:
        points, runs = self.design_size(replicates)
        if points > MAX_POINTS:
            return f"design: {points:,} points; a sweep may have at most {MAX_POINTS:,} (use fewer values or samples)"
        if runs > MAX_RUNS:
            return (
                f"replicates: {points:,} points x {runs // max(1, points):,} replicates = {runs:,} runs; "
                f"a sweep may have at most {MAX_RUNS:,}"
            )
        return None

    def counterfactual(self, name: str) -> Counterfactual:
        return self.counterfactuals.get(name, Counterfactual())

    def sha256(self) -> str:
        """Content hash of the validated sweep, stable across key order and formatting."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class SweepError(InputFileError):
    """A sweep file that cannot be used; the message says where and what was expected."""

    kind = "sweep"


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file with its base scenario loaded: everything needed to plan the runs."""

    spec: SweepSpec
    path: Path
    base_path: Path
    base_data: dict[str, Any]  # raw scenario data, `extends` resolved: points are edits of it
    base_scenario: Scenario

    def with_replicates(self, replicates: int | None) -> Sweep:
        if replicates is None or replicates == self.spec.replicates:
            return self
        if replicates < 1:
            raise SweepError(self.path, [f"--replicates: expected a whole number >= 1, got {replicates}"])
        problem = self.spec.size_problem(replicates)
        if problem:
            raise SweepError(self.path, [f"--replicates: {problem}"])
        spec = self.spec.model_copy(update={"replicates": replicates})
        return Sweep(spec, self.path, self.base_path, self.base_data, self.base_scenario)


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file and its base scenario; raise SweepError (or ScenarioError) on bad input."""
    path = Path(path)
    try:
        text = read_text_file(path)
    except FileNotFoundError:
        raise SweepError(path, ["file not found"]) from None
    except (OSError, ValueError) as exc:  # not a regular file, too large, not UTF-8
        raise SweepError(path, [str(exc)]) from None
    data, root = read_yaml(text, path, SweepError)  # the scenario loader's guards: size, depth, keys, dates
    lines = line_map(root)
    if not isinstance(data, dict):
        raise SweepError(path, [f"expected a mapping of sweep fields at the top, found {type(data).__name__}"])
    if "actors" in data or "extends" in data:
        raise SweepError(path, ["this is a scenario file, not a sweep file (a sweep names its `base` scenario)"])
    bounds = value_problems(data)
    if bounds:
        raise SweepError(path, [at_line(f"{'.'.join(str(p) for p in loc)}: {msg}", lines, *loc) for loc, msg in bounds])
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise SweepError(path, [describe(err, lines, sweep_dialect()) for err in exc.errors()]) from None
    base_path = (path.parent / spec.base).resolve()
    if not base_path.is_file():
        where = nearest_line(("base",), lines)
        raise SweepError(
            path, [f"base ({where}): scenario file {spec.base!r} not found (paths are relative to the sweep file)"]
        )
    base_data = load_scenario_data(base_path)
    base_scenario = validate_scenario_data(base_data, base_path)
    sweep = Sweep(spec, path, base_path, base_data, base_scenario)
    check_columns(sweep, lines)
    check_edits(sweep, lines)
    return sweep


def check_columns(sweep: Sweep, lines: Lines | None = None) -> None:
    """A swept parameter named like a result column would write two columns of that name: refuse it."""
    taken = {*column_names(tuple(sweep.base_scenario.actors)), "set", "remove_events"} - {BRANCH_DATE}
    problems = []
    for i, p in enumerate(sweep.spec.parameters):
        if p.column in taken:
            at = nearest_line(("parameters", i, "name" if p.name else "path"), lines or {})
            problems.append(
                f"parameters.{i}.name{f' ({at})' if at else ''}: {p.column!r} is the name of a result "
                "column; give the parameter another `name`"
            )
    if problems:
        raise SweepError(sweep.path, problems)


ALWAYS_WRONG = (
    "unknown field",
    "unknown rule",
    "got a boolean",
    "outside what the model represents",
    "not a finite number",
)


def check_edits(sweep: Sweep, lines: Lines | None = None) -> None:
    """Catch mistyped paths before any run: each edit must address a field the scenario has (or may have).

    Values outside a field's bounds are not errors here: such a point is run, fails, and is recorded. Values no
    point could take (a boolean for a number, a number the model cannot represent) are errors.
    """
    lines = lines or {}
    problems: list[str] = []
    spec = sweep.spec

    def check(where: tuple, changes: dict[str, Any], removals: list[str]) -> None:
        at = nearest_line(where, lines)
        label = ".".join(str(p) for p in where) + (f" ({at})" if at else "")
        try:
            edited = apply_edits(sweep.base_data, changes, removals)
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
            return
        try:
            validate_scenario_data(edited, sweep.base_path)
        except ScenarioError as exc:
            unknown = [p for p in exc.problems if any(m in p for m in ALWAYS_WRONG)]
            if unknown:
                problems.append(f"{label}: the edited scenario has {unknown[0]}")

    for name, cf in spec.counterfactuals.items():
        check(("counterfactuals", name), dict(cf.set), list(cf.remove_events))
    for i, p in enumerate(spec.parameters):
        if p.is_date:
            continue
        samples = p.values[:50] if p.values is not None else list(p.range)  # type: ignore[arg-type]
        distinct = {(type(v), json.dumps(v, sort_keys=True, default=str)): v for v in samples}  # True and 1 differ
        for sample in distinct.values():  # every rule given as a value is checked too
            check(("parameters", i, "path"), {p.path: sample}, [])
    if problems:
        raise SweepError(sweep.path, problems)


def sweep_dialect() -> Dialect:
    """How sweep files' errors are put in words (spec_errors.py), built on first use."""
    from .spec_errors import dialect

    return dialect({"": SweepSpec, "parameters": Parameter, "counterfactuals": Counterfactual})
