"""Sweep analysis: per-point outcome probabilities with Wilson intervals, quantiles, Sobol indices.

Analysis layer: reads the tables the sweep runner writes (`escalation_sim.sweep.open_sweep`) and never runs
the model. Figures of these tables are `sweep.figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..results.outcomes import OUTCOMES
from .intervals import wilson_interval  # lives one layer down, for the tournament; imported from here too

if TYPE_CHECKING:
    from .folder import SweepFolder

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SOBOL_OUTPUTS = {
    "war": "probability of war",
    "de-escalation": "probability of de-escalation",
    "protracted": "probability of protracted conflict",
    "casualties": "mean deaths in hostile acts",
    "days_to_calm": "mean days to calm (never calm: days left after the branch)",
    "max_rung": "mean highest rung after the branch",
}


def point_columns(results: pd.DataFrame, parameters: Sequence[str] = ()) -> list[str]:
    """The columns that identify a point: its index, counterfactual, branch date and swept values."""
    return ["point", "counterfactual", "branch_date", *[p for p in parameters if p != "branch_date"]]


def summarize(results: pd.DataFrame, parameters: Sequence[str] = (), confidence: float = 0.95) -> pd.DataFrame:
    """One row per point: runs, failures, P(outcome) with a Wilson interval, casualty and days-to-calm quantiles.

    Failed runs (with an error) are counted but not in the probabilities.
    """
    keys = point_columns(results, parameters)
    rows = []
    for key, group in results.groupby(keys, sort=True, dropna=False):
        ok = group[group["error"].isna()]
        n = len(ok)
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        row.update({"runs": len(group), "failed": len(group) - n})
        counts = ok["outcome"].value_counts()
        for outcome in OUTCOMES:
            k = int(counts.get(outcome, 0))
            low, high = wilson_interval(k, n, confidence)
            row[f"p_{outcome}"] = k / n if n else float("nan")
            row[f"p_{outcome}_low"] = low
            row[f"p_{outcome}_high"] = high
        for column, label in SUMMARY_STATS:
            if column not in ok:  # tables written before the column existed
                continue
            values = ok[column].dropna().astype(float)
            row[f"{label}_mean"] = float(values.mean()) if len(values) else float("nan")
            for q in QUANTILES:
                row[f"{label}_q{int(q * 100):02d}"] = float(values.quantile(q)) if len(values) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


# "deaths" includes the replayed history (kept for compatibility); deaths_after_branch is the model's part only
SUMMARY_STATS = (
    ("hostile_deaths", "deaths"),
    ("hostile_deaths_after_branch", "deaths_after_branch"),
    ("days_to_calm", "days_to_calm"),
    ("max_rung", "max_rung"),
)


def write_summary(folder: SweepFolder, out: Path | None = None) -> Path:
    """Write summary.csv for a sweep folder (one row per point) and return its path."""
    summary = summarize(folder.results, [p.get("name") or p["path"] for p in folder.manifest["parameters"]])
    path = out or folder.root / "summary.csv"
    from ..files import write_csv  # spreadsheet-safe text cells, written atomically

    write_csv(summary, path, float_format="%.6g")
    return path


# --- Sobol sensitivity ------------------------------------------------------------------------------------------------


def point_outputs(results: pd.DataFrame, output: str, days_after_branch: pd.Series | None = None) -> pd.Series:
    """One value per point of the quantity whose sensitivity is measured (mean over the point's replicates)."""
    ok = results[results["error"].isna()]
    if output in OUTCOMES:
        values = (ok["outcome"] == output).astype(float)
    elif output == "casualties":
        values = ok["hostile_deaths"].astype(float)
    elif output == "max_rung":
        values = ok["max_rung"].astype(float).fillna(0.0)
    elif output == "days_to_calm":
        never = days_after_branch.reindex(ok.index) if days_after_branch is not None else np.nan
        values = ok["days_to_calm"].astype(float).fillna(never)
    else:
        raise ValueError(f"unknown output {output!r}; expected one of: {', '.join(SOBOL_OUTPUTS)}")
    return values.groupby(ok["point"]).mean()


def sobol_indices(
    results: pd.DataFrame,
    problem: dict[str, Any],
    points: int,
    output: str = "war",
    second_order: bool = False,
    seed: int = 0,
    confidence: float = 0.95,
    days_after_branch: pd.Series | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib) of `output` over the points of a Saltelli design.

    `points` is the number of design points of one counterfactual, in Saltelli's order (point 0 first).
    """
    from SALib.analyze import sobol

    y = point_outputs(results, output, days_after_branch).reindex(range(points))
    missing = int(y.isna().sum())
    if missing:
        raise ValueError(
            f"{missing} of {points} design points have no successful run; Sobol indices need every point "
            "(finish or resume the sweep, and check the failed runs)"
        )
    analysis = sobol.analyze(
        problem, y.to_numpy(), calc_second_order=second_order, conf_level=confidence, seed=seed, print_to_console=False
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": analysis["S1"],
            "S1_conf": analysis["S1_conf"],
            "ST": analysis["ST"],
            "ST_conf": analysis["ST_conf"],
        }
    ).assign(output=output)


SOBOL_MAX_CONF = 0.1  # a 95% interval wider than +-0.1 cannot tell a strong driver from a weak one


def sobol_warnings(indices: pd.DataFrame, base_samples: int) -> list[str]:
    """Why Sobol indices from too small a sample should not be read, with SALib's confidence intervals.

    Indices are shares of variance, so in [0, 1]: an estimate outside that range, or a 95% interval wider than
    +-0.1, means the sample is too small (Saltelli et al. 2010: the error shrinks like 1/sqrt(N)). Empty when
    every index is inside [0, 1] and known to within +-0.1.
    """
    lines = []
    for _, row in indices.iterrows():
        for kind in ("S1", "ST"):
            value, conf = float(row[kind]), float(row[f"{kind}_conf"])
            outside = value < -conf or value > 1 + conf or not np.isfinite(value)
            if outside or not conf <= SOBOL_MAX_CONF:
                why = "outside [0, 1]" if outside else f"interval wider than +-{SOBOL_MAX_CONF}"
                lines.append(f"{row['output']}: {kind} of {row['parameter']} = {value:.3f} +- {conf:.3f} ({why})")
    if lines:
        widest = float(np.nanmax(indices[["S1_conf", "ST_conf"]].to_numpy()))
        factor = (widest / SOBOL_MAX_CONF) ** 2
        suggested = 2 ** int(np.ceil(np.log2(max(1.0, base_samples * factor))))
        lines.append(
            f"base_samples {base_samples} is too small for these indices: the widest 95% interval is +-{widest:.3f}; "
            f"about {factor:.0f}x the samples (base_samples {suggested}, a power of 2 as Saltelli's scheme wants) "
            "would bring it to +-0.1"
        )
    return lines
