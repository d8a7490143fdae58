"""Evaluation over the crisis library (issue 11): shared parameters fitted on the train split and frozen, the
test split measured with them, leave-one-out over the whole library, and the always-"de-escalation" baseline.

    __init__.py  `evaluate`: the whole protocol, in order, into one output folder (resumable: the calibrations
                 continue their chains; everything else is recomputed)
    metrics.py   Brier and log scores of an outcome distribution, Jeffreys smoothing
    loo.py       per-case log-likelihoods at posterior draws and PSIS-LOO (arviz)
    figures.py   the model's outcome shares beside history, per case
    tables.py    the tables in Markdown (tables.md), as docs/validation.md shows them

Analysis layer: imports the runner, score, calibrate and sweep layers, never the command line.
The order is the protocol: fit on train, freeze (the hash goes into the registry) and only then score a test
case with `score`'s own frozen check, which refuses unrecorded parameters.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..calibrate import Param, calibrate
from ..results.outcomes import OUTCOMES
from ..scenario import Scenario, load_scenario
from ..score import score_scenario
from ..score.frozen import DEFAULT_REGISTRY, check, read_params, record
from ..sweep.analysis import wilson_interval
from ..sweep.runner import distribution
from . import metrics

# Shared parameters: common to every case, not facts of one case (each rule's execution noise, the cheap-talk
# floor, perception noise). Boxes: about a third to three times the project defaults (0.6, 2.5, 0.5).
SHARED = (
    Param("actors.*.rule.spread", 0.2, 2.0),
    Param("actors.*.rule.ignore_below", 0.5, 6.0),
    Param("actors.*.perception.noise_sd", 0.1, 2.0),
)
BASELINE_CLASS = "de-escalation"


@dataclass
class Settings:
    walkers: int = 8
    steps: int = 24
    particles: int = 50
    seed: int = 0
    runs: int = 200
    score_particles: int = 200
    score_replications: int = 2
    loo_draws: int = 48
    loo_steps: int = 10
    loo_particles: int = 20
    workers: int = 2
    loo: bool = True


def library_cases(folder: Path) -> list[Scenario]:
    return [load_scenario(p) for p in sorted(Path(folder).glob("*.yaml"))]


def key_response(case: Scenario) -> tuple[str | None, str | None, str | None]:
    """History's key first response: the first actor to decide (a chosen act, not a justification) on or after
    the branch date, and its first hostile act from then on; (actor, action, event id), or Nones."""
    ladder = case.ladder
    assert isinstance(ladder, dict)
    after = sorted((e for e in case.events if e.date >= case.branch_date and e.actor is not None),
                   key=lambda e: e.date)  # fmt: skip
    decisions = [e for e in after if ladder[e.action].chosen and not ladder[e.action].justifies]
    if not decisions:
        return None, None, None
    actor = decisions[0].actor
    hostile = [e for e in decisions if e.actor == actor and ladder[e.action].is_hostile]
    if not hostile:
        return actor, None, None
    return actor, hostile[0].action, hostile[0].id


def outcome_row(case: Scenario, runs: pd.DataFrame) -> dict[str, Any]:
    """Per case: the observed class, the model's shares with 95% Wilson intervals, the modal class, the scores
    of the model and of the always-"de-escalation" baseline."""
    n = len(runs)
    counts = {k: int((runs["outcome"] == k).sum()) for k in OUTCOMES}
    shares = {k: counts[k] / n for k in OUTCOMES}
    observed = case.observed_outcome
    row: dict[str, Any] = {"case": case.name, "split": case.split, "observed": observed, "runs": n}
    for k in OUTCOMES:
        low, high = wilson_interval(counts[k], n)
        row |= {f"share_{k}": shares[k], f"low_{k}": low, f"high_{k}": high}
    row["modal"] = max(OUTCOMES, key=lambda k: counts[k])
    row["modal_right"] = row["modal"] == observed
    base = metrics.always(BASELINE_CLASS, n)
    row |= {
        "brier_model": metrics.brier(shares, observed),
        "brier_always_de": metrics.brier({k: v / n for k, v in base.items()}, observed),
        "log_model": metrics.log_score(counts, n, observed),
        "log_always_de": metrics.log_score(base, n, observed),
    }
    actor, action, event = key_response(case)
    column = f"first_response_{actor}"
    row |= {"key_actor": actor, "history_first": action or "no hostile act", "history_event": event}
    if actor is not None and column in runs:
        firsts = runs[column].fillna("no hostile act")
        row["model_share_of_history_first"] = float((firsts == (action or "no hostile act")).mean())
        top = firsts.value_counts(normalize=True)
        row["model_first_modal"] = str(top.index[0])
        row["model_first_modal_share"] = float(top.iloc[0])
    return row


def score_row(case: Scenario, result: Any, digest: str) -> dict[str, Any]:
    j = result.as_json()
    losses = ", ".join(b for b, v in j["baselines"].items() if v > j["log_likelihood"]) or "-"
    worst = result.per_event.sort_values("total").head(3)
    least = "; ".join(f"{r.event_id} {r.total:.1f}" for r in worst.itertuples())
    return {"case": case.name, "split": case.split, "params_sha256": digest, "model": j["log_likelihood"],
            "timing": j["timing"], "choice": j["choice"], "mc_se": j["mc_se"], "floor_nats": j["floor_nats"],
            **j["baselines"], "actor_days": j["actor_days"], "model_loses_to": losses,
            "least_likely": least}  # fmt: skip


def summary_rows(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean Brier and log scores, model against always-"de-escalation", per group of cases."""
    groups = {
        "test": outcomes["split"] == "test",
        "test, not de-escalation": (outcomes["split"] == "test") & (outcomes["observed"] != BASELINE_CLASS),
        "all 13 (train in-sample)": outcomes["split"].notna(),
        "all, not de-escalation": outcomes["observed"] != BASELINE_CLASS,
    }
    rows = []
    for name, mask in groups.items():
        part = outcomes[mask]
        rows.append({"cases": name, "n": len(part), "brier_model": part["brier_model"].mean(),
                     "brier_always_de": part["brier_always_de"].mean(), "log_model": part["log_model"].mean(),
                     "log_always_de": part["log_always_de"].mean(),
                     "modal_right": int(part["modal_right"].sum())})  # fmt: skip
    return pd.DataFrame(rows)


