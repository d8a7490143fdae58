"""Evaluation over the crisis library (issue 11): shared parameters fitted on the train split and frozen, the
test split measured with them, leave-one-out over the whole library, and the always-"de-escalation" baseline.

    __init__.py  `evaluate`: the whole protocol, in order, into one output folder (resumable: the calibrations
                 continue their chains; everything else is recomputed)
    metrics.py   Brier, ranked probability and log scores of an outcome distribution, Jeffreys smoothing
    climate.py   the train split's climatology for each case (class frequencies; pooled daily frequencies of
                 acting and of each action), leaving a train case out of its own
    loo.py       per-case log-likelihoods at posterior draws and PSIS-LOO (arviz)
    figures.py   the model's outcome shares beside history, per case
    tables.py    the tables in Markdown (tables.md), as docs/validation.md shows them
    protocol.py  the git check that the freeze was committed before any test output; the modal class rule
    horizon.py   class shares with each case's horizon moved by four weeks either way

Analysis layer: imports the runner, score, calibrate and sweep layers, never the command line.
The order is the protocol, in two runs with a commit between them (issue 22): `evaluate` fits on train, records
the frozen hash in the registry and writes the train cases' outputs only; the registry is committed; then
`evaluate --frozen HASH` (no fit) checks with git that the hash is in a commit at or before HEAD and only then
computes any test case's outputs, and the leave-one-out fit that uses them.
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
from ..provenance import provenance
from ..results.outcomes import OUTCOMES
from ..scenario import Scenario, load_scenario
from ..score import score_scenario
from ..score.frozen import DEFAULT_REGISTRY, check, read_params, record
from ..score.frozen import registry as read_registry
from ..sweep.analysis import wilson_interval
from ..sweep.runner import distribution
from . import metrics
from .climate import Climate, total
from .horizon import horizon_row
from .protocol import UNCLEAR, clear_modal, freeze_commit, resolve_frozen

# Shared parameters: common to every case, not facts of one case (each rule's execution noise, the cheap-talk
# floor, perception noise). Boxes: about a third to three times the project defaults (0.6, 2.5, 0.5).
SHARED = (
    Param("actors.*.rule.spread", 0.2, 2.0),
    Param("actors.*.rule.ignore_below", 0.5, 6.0),
    Param("actors.*.perception.noise_sd", 0.1, 2.0),
)
BASELINE_CLASS = "de-escalation"
RPS_COLUMNS = ("rps_model", "rps_uniform", "rps_climatology")


@dataclass
class Settings:
    walkers: int = 8
    steps: int = 24
    particles: int = 50
    seed: int = 0
    runs: int = 1000  # issue 22: at 200 runs some cases sit within Monte Carlo noise of a tie
    score_particles: int = 200
    score_replications: int = 2
    loo_draws: int = 48
    loo_steps: int = 10
    loo_particles: int = 20
    workers: int = 2
    loo: bool = True
    horizon: bool = True  # class shares with the horizon moved +-4 weeks (2 x runs more runs per case)


def library_cases(folder: Path) -> list[Scenario]:
    return [load_scenario(p) for p in sorted(Path(folder).glob("*.yaml"))]


def key_response(case: Scenario) -> tuple[str | None, str | None, str | None]:
    """History's key first response: the first actor to decide (a chosen act, not a justification) on or after
    the branch date, and its first hostile act from then on; (actor, action, event id), or Nones."""
    ladder = case.ladder
    assert isinstance(ladder, dict)
    after = sorted((e for e in case.events if e.date >= case.branch_date and e.actor is not None), key=lambda e: e.date)
    decisions = [e for e in after if ladder[e.action].chosen and not ladder[e.action].justifies]
    if not decisions:
        return None, None, None
    actor = decisions[0].actor
    hostile = [e for e in decisions if e.actor == actor and ladder[e.action].is_hostile]
    if not hostile:
        return actor, None, None
    return actor, hostile[0].action, hostile[0].id


def outcome_row(case: Scenario, runs: pd.DataFrame, climate: dict[str, float] | None = None) -> dict[str, Any]:
    """Per case: the observed class, the model's shares with 95% Wilson intervals, the modal class, the scores
    of the model and of the always-"de-escalation" baseline; the ranked probability score of the model, of a
    uniform forecast and of `climate` (the train split's class frequencies; uniform if not given)."""
    n = len(runs)
    counts = {k: int((runs["outcome"] == k).sum()) for k in OUTCOMES}
    shares = {k: counts[k] / n for k in OUTCOMES}
    observed = case.observed_outcome
    row: dict[str, Any] = {"case": case.name, "split": case.split, "observed": observed, "runs": n}
    for k in OUTCOMES:
        low, high = wilson_interval(counts[k], n)
        row |= {f"share_{k}": shares[k], f"low_{k}": low, f"high_{k}": high}
    row["modal"] = clear_modal(counts, n)  # UNCLEAR where its interval overlaps the runner-up's
    row["modal_right"] = row["modal"] == observed
    base = metrics.always(BASELINE_CLASS, n)
    row |= {
        "brier_model": metrics.brier(shares, observed),
        "brier_always_de": metrics.brier({k: v / n for k, v in base.items()}, observed),
        "log_model": metrics.log_score(counts, n, observed),
        "log_always_de": metrics.log_score(base, n, observed),
        "rps_model": metrics.rps(shares, observed),
        "rps_uniform": metrics.rps(metrics.uniform(), observed),
        "rps_climatology": metrics.rps(climate or metrics.uniform(), observed),
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


def score_row(case: Scenario, result: Any, digest: str, climatology: float | None = None) -> dict[str, Any]:
    """Per case: the record's log-likelihood under the model and under each baseline (nats), the climatology's
    (fitted on the train split without the case) among them, and the in-sample baselines' parameter counts."""
    j = result.as_json()
    baselines = {name: b["total"] for name, b in j["baselines"].items()}
    if climatology is not None:
        baselines["climatology"] = climatology
    losses = ", ".join(b for b, v in baselines.items() if v > j["log_likelihood"]) or "-"
    worst = result.per_event.sort_values("total").head(3)
    least = "; ".join(f"{r.event_id} {r.total:.1f}" for r in worst.itertuples())
    counts = {f"{name}_parameters": b["parameters"] for name, b in j["baselines"].items() if b["fit"] == "in-sample"}
    return {
        "case": case.name,
        "split": case.split,
        "params_sha256": digest,
        "model": j["log_likelihood"],
        "timing": j["timing"],
        "choice": j["choice"],
        "mc_se": j["mc_se"],
        "floor_nats": j["floor_nats"],
        **baselines,
        **{f"{name}_timing": b["timing"] for name, b in j["baselines"].items()},
        **counts,
        "actor_days": j["actor_days"],
        "model_loses_to": losses,
        "least_likely": least,
    }


def summary_rows(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean Brier and log scores, model against always-"de-escalation", and ranked probability scores, model
    against uniform and the train climatology (with a bootstrap interval of the gain), per group of cases; the modal
    class is counted only over cases where it is clear (its interval above the runner-up's) and not
    horizon-sensitive."""
    groups = {
        "test": outcomes["split"] == "test",
        "test, not de-escalation": (outcomes["split"] == "test") & (outcomes["observed"] != BASELINE_CLASS),
        f"all {len(outcomes)} (train in-sample)": outcomes["split"].notna(),
        "all, not de-escalation": outcomes["observed"] != BASELINE_CLASS,
    }
    sensitive = outcomes.get("horizon_sensitive", pd.Series(False, index=outcomes.index)).fillna(False)
    counted = (outcomes["modal"] != UNCLEAR) & ~sensitive.astype(bool)
    rows = []
    for name, mask in groups.items():
        part = outcomes[mask]
        rows.append(
            {
                "cases": name,
                "n": len(part),
                "brier_model": part["brier_model"].mean(),
                "brier_always_de": part["brier_always_de"].mean(),
                "log_model": part["log_model"].mean(),
                "log_always_de": part["log_always_de"].mean(),
                **{c: part[c].mean() for c in RPS_COLUMNS if c in part},
                **_rps_gains(part),
                "modal_counted": int(counted[mask].sum()),
                "modal_right": int((part["modal_right"] & counted[mask]).sum()),
            }
        )
    return pd.DataFrame(rows)


def _rps_gains(part: pd.DataFrame) -> dict[str, float]:
    """How much lower the model's RPS is than uniform's and the climatology's, mean over the cases with a 90%
    bootstrap interval (positive: the model is better)."""
    out: dict[str, float] = {}
    for other in ("uniform", "climatology"):
        if f"rps_{other}" not in part:
            continue
        gain = part[f"rps_{other}"] - part["rps_model"]
        low, high = metrics.mean_interval(gain.to_list())
        out |= {f"rps_gain_{other}": gain.mean(), f"rps_gain_{other}_low": low, f"rps_gain_{other}_high": high}
    return out


def evaluate(
    library: Path,
    out: Path,
    settings: Settings | None = None,
    registry: Path = DEFAULT_REGISTRY,
    progress: Callable[[str, int, int], None] | None = None,
    frozen_hash: str | None = None,
) -> dict[str, Any]:
    """The protocol into `out`; returns report.json's content. `progress(stage, done, total)`.

    Without `frozen_hash`: fit on train, record the hash, outputs of the train cases only. With it: no fit; the
    hash must be in a commit at or before HEAD (FrozenError saying what to do otherwise), then every case and LOO.
    """
    s = settings or Settings()
    tick = progress or (lambda stage, done, total: None)
    cases = library_cases(library)
    train = [c for c in cases if c.split == "train"]
    clock: dict[str, float] = {}
    fit: dict[str, Any] = {}
    if frozen_hash is None:  # 1. Fit the shared parameters on the train split and record the freeze.
        t0 = time.time()
        out.mkdir(parents=True, exist_ok=True)
        fit = _fit_train(train, out, s, tick)
        clock["fit_train_s"] = time.time() - t0
        frozen = read_params(out / "calibration_train" / "params.json")
        note = f"evaluate: shared parameters fitted on the train split ({', '.join(c.name for c in train)})"
        digest, commit, measured = record(frozen, note, registry), None, train
    else:  # 2. The committed freeze: checked with git BEFORE anything is written.
        digest = resolve_frozen(frozen_hash, read_registry(registry))
        frozen = read_registry(registry)[digest]["params"]
        commit, measured = freeze_commit(digest, registry), cases
        out.mkdir(parents=True, exist_ok=True)
    (out / "frozen.json").write_text(
        json.dumps({"params": frozen, "sha256": digest, "commit": commit}, indent=2) + "\n"
    )
    t0 = time.time()
    outcomes, score_table, summary = _measure(measured, cases, frozen, digest, registry, s, tick, out)
    clock["cases_s"] = time.time() - t0
    loo_report: dict[str, Any] = {"done": False}
    if s.loo and commit is not None:  # LOO fits on every case, test included: only after the committed freeze
        from .loo import psis_loo

        t0 = time.time()
        loo_report = psis_loo(cases, list(SHARED), out / "calibration_all", s, tick)
        clock["loo_s"] = time.time() - t0
    report = {
        **provenance(),  # version, git commit, library versions
        "frozen": {"params": frozen, "sha256": digest, "registry": str(registry), "commit": commit},
        "stage": "train only (commit the registry, then --frozen)" if commit is None else "all cases",
        "fit": {name: dict(p) for name, p in fit.get("parameters", {}).items()},
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


def _fit_train(train: list[Scenario], out: Path, s: Settings, tick: Callable[[str, int, int], None]) -> dict:
    steps_done = [0]

    def cal_tick(n: int) -> None:
        steps_done[0] += n
        tick("fit on train", steps_done[0], s.steps)

    return calibrate(
        train,
        list(SHARED),
        out / "calibration_train",
        s.walkers,
        s.steps,
        s.particles,
        s.seed,
        "process",
        s.workers,
        progress=cal_tick,
    )


def _measure(
    cases: list[Scenario],
    library: list[Scenario],
    frozen: dict,
    digest: str,
    registry: Path,
    s: Settings,
    tick: Callable[[str, int, int], None],
    out: Path,
) -> tuple[pd.DataFrame, ...]:
    """Every case with the frozen parameters: shares (common seeds), horizon sensitivity, record score against
    the baselines (the climatology from the library's train split, a train case left out of its own)."""
    rows, scores, all_runs = [], [], []
    climate = Climate.of(library)
    for i, case in enumerate(cases):
        check(frozen, case.split, registry)  # a test case needs the hash recorded (and, above, committed)
        edited = case.with_edits(frozen)
        runs = distribution(edited, n=s.runs, seed=s.seed, workers=s.workers)
        row = outcome_row(case, runs, climate.class_shares(case.name))
        if s.horizon:
            row |= horizon_row(edited, runs, s.runs, s.seed, s.workers)
        rows.append(row)
        all_runs.append(runs.assign(case=case.name))
        result = score_scenario(edited, s.score_particles, s.score_replications, s.seed, "record", "process", s.workers)
        scores.append(score_row(case, result, digest, total(climate.record_parts(edited))))
        tick("cases", i + 1, len(cases))
    return _write_cases(out, rows, scores, all_runs)


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
