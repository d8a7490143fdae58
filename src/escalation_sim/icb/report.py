"""`icb validate`: run the cross-validation, score it, draw it, and write it into docs/validation.md.

Everything in the docs section is computed here from the files it writes (nothing typed by hand), so one command
regenerates it: `escalation-sim icb validate --out evaluation/icb`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..evaluation.metrics import mean_interval
from .codebook import OUTCOME_FORMS, VIOLENCE_LEVELS, VIOLENCE_VARIABLE
from .crossval import AXES_OF, FOLDS, CrossValidation, cross_validate, edges, grid_of
from .data import IcbData
from .facts import stylized_facts
from .grid import simulate_grid
from .manifest import parameters_hash, provenance
from .mapping import DEFAULT_MODEL
from .observe import FORM_CODES
from .reliability import reliability_figure, reliability_table
from .scores import brier, log_score, rps, rps_monte_carlo

METHODS = {
    "model": "model, raw",
    "recal": "model, recalibrated",
    "ologit": "ordered logit",
    "base": "base rate",
}
SCORES = {"rps": rps, "log": log_score, "brier": brier}
START, END = "<!-- icb:start -->", "<!-- icb:end -->"


def _probs(table: pd.DataFrame, method: str) -> np.ndarray:
    return table[[f"{method}_{lv}" for lv in VIOLENCE_LEVELS]].to_numpy(dtype=float)


def score_table(table: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Mean RPS, log score and Brier per method, and the bootstrap 90% intervals (paired, over crises) of each
    model row's differences from the base rate and the ordered logit, for all three scores."""
    y = table["y"].to_numpy()
    per = {m: {k: f(_probs(table, m), y) for k, f in SCORES.items()} for m in METHODS}
    rows = [{"method": METHODS[m], **{k: float(v.mean()) for k, v in s.items()}} for m, s in per.items()]
    diffs = {}
    for mine in ("model", "recal"):
        for other in ("base", "ologit"):
            for score in SCORES:
                d = per[mine][score] - per[other][score]
                low, high = mean_interval(d, 0.9, seed=seed)
                diffs[f"{mine}_minus_{other}_{score}"] = {"mean": float(d.mean()), "low90": low, "high90": high}
    return pd.DataFrame(rows), diffs


def secondary_scores(table: pd.DataFrame) -> dict[str, Any]:
    """Violence as the primary technique (Brier), form of outcome (log score), duration (mean absolute error)."""
    v = table["violent_cm"].to_numpy(dtype=float)
    form = table["forout"].map(FORM_CODES)
    ok = form.notna().to_numpy()
    p_form = np.array([table.loc[i, f"p_out_{form[i]}"] for i in table.index[ok]], dtype=float)
    base_form = form[ok].map(form[ok].value_counts(normalize=True)).to_numpy(dtype=float)
    days = table["brexit"].to_numpy(dtype=float)
    return {
        "violent_cm_brier": {
            "model": float(((table["p_violent_cm"] - v) ** 2).mean()),
            "base_rate": float(((table["base_violent_cm"] - v) ** 2).mean()),
        },
        "forout_log_score": {
            "model": float(-np.log(p_form).mean()),
            "base_rate_in_sample": float(-np.log(base_form).mean()),
        },
        "duration_mae_days": {
            "model": float(np.abs(table["expected_days"] - days).mean()),
            "training_median": float(np.abs(table["base_days"] - days).mean()),
        },
        "duration_days": {
            "observed_median": float(np.median(days)),
            "model_median_expected": float(table["expected_days"].median()),
        },
    }


def _md(frame: pd.DataFrame, digits: int = 3) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _verdict(d: dict[str, float]) -> str:
    return "better" if d["high90"] < 0 else ("worse" if d["low90"] > 0 else "not distinguishable")


def difference_table(diffs: dict[str, Any]) -> pd.DataFrame:
    """One row per comparison and score: mean difference (lower is better for the model) and its 90% interval."""
    rows = []
    for key, d in diffs.items():
        mine, _, other, score = key.split("_")
        rows.append(
            {
                "model row": METHODS[mine],
                "minus": METHODS[other],
                "score": score,
                "mean difference": d["mean"],
                "90% interval": f"{d['low90']:+.4f} to {d['high90']:+.4f}",
                "model is": _verdict(d),
            }
        )
    return pd.DataFrame(rows)


def _chosen(cv: CrossValidation) -> str:
    counts: dict[str, list[int]] = {}
    for fold, point in cv.chosen.items():
        counts.setdefault(", ".join(f"{k} {v:g}" for k, v in point.as_dict().items()), []).append(fold)
    return "; ".join(f"{point} (folds {', '.join(map(str, folds))})" for point, folds in counts.items())


def edge_report(cv: CrossValidation, points: list[Any]) -> dict[int, list[str]]:
    """Per fold, the axes on which the fitted point sits at an edge of the grid (item 4 of the task)."""
    return {fold: edges(point, points) for fold, point in cv.chosen.items()}


