"""Event series of many runs (distributions, sweep points), rebuilt by re-running each run from its seed.

Why re-run rather than store during the sweep: runs are deterministic given the scenario, seed and branch date,
a run costs a few milliseconds, and the results tables stay one row per run; the event series (many rows per
run) is written only when asked for.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ..eventdata import event_rows, write_events
from ..model import EscalationModel
from ..scenario import Scenario


def rerun_events(scenario: Scenario, runs: pd.DataFrame, path: str | Path, progress: bool = True) -> Path:
    """Re-run each row of `runs` (columns run_id, seed, branch_date) and write their event series as Parquet."""
    rows: list[dict] = []
    for run_id, seed, branch in tqdm(list(zip(runs["run_id"], runs["seed"], runs["branch_date"], strict=True)),
                                     desc="event series", disable=not progress, leave=False):  # fmt: skip
        date = dt.date.fromisoformat(branch) if isinstance(branch, str) and branch else None
        model = EscalationModel(scenario=scenario, rng=int(seed), branch_date=date, collect=False)
        model.run_model()
        rows.extend(event_rows(model, int(run_id), int(seed)))
    return write_events(rows, path)
