"""One library case measured under both models: the fitted quantal model and the hand-set doctrines.

Per model: the outcome-class shares over `runs` runs (common seeds: run r has the same seed under both models), the
ranked probability, Brier and log scores of the observed class against uniform and the train climatology, the
modal class where its interval clears the runner-up's, the shares with the horizon moved by the frozen shift
either way and with every actor's tremble at 0, 1 and 2 times its value (tremble.py; both paired with the case's
own first runs). The record: its log-likelihood under the learned model (the surrogate of `learn`, at the frozen
weights), under the hand-set model (particle filter), and under the baselines, each per channel
(score/baselines.py), with the train climatology (the case left out of its own).

The runs go through the sweep's process pool (`distribution`, `workers` processes), the filter through the same
executors; one case at a time, so one long case does not leave a worker idle.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..learn.extract import extract, quantal_everywhere
from ..learn.likelihood import evaluate as surrogate
from ..results.outcomes import OUTCOMES
from ..rules.features import KINDS, NAMES
from ..scenario import Scenario
from ..score import UnscorableError, score_scenario
from ..score.baselines import score_baselines
from ..score.record import observed, scored_days
from ..sweep.analysis import wilson_interval
from ..sweep.runner import distribution
from . import metrics
from .climate import Climate, total
from .freeze import WEIGHTS, Frozen
from .horizon import shares, shifted
from .protocol import clear_modal
from .tremble import tremble_row

MODELS = {"model": "fitted quantal", "handset": "hand-set doctrines"}
SENSITIVE = 0.05  # five points of any class share
BASELINE_NAMES = ("uniform", "climatology", "prequential_base_rate", "prequential_markov1", "hawkes")


def learned(case: Scenario) -> Scenario:
    """The case with every actor under the quantal rule at the package's (frozen) weights."""
    return quantal_everywhere(case, str(WEIGHTS))


def weight_matrix() -> np.ndarray:
    """The frozen weights as the surrogate reads them: (kinds, features)."""
    table = json.loads(WEIGHTS.read_text())["weights"]
    return np.array([[float(table[k].get(n, 0.0)) for n in NAMES] for k in KINDS])


def class_scores(counts: dict[str, int], n: int, observed: str, climate: dict[str, float]) -> dict[str, float]:
    """RPS, Brier and log score of the model's shares; RPS and log score of uniform and the climatology."""
    shares_ = {k: counts[k] / n for k in OUTCOMES}
    smoothed_climate = metrics.smoothed({k: climate[k] for k in OUTCOMES}, 1)  # never log 0 for an unseen class
    return {
        "rps": metrics.rps(shares_, observed),
        "brier": metrics.brier(shares_, observed),
        "log": metrics.log_score(counts, n, observed),
        "rps_uniform": metrics.rps(metrics.uniform(), observed),
        "rps_climatology": metrics.rps(climate, observed),
        "log_uniform": math.log(1.0 / len(OUTCOMES)),
        "log_climatology": math.log(smoothed_climate[observed]),
    }


def model_columns(
    case: Scenario, scenario: Scenario, suffix: str, climate: dict[str, float], s: Frozen, workers: int
) -> dict[str, Any]:
    """One model's outcome columns for one case (`suffix` "" for the learned model, "_handset" for the other)."""
    runs = distribution(scenario, n=s.runs, seed=s.seed, workers=workers)
    n = len(runs)
    counts = {k: int((runs["outcome"] == k).sum()) for k in OUTCOMES}
    row: dict[str, Any] = {}
    for k in OUTCOMES:
        low, high = wilson_interval(counts[k], n)
        row |= {f"share_{k}{suffix}": counts[k] / n, f"low_{k}{suffix}": low, f"high_{k}{suffix}": high}
    observed_ = str(case.observed_outcome)
    row[f"modal{suffix}"] = clear_modal(counts, n)
    row[f"modal_right{suffix}"] = row[f"modal{suffix}"] == observed_
    scores = class_scores(counts, n, observed_, climate)
    name = "model" if not suffix else suffix[1:]
    row |= {f"rps_{name}": scores["rps"], f"brier_{name}": scores["brier"], f"log_{name}": scores["log"]}
    if not suffix:
        row |= {k: v for k, v in scores.items() if k.endswith(("_uniform", "_climatology"))}
    own = shares(runs.iloc[: s.horizon_runs])
    moves = []
    for label, days in (("minus4w", -s.horizon_shift_days), ("plus4w", s.horizon_shift_days)):
        n_moved = min(s.horizon_runs, s.runs)
        moved = shares(distribution(shifted(scenario, days), n=n_moved, seed=s.seed, workers=workers))
        for k in OUTCOMES:
            row[f"share_{k}_{label}{suffix}"] = moved[k]
            moves.append(abs(moved[k] - own[k]))
    row[f"horizon_max_move{suffix}"] = max(moves)
    row[f"horizon_sensitive{suffix}"] = max(moves) >= SENSITIVE
    paired = runs.iloc[: min(s.horizon_runs, s.runs)]  # the tremble's runs: the same seeds as the horizon's
    return row | {f"{k}{suffix}": v for k, v in tremble_row(scenario, paired, s.seed, workers).items()}


