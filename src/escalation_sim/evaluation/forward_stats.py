"""The forward check's statistics (forward_check.py): of one run, or of a record's replay, and over many runs.

One definition serves both sides, so a run and its record are measured alike: a force act is a record of a chosen
ladder action with `force: true` (accidents are not chosen), on or after the branch day, an operation's daily acts
included; a decided force act is one that is not an operation's continuation (origin "model", or "history" for the
record and for exogenous events). Clustering: the weekly counts of force acts of all actors from the branch (whole
weeks), Fisher's index of dispersion D = var / mean (1 for a Poisson process, above it for bursts) and its test,
(B - 1) D against chi-square with B - 1 degrees of freedom (Fisher 1950; Cox & Lewis 1966, ch. 6): a run is
"clustered" where that test rejects at 5% with at least `MIN_ACTS` acts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2

from ..model import EscalationModel
from ..results.outcomes import OUTCOMES
from ..rules.features import ENGAGED_HALF_LIFE, kind_of
from ..sweep.intervals import wilson_interval
from . import metrics

WEEK = int(ENGAGED_HALF_LIFE)  # the bin of the dispersion index: the `engaged` half-life
MIN_ACTS = 3  # fewer acts than this cannot show a cluster
LEVEL = 0.05  # the dispersion test's level
MONTH = 30.0


@dataclass
class RunStats:
    """One run's (or the record's) statistics; per actor, by actor id."""

    run: int
    outcome: str | None
    days: int  # days from the branch to the horizon
    kinds: dict[str, str]
    force: dict[str, int] = field(default_factory=dict)  # force acts after the branch
    first: dict[str, int | None] = field(default_factory=dict)  # day (from the branch) of the first decided one
    dispersion: float = math.nan  # index of dispersion of weekly force counts (NaN: too few acts)
    clustered: bool = False


def force_stats(model: EscalationModel, branch: int, outcome: str | None, run: int = -1) -> RunStats:
    """The statistics of a finished run (or replay) from day `branch` on."""
    ladder = model.ladder
    days = max(1, model.horizon - branch)
    stats = RunStats(run, outcome, days, {a.actor_id: kind_of(a) for a in model.actors})  # type: ignore[arg-type]
    stats.force = dict.fromkeys(model.actor_ids, 0)
    stats.first = dict.fromkeys(model.actor_ids)
    when: list[int] = []
    for r in model.records:
        action = ladder[r.action]
        if r.actor is None or r.day < branch or not (action.force and action.chosen):
            continue
        day = r.day - branch
        when.append(day)
        stats.force[r.actor] += 1
        if r.origin != "operation" and stats.first[r.actor] is None:
            stats.first[r.actor] = day
    stats.dispersion, stats.clustered = dispersion(when, days)
    return stats


def dispersion(days_of_acts: list[int], days: int) -> tuple[float, bool]:
    """(index of dispersion of the weekly counts over the whole weeks of `days`, clustered at LEVEL)."""
    weeks = days // WEEK
    if weeks < 2:
        return math.nan, False
    counts = np.bincount([d // WEEK for d in days_of_acts if d < weeks * WEEK], minlength=weeks)
    if counts.sum() < MIN_ACTS:
        return math.nan, False
    d = float(counts.var(ddof=1) / counts.mean())
    return d, bool(chi2.sf((weeks - 1) * d, weeks - 1) < LEVEL)


def per_month(count: int, days: int) -> float:
    return count * MONTH / days


def ppp(values: list[float], observed: float) -> float:
    """Posterior-predictive mid p-value P(run's > record's) + P(run's = record's) / 2 (ties, frequent at 0 acts,
    count half); NaN where the record's is undefined. Near 1: the runs have more than the record, near 0: less."""
    kept = [v for v in values if not math.isnan(v)]
    if math.isnan(observed) or not kept:
        return math.nan
    return (sum(v > observed for v in kept) + 0.5 * sum(v == observed for v in kept)) / len(kept)


