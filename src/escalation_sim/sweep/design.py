"""Design points and seeds: which scenario variants a sweep runs, and the seed of every run.

Samplers come from well-kept libraries (scipy.stats.qmc for Latin hypercubes, SALib for Saltelli's scheme);
every draw is seeded from the sweep's root seed through numpy's SeedSequence, so a sweep's points and seeds
are the same on every machine and whatever the executor.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .spec import BRANCH_DATE, Parameter, Sweep

RUN_STREAM = 0  # SeedSequence spawn-key namespaces: run seeds and design draws never share a stream
DESIGN_STREAM = 1


@dataclass(frozen=True)
class Point:
    """One scenario variant: the counterfactual, the swept values, and the edits that make its scenario."""

    index: int
    counterfactual: str
    values: dict[str, Any]  # column name -> value (dates as ISO strings)
    changes: dict[str, Any] = field(default_factory=dict)  # dotted path -> value, applied to the base data
    remove_events: tuple[str, ...] = ()
    branch_date: str | None = None  # None: the scenario's own

    def edits_key(self) -> str:
        """A canonical text of the edits: points with the same key have the same scenario."""
        return json.dumps([self.changes, list(self.remove_events)], sort_keys=True, default=str)


def run_seed(root_seed: int, point: int, replicate: int, common_random_numbers: bool = False) -> int:
    """The seed of one run, derived from the root seed: a 63-bit integer `escalation-sim run --seed` takes."""
    key = (RUN_STREAM, replicate) if common_random_numbers else (RUN_STREAM, point, replicate)
    words = np.random.SeedSequence(root_seed, spawn_key=key).generate_state(2, dtype=np.uint32)
    return (int(words[0]) << 31) ^ int(words[1])  # < 2**63: fits int64 columns


def make_points(sweep: Sweep) -> list[Point]:
    """All points of the sweep's design, crossed with its counterfactuals (except explicit point lists)."""
    spec = sweep.spec
    params = spec.parameters
    kind = spec.design.kind
    if kind == "points":
        rows = []
        for given in spec.design.points:  # type: ignore[union-attr]
            values = {p.column: _coerce(p, given[p.column]) for p in params}
            rows.append((given.get("counterfactual", spec.counterfactual_names[0]), values))
        return [_point(sweep, i, cf, values) for i, (cf, values) in enumerate(rows)]
    if kind == "grid":
        axes = [_grid_axis(p) for p in params]
        combos = [dict(zip([p.column for p in params], combo, strict=True)) for combo in itertools.product(*axes)]
    else:
        unit = _unit_samples(sweep)
        combos = [{p.column: _scale(p, u) for p, u in zip(params, row, strict=True)} for row in unit]
    points = []
    for cf in spec.counterfactual_names:
        for values in combos:
            points.append(_point(sweep, len(points), cf, values))
    return points


def salib_problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem definition for the sweep's parameters (dates as day numbers)."""
    bounds = []
    for p in sweep.spec.parameters:
        low, high = _numeric_range(p)
        bounds.append([low, high + 1.0] if p.integer or p.is_date else [low, high])
    names = [p.column for p in sweep.spec.parameters]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _unit_samples(sweep: Sweep) -> np.ndarray:
    spec = sweep.spec
    design = spec.design
    dims = len(spec.parameters)
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(DESIGN_STREAM,)))
    if design.kind == "random":
        return rng.random((design.samples, dims))
    if design.kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=dims, rng=rng).random(design.samples)
    if design.kind == "saltelli":
        from SALib.sample import sobol

        problem = {"num_vars": dims, "names": [p.column for p in spec.parameters], "bounds": [[0.0, 1.0]] * dims}
        samples = sobol.sample(
            problem, design.base_samples, calc_second_order=design.second_order, seed=int(rng.integers(2**31))
        )
        return np.clip(samples, 0.0, np.nextafter(1.0, 0.0))
    raise ValueError(f"design {design.kind!r} has no unit samples")


def _numeric_range(p: Parameter) -> tuple[float, float]:
    low, high = p.range  # type: ignore[misc]
    if p.is_date:
        return float(low.toordinal()), float(high.toordinal())  # type: ignore[union-attr]
    return float(low), float(high)  # type: ignore[arg-type]


def _scale(p: Parameter, u: float) -> Any:
    """A unit-interval sample mapped onto the parameter's range (whole numbers and dates: uniform over them)."""
    low, high = _numeric_range(p)
    if p.integer or p.is_date:
        value = min(int(np.floor(low + u * (high - low + 1.0))), int(high))
        return dt.date.fromordinal(value).isoformat() if p.is_date else value
    return float(low + u * (high - low))


def _grid_axis(p: Parameter) -> list[Any]:
    if p.values is not None:
        return [_coerce(p, v) for v in p.values]
    low, high = _numeric_range(p)
    axis = np.linspace(low, high, p.steps)  # type: ignore[arg-type]
    if p.integer or p.is_date:
        whole = list(dict.fromkeys(round(v) for v in axis))
        return [dt.date.fromordinal(v).isoformat() for v in whole] if p.is_date else whole
    return [round(float(v), 12) for v in axis]


def _coerce(p: Parameter, value: Any) -> Any:
    if isinstance(value, dict):  # a whole sub-tree (a rule): its column holds it as compact JSON text
        return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)
    if isinstance(value, dt.date):
        return value.isoformat()
    if p.is_date and isinstance(value, str):
        return dt.date.fromisoformat(value).isoformat()
    if p.integer and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _point(sweep: Sweep, index: int, counterfactual: str, values: dict[str, Any]) -> Point:
    spec = sweep.spec
    cf = spec.counterfactual(counterfactual)
    changes = dict(cf.set)
    branch: str | None = None
    for p in spec.parameters:
        if p.path == BRANCH_DATE:
            branch = values[p.column]
        elif p.values is not None and any(isinstance(v, dict) for v in p.values) and _is_json_map(values[p.column]):
            changes[p.path] = json.loads(values[p.column])  # a rule (or any mapping) swept as a value
        else:
            changes[p.path] = values[p.column]
    return Point(index, counterfactual, values, changes, tuple(cf.remove_events), branch)


def _is_json_map(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{")