def record_columns(case: Scenario, climate: Climate, s: Frozen, workers: int) -> dict[str, Any]:
    """The record's log-likelihood (nats) under both models and the channel-aware baselines."""
    record = observed(case, scored_days(case))
    base = score_baselines(case, record)
    row: dict[str, Any] = {
        b: sum(p["timing"] + p["choice"] for p in parts.values()) for b, parts in base.items() if b in BASELINE_NAMES
    }
    row["climatology"] = total(climate.record_parts(case))
    row["actor_days"] = len(record) * len(case.actors)
    t = extract({case.name: case}, s.surrogate_replays, s.seed, doctrines=False)
    value = surrogate(t, weight_matrix())
    row |= {"model": float(value.per_record[0]), "model_decisions": len(t.keys), "model_floor_nats": value.floor_nats}
    try:
        executor = "serial" if workers == 1 else "process"
        result = score_scenario(case, s.score_particles, s.score_replications, s.seed, "record", executor, workers)
        row |= {"handset": result.log_likelihood, "handset_mc_se": result.mc_se}
        row["handset_floor_nats"] = result.floor_nats
    except UnscorableError as exc:  # an event the hand-set actors could not have chosen: no number, the reason
        row |= {"handset": math.nan, "handset_mc_se": math.nan, "handset_unscorable": str(exc)}
    for who in MODELS:
        losses = [b for b in BASELINE_NAMES if row.get(who, math.nan) <= row[b]]
        row[f"{who}_loses_to"] = ", ".join(losses) if not math.isnan(row.get(who, math.nan)) else "not scored"
    return row


def measure_case(
    case: Scenario,
    library: list[Scenario],
    s: Frozen,
    workers: int,
    tick: Callable[[str], None] | None = None,
    parts: dict[str, Any] | None = None,
    keep: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(outcomes row, scores row) of one case, in three steps (each model's runs, the record). `parts` holds
    steps finished before (reused); `keep(parts)` is called after each step, so a long case interrupted part way
    resumes at its next step."""
    say = tick or (lambda what: None)
    done = parts if parts is not None else {}
    climate = Climate.of(library)
    shares_ = climate.class_shares(case.name)
    steps = {
        "model": ("learned model runs", lambda: model_columns(case, learned(case), "", shares_, s, workers)),
        "handset": ("hand-set model runs", lambda: model_columns(case, case, "_handset", shares_, s, workers)),
        "record": ("record log-likelihoods", lambda: record_columns(case, climate, s, workers)),
    }
    for name, (what, step) in steps.items():
        say(what)
        if name not in done:
            clock = time.perf_counter()
            done[name] = step() | {f"seconds_{name}": time.perf_counter() - clock}
            if keep is not None:
                keep(done)
    head = {"case": case.name, "split": case.split, "observed": case.observed_outcome}
    outcome = dict(head) | {"runs": s.runs, "horizon_runs": s.horizon_runs} | done["model"] | done["handset"]
    outcome["seconds_record"] = done["record"].pop("seconds_record", None)
    return outcome, dict(head) | done["record"]


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows).sort_values(["split", "case"], ascending=[False, True]).reset_index(drop=True)
