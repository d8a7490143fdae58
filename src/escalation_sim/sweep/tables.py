"""The shape of a sweep's stored results: the design's points as a table, the schemas of the results and
trajectory tables, and the manifest that says which sweep a folder holds (so that a resume never mixes two)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..provenance import provenance
from ..results.dyads import dyad_columns
from .design import Point
from .spec import Sweep
from .storage import MANIFEST_FORMAT, StorageError
from .worker import column_names


def points_frame(points: list[Point], sweep: Sweep) -> pd.DataFrame:
    """The design's points: swept values, counterfactual, branch date and the edits that make each scenario."""
    columns = [p.column for p in sweep.spec.parameters]
    rows = []
    for point in points:
        row: dict[str, Any] = {"point": point.index, "counterfactual": point.counterfactual}
        row.update({c: point.values[c] for c in columns})
        row["set"] = json.dumps(point.changes, sort_keys=True, default=str)
        row["remove_events"] = json.dumps(list(point.remove_events))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["point", "counterfactual", *columns, "set", "remove_events"])
    for c in columns:
        if frame[c].map(type).nunique() > 1 and not pd.api.types.is_numeric_dtype(frame[c]):
            frame[c] = frame[c].map(lambda v: json.dumps(v, default=str))  # mixed kinds: one text column
    return frame


def results_schema(points: pd.DataFrame, sweep: Sweep) -> pa.Schema:
    actors = tuple(sweep.base_scenario.actors)
    types: dict[str, pa.DataType] = {
        "run_id": pa.int64(),
        "point": pa.int32(),
        "replicate": pa.int32(),
        "seed": pa.int64(),
        "counterfactual": pa.string(),
        "branch_date": pa.string(),
        "outcome": pa.string(),
        "max_rung": pa.int16(),
        "max_rung_overall": pa.int16(),
        "days_to_calm": pa.int32(),
        "hostile_deaths": pa.int64(),
        "retaliations": pa.int32(),
        "hostile_acts": pa.int32(),
        "wall_time_s": pa.float64(),
        "error": pa.string(),
        "hostile_deaths_after_branch": pa.int64(),
    }
    types.update({"censored": pa.bool_(), "proxy_protracted": pa.bool_()})  # issue 10: outcome coding
    types.update(
        {
            "major_force": pa.bool_(),
            "duration_censored": pa.bool_(),
            "duration_days": pa.int32(),
            "ucdp_intensity": pa.int8(),
            "observed_days": pa.int32(),
        }
    )  # issues 18 and 22: the standard coding and the duration
    for name in dyad_columns(actors):
        if name.endswith("_recip"):
            types[name] = pa.bool_()
        elif name.endswith("_termination"):
            types[name] = pa.string()
    for a in actors:
        types[f"first_response_{a}"] = pa.string()
        types[f"strongest_response_{a}"] = pa.string()
        types[f"first_response_day_{a}"] = pa.int32()
    fields = []
    names = column_names(actors)
    for name in names[:6]:
        fields.append(pa.field(name, types[name]))
    for p in sweep.spec.parameters:
        if p.column == "branch_date":
            continue
        fields.append(pa.field(p.column, pa.Schema.from_pandas(points[[p.column]], preserve_index=False)[0].type))
    for name in names[6:]:
        fields.append(pa.field(name, types.get(name, pa.int64())))
    return pa.schema(fields)


def trajectory_schema(sweep: Sweep) -> pa.Schema:
    actors = tuple(sweep.base_scenario.actors)
    return pa.schema(
        [pa.field("run_id", pa.int64()), pa.field("day", pa.int16())]
        + [pa.field(f"rung_{a}", pa.int16()) for a in actors]
        + [pa.field("rung", pa.int16())]
    )


def manifest_for(sweep: Sweep, points: list[Point], trajectories: bool) -> dict[str, Any]:
    spec = sweep.spec
    return {
        "format": MANIFEST_FORMAT,
        "sweep": spec.name,
        "sweep_file": str(sweep.path),
        "sweep_sha256": spec.sha256(),
        "scenario": sweep.base_scenario.name,
        "scenario_file": str(sweep.base_path),
        "scenario_sha256": sweep.base_scenario.sha256(),
        "scenario_start_date": sweep.base_scenario.start_date.isoformat(),
        "scenario_branch_date": sweep.base_scenario.branch_date.isoformat()
        if sweep.base_scenario.branch_date
        else None,
        "actors": list(sweep.base_scenario.actors),
        **provenance(),  # version, git commit, library versions
        "root_seed": spec.seed,
        "replicates": spec.replicates,
        "common_random_numbers": spec.common_random_numbers,
        "design": spec.design.model_dump(mode="json"),
        "parameters": [p.model_dump(mode="json") for p in spec.parameters],
        "counterfactuals": {k: v.model_dump(mode="json") for k, v in spec.counterfactuals.items()},
        "points": len(points),
        "runs": len(points) * spec.replicates,
        "trajectories": trajectories,
        "run_id": "point * replicates + replicate",
    }


IDENTITY_KEYS = ("sweep_sha256", "scenario_sha256", "root_seed", "replicates", "trajectories")


def check_same_sweep(root: Path, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Resuming into a folder of another sweep would mix tables: refuse, saying what differs."""
    differ = [k for k in IDENTITY_KEYS if old.get(k) != new.get(k)]
    if differ:
        what = ", ".join(f"{k}: {old.get(k)!r} there, {new.get(k)!r} now" for k in differ)
        raise StorageError(
            f"{root} holds another sweep ({what}); to resume, run the same sweep with the same options, "
            "or choose another --out"
        )
