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

from .codebook import OUTCOME_FORMS, VIOLENCE_LEVELS, VIOLENCE_VARIABLE
from .crossval import FOLDS, GRID, CrossValidation, cross_validate, simulate_grid
from .data import IcbData
from .facts import stylized_facts
from .manifest import parameters_hash, provenance
from .observe import FORM_CODES
from .scores import bootstrap_interval, brier, log_score, rps

METHODS = {"model": "model (cross-validated)", "ologit": "ordered logit", "base": "base rate"}
START, END = "<!-- icb:start -->", "<!-- icb:end -->"
LABELS = ("no violence", "minor clashes", "serious clashes", "full-scale war")


def _probs(table: pd.DataFrame, method: str) -> np.ndarray:
    return table[[f"{method}_{lv}" for lv in VIOLENCE_LEVELS]].to_numpy(dtype=float)


def score_table(table: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Mean RPS, log score and Brier per method, and the bootstrap 90% intervals of the RPS differences."""
    y = table["y"].to_numpy()
    per = {
        m: {"rps": rps(_probs(table, m), y), "log": log_score(_probs(table, m), y), "brier": brier(_probs(table, m), y)}
        for m in METHODS
    }
    rows = [{"method": METHODS[m], **{k: float(v.mean()) for k, v in s.items()}} for m, s in per.items()]
    diffs = {}
    for other in ("base", "ologit"):
        d = per["model"]["rps"] - per[other]["rps"]
        low, high = bootstrap_interval(d, 0.9, seed=seed)
        diffs[f"model_minus_{other}"] = {"mean": float(d.mean()), "low90": low, "high90": high}
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


def reliability_figure(table: pd.DataFrame, path: Path, bins: int = 5) -> None:
    """Observed frequency against forecast probability of each level, in equal-count bins, model and ologit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(14, 3.8), sharey=True)
    y = table["y"].to_numpy()
    for ax, lv, name in zip(axes, VIOLENCE_LEVELS, LABELS, strict=True):
        for method, style in (("model", "o-"), ("ologit", "s--")):
            p = table[f"{method}_{lv}"].to_numpy(dtype=float)
            edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
            which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
            xs = [p[which == b].mean() for b in range(len(edges) - 1) if (which == b).any()]
            ys = [(y[which == b] == lv).mean() for b in range(len(edges) - 1) if (which == b).any()]
            ax.plot(xs, ys, style, label=METHODS[method])
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
        ax.axhline((y == lv).mean(), color="grey", ls=":", lw=0.8)
        ax.set(title=f"{lv}: {name}", xlabel="forecast probability", xlim=(0, 1), ylim=(0, 1))
    axes[0].set_ylabel("observed frequency")
    axes[0].legend(fontsize=8)
    fig.suptitle(
        f"ICB {VIOLENCE_VARIABLE}: reliability of out-of-fold forecasts ({len(table)} crises, "
        f"{bins} equal-count bins; dotted: base rate)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _md(frame: pd.DataFrame, digits: int = 3) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(
    cv: CrossValidation,
    scores: pd.DataFrame,
    diffs: dict[str, Any],
    extra: dict[str, Any],
    facts: pd.DataFrame,
    meta: dict[str, Any],
) -> str:
    b, o = diffs["model_minus_base"], diffs["model_minus_ologit"]
    beats = "beats" if b["high90"] < 0 else ("is worse than" if b["low90"] > 0 else "does not clearly beat")
    vs = "better than" if o["high90"] < 0 else ("worse than" if o["low90"] > 0 else "not distinguishable from")
    thetas = ", ".join(f"{k}: {v}" for k, v in cv.thetas.items())
    facts = facts.rename(
        columns={
            "obs_violent": "observed violent",
            "model_violent": "model P(violent)",
            "ologit_violent": "ologit P(violent)",
            "obs_war": "observed war",
            "model_war": "model P(war)",
            "ologit_war": "ologit P(war)",
        }
    )
    return "\n".join(
        [
            START,
            "",
            "## ICB: the population of crises",
            "",
            f"*Regenerated by `escalation-sim icb validate --out {meta['out']}` ({meta['runs']} runs per crisis "
            f"and grid value, seed {meta['seed']}, {meta['wall_time_s']:.0f} s on {meta['workers']} workers; commit "
            f"{meta['commit']}). The mapping (docs/icb.md) was committed before this run.*",
            "",
            f"**Question.** Across the {len(cv.table)} shared ICB v14 crises, does the model, given only each crisis's "
            f"coded attributes, forecast the severity of violence in crisis management (`{VIOLENCE_VARIABLE}`: "
            "1 no violence, 2 minor clashes, 3 serious clashes, 4 full-scale war) better than the base rate and an "
            "ordered logit on the same covariates?",
            "",
            f"**Method.** {FOLDS}-fold cross-validation over crises (seeded folds). The one shared parameter, "
            f"`grievance_scale`, is chosen from the grid {list(GRID)} by the lowest mean RPS on the nine training "
            "folds, each crisis simulated once per grid value with common seeds; the tenth fold is predicted at that "
            f"value. Chosen per fold: {thetas}. On all crises: {cv.theta_all} (the default of `icb predict`). The base "
            "rate and the ordered logit (statsmodels `OrderedModel`, 14 covariates: trigger type, gravity, protracted "
            "conflict, extra actors, great-power involvement, both sides' power, nuclear rival, military regime, "
            "democracy, pre-1946) are fitted on the same training folds.",
            "",
            "**Scores** (means over crises, out of fold; lower is better):",
            "",
            _md(scores),
            "",
            f"RPS difference, model minus base rate: {b['mean']:+.4f} (bootstrap 90% interval {b['low90']:+.4f} to "
            f"{b['high90']:+.4f}): the model **{beats}** the base rate. Model minus ordered logit: {o['mean']:+.4f} "
            f"({o['low90']:+.4f} to {o['high90']:+.4f}): the model is **{vs}** the ordered logit.",
            "",
            "Calibration of each level (equal-count bins of the forecast probability against the observed frequency):",
            "",
            f"![reliability]({meta['figure']})",
            "",
            "**The other predicted codes** (out of fold):",
            "",
            f"- violence the primary technique (`crismg` = 8), Brier: model {extra['violent_cm_brier']['model']:.3f}, "
            f"training-fold base rate {extra['violent_cm_brier']['base_rate']:.3f};",
            f"- form of outcome (`forout`, six classes), log score: model {extra['forout_log_score']['model']:.3f}, "
            f"in-sample base rate {extra['forout_log_score']['base_rate_in_sample']:.3f};",
            f"- duration (`brexit`), mean absolute error: model {extra['duration_mae_days']['model']:.0f} days, the "
            f"training folds' median {extra['duration_mae_days']['training_median']:.0f} days (observed median "
            f"{extra['duration_days']['observed_median']:.0f} days; the model's median expectation "
            f"{extra['duration_days']['model_median_expected']:.0f}, capped by its 60-day horizon).",
            "",
            "**Stylized facts** (computed from the data; the model's and the ordered logit's mean out-of-fold "
            "probabilities beside them; violent = level 2 or more, war = level 4):",
            "",
            _md(facts, 2),
            "",
            f"Files: `{meta['out']}/` holds `cv_predictions.csv` (one row per crisis), `scores.json`, `facts.csv`, "
            "`grid_rps.csv` and the figure.",
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
) -> str:
    started = time.perf_counter()
    grid = simulate_grid(data, runs, seed, workers, progress)
    cv = cross_validate(data, grid, seed)
    scores, diffs = score_table(cv.table, seed)
    extra = secondary_scores(cv.table)
    facts = stylized_facts(data, cv.table)
    out.mkdir(parents=True, exist_ok=True)
    cv.table.to_csv(out / "cv_predictions.csv", index=False)
    facts.to_csv(out / "facts.csv", index=False)
    cv.grid_rps.to_csv(out / "grid_rps.csv", index=False)
    figure = out / "reliability.png"
    reliability_figure(cv.table, figure)
    parameters = {"grid": list(GRID), "folds": FOLDS, "runs": runs, "seed": seed}
    meta = {
        **provenance(),
        "out": str(out),
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
        "rps_differences": diffs,
        "secondary": extra,
        "thetas_by_fold": cv.thetas,
        "theta_all": cv.theta_all,
    }
    (out / "scores.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    if docs is not None and str(docs):
        rel = Path("..") / figure if not figure.is_absolute() else figure
        write_docs(docs, markdown(cv, scores, diffs, extra, facts, {**meta, "figure": str(rel)}))
    b = diffs["model_minus_base"]
    return (
        f"RPS model {scores.loc[0, 'rps']:.4f}, ordered logit {scores.loc[1, 'rps']:.4f}, base rate "
        f"{scores.loc[2, 'rps']:.4f}; model - base {b['mean']:+.4f} [90%: {b['low90']:+.4f}, {b['high90']:+.4f}]; "
        f"grievance_scale by fold {cv.thetas}, on all {cv.theta_all}; wrote {out}"
    )