def _edges_text(hits: dict[int, list[str]]) -> str:
    if not any(hits.values()):
        return "no fold's fitted point sits at an edge of the grid"
    counts: dict[str, list[int]] = {}
    for fold, names in hits.items():
        for name in names:
            counts.setdefault(name, []).append(fold)
    return "edges hit: " + "; ".join(f"{n} in {len(f)} of {FOLDS} folds" for n, f in counts.items())


def _secondary_lines(extra: dict[str, Any]) -> list[str]:
    return [
        f"- violence the primary technique (`crismg` = 8), Brier: model {extra['violent_cm_brier']['model']:.3f}, "
        f"training-fold base rate {extra['violent_cm_brier']['base_rate']:.3f};",
        f"- form of outcome (`forout`, six classes), log score: model {extra['forout_log_score']['model']:.3f}, "
        f"in-sample base rate {extra['forout_log_score']['base_rate_in_sample']:.3f};",
        f"- duration (`brexit`), mean absolute error: model {extra['duration_mae_days']['model']:.0f} days, the "
        f"training folds' median {extra['duration_mae_days']['training_median']:.0f} days (observed median "
        f"{extra['duration_days']['observed_median']:.0f} days; the model's median expectation "
        f"{extra['duration_days']['model_median_expected']:.0f}, capped by its 60-day horizon).",
    ]


def _method(cv: CrossValidation, meta: dict[str, Any]) -> str:
    model = meta.get("model", DEFAULT_MODEL)
    axes = "; ".join(f"`{k}` {list(v)}" for k, v in AXES_OF[model].items())
    points = len(grid_of(model))
    mc = meta.get("monte_carlo", {"inflation": float("nan"), "se": float("nan")})
    return (
        f"**Method.** Decision model `{model}` (`--model`; docs/icb.md). "
        f"{FOLDS}-fold cross-validation over crises (seeded folds). Three shared parameters of the "
        f"mapping are fitted on the nine training folds from a grid ({axes}; {points} points), each crisis "
        "simulated once per point with common seeds; the point with the lowest mean log score of the violence "
        "level on the training folds is chosen, and the tenth fold is predicted at it (**model, raw**). Chosen: "
        f"{_chosen(cv)}; {_edges_text(meta.get('edges', {}))}. On all crises: {cv.chosen_all.as_dict()}. "
        f"**Monte Carlo error** of the raw model's mean RPS at {meta['runs']} runs a crisis (delta method on "
        f"the run shares): expected inflation by sampling noise {mc['inflation']:.4f}, standard error "
        f"{mc['se']:.4f} (the base rate and the ordered logit have none). **Model, "
        "recalibrated**: an ordered logit of the observed level on the raw model's three cumulative logits "
        "(logit P(level > k), k = 1..3; nothing else about the crisis), fitted on the same training folds at the "
        "chosen point and applied to the tenth. The base rate and the ordered logit (statsmodels "
        "`OrderedModel`, 14 covariates: trigger type, gravity, protracted conflict, extra actors, great-power "
        "involvement, both sides' power, nuclear rival, military regime, democracy, pre-1946) are fitted on the "
        "same training folds."
    )


def score_lines(scores: pd.DataFrame, diffs: dict[str, Any]) -> list[str]:
    """The section's scores, their differences and the issue's criterion: what the run's predictions alone decide
    (`cv_predictions.csv`), so the committed section can be checked against them without simulating again."""
    raw, rec = diffs["model_minus_base_rps"], diffs["recal_minus_base_rps"]
    return [
        "**Scores** (means over crises, out of fold; lower is better; log score in nats):",
        "",
        _md(scores, 4),
        "",
        "**Differences** (model row minus comparison, per crisis, mean and percentile bootstrap 90% interval over "
        "crises, `scipy.stats.bootstrap`, 9,999 resamples; negative favours the model):",
        "",
        _md(difference_table(diffs), 4),
        "",
        f"The issue's criterion, RPS beating the base rate with an interval excluding 0: raw model "
        f"{raw['mean']:+.4f} ({raw['low90']:+.4f} to {raw['high90']:+.4f}), **{_verdict(raw)}**; recalibrated "
        f"{rec['mean']:+.4f} ({rec['low90']:+.4f} to {rec['high90']:+.4f}), **{_verdict(rec)}**.",
    ]


