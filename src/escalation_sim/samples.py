"""Many runs of one scenario in this process, one row per run, with who did what to whom: the notebooks' table.

`sweep.distribution` is the fast way to outcome shares (process pools, sweep seeds); `sample_runs` also reads
each run's records, for questions an outcome row does not answer (whom an actor struck, whom it only
threatened), and seeds runs `seed, seed + 1, ...` as `escalation-sim run --decisions doctrines --seed` does, so
any row can be re-run alone and inspected.
"""

from __future__ import annotations

import datetime as dt
import math
import os

import pandas as pd

from .model import EscalationModel
from .results.outcomes import OUTCOMES
from .scenario import Scenario

NO_ACT = "no hostile act"
RUNS_SHARE = "ESCALATION_SIM_NOTEBOOK_RUNS"  # the share of their runs the notebooks make (the test suite: 0.1)


def notebook_runs(n: int) -> int:
    """How many runs a notebook makes where its text says `n`: all of them, or the share of them (at least one) that
    the environment variable ESCALATION_SIM_NOTEBOOK_RUNS asks. The test suite executes every notebook at a tenth
    of its runs: every cell still runs, and fails on any error, in a fraction of the time."""
    text = os.environ.get(RUNS_SHARE, "").strip()
    if not text:
        return n
    try:
        share = float(text)
    except ValueError:
        share = math.nan
    if not 0 < share <= 1:
        raise ValueError(f"{RUNS_SHARE}={text!r}: expected a share of the runs, a number in (0, 1]")
    return max(1, round(n * share))


def sample_runs(
    scenario: Scenario,
    n: int = 200,
    seed: int = 0,
    branch_date: dt.date | str | None = None,
    actor: str | None = None,
) -> pd.DataFrame:
    """Run seeds `seed` ... `seed + n - 1` to the horizon (no data collection); one row per run.

    Columns: seed, outcome, max_rung (NaN: no hostile act after the branch), hostile_deaths (history included),
    deaths_after_branch (in hostile acts from the branch point on). With `actor`: its first and strongest
    hostile act after the branch (`first`, `strongest`), whom it aimed any hostile act at (`hit`) and whom it
    used force against (`struck`), as "+"-joined actor ids or "nobody".
    """
    if n < 1:
        raise ValueError(f"n: expected a number of runs >= 1, got {n}")
    if actor is not None and actor not in scenario.actors:
        raise ValueError(f"actor: unknown {actor!r}; the scenario's actors: {', '.join(scenario.actors)}")
    rows = []
    for s in range(seed, seed + n):
        model = EscalationModel(scenario, rng=s, branch_date=branch_date, collect=False)
        model.run_model()
        o = model.outcome
        ladder = model.ladder
        after = [r for r in model.records if r.day >= model.branch_day]
        row = {
            "seed": s,
            "outcome": o.outcome,
            "max_rung": o.as_row()["max_rung"],
            "hostile_deaths": o.hostile_deaths,
            "deaths_after_branch": sum(r.killed_total for r in after if ladder[r.action].is_hostile),
        }
        if actor is not None:
            row["first"] = o.first_response.get(actor) or NO_ACT
            row["strongest"] = o.strongest_response.get(actor) or NO_ACT
            mine = [r for r in after if r.actor == actor and r.target and ladder[r.action].is_hostile]
            row["hit"] = "+".join(sorted({r.target for r in mine})) or "nobody"  # type: ignore[misc]
            row["struck"] = "+".join(sorted({r.target for r in mine if ladder[r.action].force})) or "nobody"  # type: ignore[misc]
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["max_rung"] = frame["max_rung"].astype("Int64")
    return frame


def outcome_shares(runs: pd.DataFrame) -> pd.Series:
    """Share of runs ending in each outcome class (all three, zeros included), from any table with `outcome`."""
    return runs["outcome"].value_counts(normalize=True).reindex(list(OUTCOMES), fill_value=0.0)