def case_row(case: str, arm: str, observed: str, record: RunStats, runs: list[RunStats]) -> dict[str, Any]:
    """One case under one arm: outcome shares and RPS, pooled force rate, clustering, against the record."""
    n = len(runs)
    counts = {k: sum(s.outcome == k for s in runs) for k in OUTCOMES}
    row: dict[str, Any] = {"case": case, "arm": arm, "runs": n, "observed": observed}
    for k in OUTCOMES:
        low, high = wilson_interval(counts[k], n)
        row |= {f"share_{k}": counts[k] / n, f"low_{k}": low, f"high_{k}": high}
    row["rps"] = metrics.rps({k: counts[k] / n for k in OUTCOMES}, observed)
    rates = [per_month(sum(s.force.values()), s.days) for s in runs]
    row |= {
        "force_per_30d": float(np.mean(rates)),
        "record_force_per_30d": per_month(sum(record.force.values()), record.days),
    }
    row["ppp_force"] = ppp(rates, row["record_force_per_30d"])
    values = [s.dispersion for s in runs]
    row |= {
        "dispersion_median": float(np.nanmedian(values)) if not all(map(math.isnan, values)) else math.nan,
        "record_dispersion": record.dispersion,
        "ppp_dispersion": ppp(values, record.dispersion),
    }
    low, high = wilson_interval(sum(s.clustered for s in runs), n)
    row |= {
        "share_clustered": sum(s.clustered for s in runs) / n,
        "low_clustered": low,
        "high_clustered": high,
        "record_clustered": record.clustered,
    }
    return row


def actor_rows(case: str, arm: str, record: RunStats, runs: list[RunStats]) -> list[dict[str, Any]]:
    """Per actor: force acts per 30 days and the first decided one, runs against the record."""
    rows = []
    for actor, kind in record.kinds.items():
        rates = [per_month(s.force[actor], s.days) for s in runs]
        firsts = [s.first[actor] for s in runs]
        used = [f for f in firsts if f is not None]
        mine = per_month(record.force[actor], record.days)
        first_obs = record.first[actor]
        rows.append(
            {
                "case": case,
                "arm": arm,
                "actor": actor,
                "kind": kind,
                "runs": len(runs),
                "force_per_30d": float(np.mean(rates)),
                "q10": float(np.quantile(rates, 0.1)),
                "q90": float(np.quantile(rates, 0.9)),
                "record_force_per_30d": mine,
                "ppp_force": ppp(rates, mine),
                "share_any_force": len(used) / len(runs),
                "first_force_day_median": float(np.median(used)) if used else math.nan,
                "record_first_force_day": first_obs if first_obs is not None else math.nan,
                "share_force_by_record_day": (
                    sum(f <= first_obs for f in used) / len(runs) if first_obs is not None else math.nan
                ),
            }
        )
    return rows


def run_rows(case: str, arm: str, runs: list[RunStats]) -> list[dict[str, Any]]:
    """One row per run and actor (long form): what the summaries were made from."""
    return [
        {
            "case": case,
            "arm": arm,
            "run": s.run,
            "outcome": s.outcome,
            "dispersion": s.dispersion,
            "clustered": s.clustered,
            "actor": a,
            "kind": s.kinds[a],
            "force": s.force[a],
            "first_force_day": s.first[a] if s.first[a] is not None else math.nan,
        }
        for s in runs
        for a in s.kinds
    ]


def tables(
    observed: dict[str, str], records: dict[str, RunStats], found: dict[tuple[str, str], list[RunStats]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(cases, actors, runs) tables over every (case, arm) run."""
    cases, actors, runs = [], [], []
    for (case, arm), stats in found.items():
        cases.append(case_row(case, arm, observed[case], records[case], stats))
        actors.extend(actor_rows(case, arm, records[case], stats))
        runs.extend(run_rows(case, arm, stats))
    return _sorted(cases), _sorted(actors), _sorted(runs)


def _sorted(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows).sort_values(["case", "arm"], kind="stable").reset_index(drop=True)
