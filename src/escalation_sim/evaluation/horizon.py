"""Horizon sensitivity: each case's outcome shares with its horizon moved four weeks earlier and later.

Why: where a case's horizon falls was a choice (four weeks after the crisis's end, or eight weeks after the
branch), and a class that moves when the horizon moves measures the choice, not the model. A case whose share of
any class moves by `SENSITIVE` or more is flagged horizon-sensitive and left out of the modal-class count
(issue 22). Runs use the same seeds as the case's own runs, so a run and its shifted twin share their history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..results.outcomes import OUTCOMES
from ..scenario import Scenario
from ..sweep.runner import distribution

SHIFT_DAYS = 28  # four weeks
SENSITIVE = 0.05  # five points of any class share


def shares(runs: pd.DataFrame) -> dict[str, float]:
    n = len(runs)
    return {k: float((runs["outcome"] == k).sum()) / n for k in OUTCOMES}


def shifted(case: Scenario, days: int) -> Scenario:
    """The case with its horizon moved by `days`, never before the day after its branch point; history after an
    earlier horizon is dropped (and an event running past it cut at it), as if the file had ended there."""
    floor = (case.branch_date or case.start_date) + dt.timedelta(days=1)
    end = max(case.end_date + dt.timedelta(days=days), floor)
    changes: dict[str, Any] = {"end_date": end.isoformat()}
    for e in case.events:
        if e.date <= end and e.end_date is not None and e.end_date > end:
            changes[f"events.{e.id}.end_date"] = end.isoformat()
    return case.with_edits(changes, remove_events=[e.id for e in case.events if e.date > end])


def horizon_row(case: Scenario, base: pd.DataFrame, n: int, seed: int, workers: int) -> dict[str, Any]:
    """Shares at the horizon -4 and +4 weeks beside the case's own, the largest move and the flag."""
    own = shares(base)
    row: dict[str, Any] = {}
    moves = []
    for label, days in (("minus4w", -SHIFT_DAYS), ("plus4w", SHIFT_DAYS)):
        moved = shares(distribution(shifted(case, days), n=n, seed=seed, workers=workers))
        for k in OUTCOMES:
            row[f"share_{k}_{label}"] = moved[k]
            moves.append(abs(moved[k] - own[k]))
    row["horizon_max_move"] = max(moves)
    row["horizon_sensitive"] = row["horizon_max_move"] >= SENSITIVE
    return row