def markdown(
    cv: CrossValidation,
    scores: pd.DataFrame,
    diffs: dict[str, Any],
    extra: dict[str, Any],
    facts: pd.DataFrame,
    reliability: pd.DataFrame,
    meta: dict[str, Any],
) -> str:
    facts = facts.rename(columns={c: c.replace("_", " ") for c in facts.columns})
    return "\n".join(
        [
            START,
            "",
            "## ICB: the population of crises",
            "",
            f"*Regenerated by `{meta['command']}` ({meta['runs']} runs per crisis and grid point, seed "
            f"{meta['seed']}, {meta['wall_time_s']:.0f} s on {meta['workers']} workers, grid points read from "
            f"`{meta['cache']}` when cached). The mapping and the method (docs/icb.md) were committed before this "
            f"run: it ran at commit {meta['commit']}{' with uncommitted changes' if meta['commit_dirty'] else ''}.*",
            "",
            f"**Question.** Across the {len(cv.table)} shared ICB v14 crises, does the model, given only each crisis's "
            f"coded attributes, forecast the severity of violence in crisis management (`{VIOLENCE_VARIABLE}`: "
            "1 no violence, 2 minor clashes, 3 serious clashes, 4 full-scale war) better than the base rate and an "
            "ordered logit on the same covariates?",
            "",
            _method(cv, meta),
            "",
            *score_lines(scores, diffs),
            "",
            "**Calibration of each level** (equal-count bins of the forecast probability against the observed "
            "frequency; the reliability term is the Brier decomposition's, 0 when calibrated):",
            "",
            f"![reliability]({meta['figure']})",
            "",
            _md(reliability, 3),
            "",
            "**The other predicted codes** (raw model at the chosen point, out of fold):",
            "",
            *_secondary_lines(extra),
            "",
            "**Stylized facts** (computed from the data; each method's mean out-of-fold probabilities beside them; "
            "violent = level 2 or more, war = level 4):",
            "",
            _md(facts, 2),
            "",
            f"Files: `{meta['out']}/` holds `cv_predictions.csv` (one row per crisis), `scores.json`, `facts.csv`, "
            "`reliability.csv`, `grid_scores.csv` (every grid point's mean scores over all crises, for the record) "
            f"and the figure; `{meta['cache']}/` the simulated distributions of every grid point.",
            "",
            END,
        ]
    )


def write_docs(path: Path, section: str) -> None:
    """Replace the ICB section of a markdown file (between its markers), or append it."""
    text = path.read_text() if path.exists() else "# Validation\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def run_validation(
    data: IcbData,
    out: Path,
    runs: int,
    seed: int,
    workers: int,
    docs: Path | None,
    progress: Callable[[int, int], None] | None = None,
    model: str = DEFAULT_MODEL,
) -> str:
    """Simulate (or read) the grid, cross-validate, score, and write the files and the docs section."""
    started = time.perf_counter()
    origin = provenance()  # before anything is written, so `commit_dirty` describes the code, not this run's files
    cache = out / "grid"
    points = list(grid_of(model))
    grid = simulate_grid(data, points, runs, seed, workers, cache, progress, model)
    cv = cross_validate(data, grid, seed)
    hits = edge_report(cv, points)
    inflation, se = rps_monte_carlo(_probs(cv.table, "model"), cv.table["y"].to_numpy(), runs)
    scores, diffs = score_table(cv.table, seed)
    extra = secondary_scores(cv.table)
    facts = stylized_facts(data, cv.table)
    reliability = reliability_table(cv.table, METHODS)
    out.mkdir(parents=True, exist_ok=True)
    cv.table.to_csv(out / "cv_predictions.csv", index=False)
    facts.to_csv(out / "facts.csv", index=False)
    reliability.to_csv(out / "reliability.csv", index=False)
    cv.grid_scores.to_csv(out / "grid_scores.csv", index=False)
    figure = out / "reliability.png"
    reliability_figure(cv.table, figure, METHODS)
    parameters = {
        "model": model,
        "axes": {k: list(v) for k, v in AXES_OF[model].items()},
        "folds": FOLDS,
        "runs": runs,
        "seed": seed,
    }
    meta = {
        **origin,
        "command": f"escalation-sim icb validate --model {model} --out {out} --runs {runs} --seed {seed}",
        "model": model,
        "edges": hits,
        "monte_carlo": {"inflation": inflation, "se": se},
        "out": str(out),
        "cache": str(cache),
        "runs": runs,
        "seed": seed,
        "workers": workers,
        "wall_time_s": time.perf_counter() - started,
        "parameters": parameters,
        "parameters_hash": parameters_hash(parameters),
        "violence_variable": VIOLENCE_VARIABLE,
        "outcome_forms": list(OUTCOME_FORMS),
    }
    summary = {
        **meta,
        "scores": scores.to_dict(orient="records"),
        "differences": diffs,
        "secondary": extra,
        "chosen_by_fold": {k: v.as_dict() for k, v in cv.chosen.items()},
        "chosen_all": cv.chosen_all.as_dict(),
    }
    (out / "scores.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    if docs is not None and str(docs):
        rel = Path("..") / figure if not figure.is_absolute() else figure
        section = markdown(cv, scores, diffs, extra, facts, reliability, {**meta, "figure": str(rel)})
        write_docs(docs, section)
    table = scores.set_index("method")["rps"]
    raw, rec = diffs["model_minus_base_rps"], diffs["recal_minus_base_rps"]
    return (
        "RPS " + ", ".join(f"{m} {v:.4f}" for m, v in table.items()) + f"; raw - base {raw['mean']:+.4f} "
        f"[90%: {raw['low90']:+.4f}, {raw['high90']:+.4f}], recalibrated - base {rec['mean']:+.4f} "
        f"[{rec['low90']:+.4f}, {rec['high90']:+.4f}]; chosen on all crises {cv.chosen_all.as_dict()}; wrote {out}"
    )