def evaluate(
    library: Path,
    out: Path,
    settings: Settings | None = None,
    registry: Path = DEFAULT_REGISTRY,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """The whole protocol into `out`; returns report.json's content. `progress(stage, done, total)`."""
    s = settings or Settings()
    tick = progress or (lambda stage, done, total: None)
    out.mkdir(parents=True, exist_ok=True)
    cases = library_cases(library)
    train = [c for c in cases if c.split == "train"]
    clock: dict[str, float] = {}

    # 1. Fit the shared parameters on the train split; freeze the posterior medians BEFORE any test case.
    t0 = time.time()
    steps_done = [0]

    def cal_tick(n: int) -> None:
        steps_done[0] += n
        tick("fit on train", steps_done[0], s.steps)

    fit = calibrate(train, list(SHARED), out / "calibration_train", s.walkers, s.steps, s.particles, s.seed,
                    "process", s.workers, progress=cal_tick)  # fmt: skip
    clock["fit_train_s"] = time.time() - t0
    frozen = read_params(out / "calibration_train" / "params.json")
    note = f"evaluate: shared parameters fitted on the train split ({', '.join(c.name for c in train)})"
    digest = record(frozen, note, registry)
    (out / "frozen.json").write_text(json.dumps({"params": frozen, "sha256": digest}, indent=2) + "\n")

    # 2. Every case with the frozen parameters: outcome shares (common seeds), record score, first response.
    t0 = time.time()
    rows, scores, all_runs = [], [], []
    for i, case in enumerate(cases):
        check(frozen, case.split, registry)  # a test case needs the hash recorded first (it was, above)
        edited = case.with_edits(frozen)
        runs = distribution(edited, n=s.runs, seed=s.seed, workers=s.workers)
        rows.append(outcome_row(case, runs))
        all_runs.append(runs.assign(case=case.name))
        result = score_scenario(edited, s.score_particles, s.score_replications, s.seed, "record", "process",
                                s.workers)  # fmt: skip
        scores.append(score_row(case, result, digest))
        tick("cases", i + 1, len(cases))
    clock["cases_s"] = time.time() - t0
    outcomes, score_table, summary = _write_cases(out, rows, scores, all_runs)

    # 3. Leave-one-out over the whole library: PSIS-LOO over a fit on all cases.
    loo_report: dict[str, Any] = {"done": False}
    if s.loo:
        from .loo import psis_loo

        t0 = time.time()
        loo_report = psis_loo(cases, list(SHARED), out / "calibration_all", s, tick)
        clock["loo_s"] = time.time() - t0
    report = {
        "frozen": {"params": frozen, "sha256": digest, "registry": str(registry)},
        "fit": {name: {k: v for k, v in p.items()} for name, p in fit["parameters"].items()},
        "fit_acceptance": fit.get("acceptance"),
        "settings": vars(s),
        "shared_parameters": [vars(p) for p in SHARED],
        "summary": summary.to_dict(orient="records"),
        "loo": loo_report,
        "seconds": clock,
    }
    (out / "report.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    from .tables import markdown

    loo_table = pd.read_csv(out / "loo.csv") if loo_report.get("done") else None
    (out / "tables.md").write_text(markdown(outcomes, score_table, summary, loo_table, report))
    return report


__all__ = ["SHARED", "Settings", "evaluate", "key_response", "outcome_row"]


def _write_cases(out: Path, rows: list, scores: list, all_runs: list) -> tuple[pd.DataFrame, ...]:
    """The per-case tables, every run's outcome and the shares figure, into `out`."""
    outcomes = pd.DataFrame(rows)
    score_table = pd.DataFrame(scores)
    summary = summary_rows(outcomes)
    outcomes.to_csv(out / "outcomes.csv", index=False, float_format="%.6g", lineterminator="\n")
    score_table.to_csv(out / "scores.csv", index=False, float_format="%.6g", lineterminator="\n")
    summary.to_csv(out / "summary.csv", index=False, float_format="%.6g", lineterminator="\n")
    keep = ["case", "seed", "outcome", "max_rung", "hostile_deaths_after_branch", "censored"]
    every = pd.concat(all_runs, ignore_index=True)
    every[[c for c in keep if c in every]].to_parquet(out / "runs.parquet", index=False)
    from .figures import shares_figure

    shares_figure(outcomes).savefig(out / "shares.png", dpi=110)
    return outcomes, score_table, summary
