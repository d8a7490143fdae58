"""Sweep analysis: per-point outcome probabilities with Wilson intervals, quantiles, figures, Sobol indices.

Analysis layer: reads the tables the sweep runner writes (`escalation_sim.sweep.open_sweep`) and never runs
the model. Figures are matplotlib Figures; the CLI saves them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from .outcomes import OUTCOMES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .sweep import SweepFolder

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SOBOL_OUTPUTS = {
    "war": "probability of war",
    "de-escalation": "probability of de-escalation",
    "protracted": "probability of protracted conflict",
    "casualties": "mean deaths in hostile acts",
    "days_to_calm": "mean days to calm (never calm: days left after the branch)",
    "max_rung": "mean highest rung after the branch",
}


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (scipy), NaN for no trials."""
    if trials == 0:
        return (float("nan"), float("nan"))
    ci = binomtest(int(successes), int(trials)).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


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
        for column, label in (("hostile_deaths", "deaths"), ("days_to_calm", "days_to_calm"), ("max_rung", "max_rung")):
            values = ok[column].dropna().astype(float)
            row[f"{label}_mean"] = float(values.mean()) if len(values) else float("nan")
            for q in QUANTILES:
                row[f"{label}_q{int(q * 100):02d}"] = float(values.quantile(q)) if len(values) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def write_summary(folder: SweepFolder, out: Path | None = None) -> Path:
    """Write summary.csv for a sweep folder (one row per point) and return its path."""
    summary = summarize(folder.results, [p.get("name") or p["path"] for p in folder.manifest["parameters"]])
    path = out or folder.root / "summary.csv"
    summary.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return path


# --- figures ---------------------------------------------------------------------------------------------------------


def _axes(figsize: tuple[float, float]) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def outcome_curve(summary: pd.DataFrame, parameter: str, outcomes: Sequence[str] = OUTCOMES) -> Figure:
    """Probability of each outcome against one parameter with its 95% Wilson band: runs pooled over the
    other parameters, one line style per counterfactual."""
    fig, ax = _axes((7, 4))
    colours = {"de-escalation": "tab:green", "protracted": "tab:orange", "war": "tab:red"}
    styles = ["-", "--", ":", "-."]
    several = summary["counterfactual"].nunique() > 1
    for i, (cf, group) in enumerate(summary.groupby("counterfactual", sort=True)):
        ok = group["runs"] - group["failed"]
        for outcome in outcomes:
            counts = (group[f"p_{outcome}"].fillna(0) * ok).round().groupby(group[parameter]).sum()
            trials = ok.groupby(group[parameter]).sum()
            x = _as_axis(np.asarray(trials.index))
            bands = [wilson_interval(int(k), int(n)) for k, n in zip(counts, trials, strict=True)]
            mean = (counts / trials.where(trials > 0)).to_numpy()
            colour = colours.get(outcome)
            label = f"{outcome} ({cf})" if several else outcome
            ax.plot(x, mean, styles[i % len(styles)], marker="o", ms=3, color=colour, label=label)
            ax.fill_between(x, [b[0] for b in bands], [b[1] for b in bands], color=colour, alpha=0.12, linewidth=0)
    ax.set_xlabel(parameter)
    ax.set_ylabel("probability (95% Wilson interval)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title(f"Outcome probability against {parameter} (pooled over other parameters)")
    return fig


def heatmap(summary: pd.DataFrame, x: str, y: str, outcome: str = "war") -> Figure:
    """P(outcome) over two parameters (per-point probabilities averaged over the other factors)."""
    table = summary.pivot_table(index=y, columns=x, values=f"p_{outcome}", aggfunc="mean").sort_index()
    fig, ax = _axes((6.5, 5))
    image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="Reds", vmin=0, vmax=1)
    ax.set_xticks(range(len(table.columns)), [_tick(v) for v in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(table.index)), [_tick(v) for v in table.index])
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        if np.isfinite(value) and table.size <= 400:
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.5 else "black")  # fmt: skip
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"P({outcome})")
    fig.colorbar(image, ax=ax, label=f"probability of {outcome}")
    return fig


def fan_chart(trajectories: pd.DataFrame, start_date: dt.date, window: int = 7, title: str = "") -> Figure:
    """Quantile bands over runs of the crisis rung (highest hostile rung of any actor, 0 when none,
    maximum over a trailing `window` days) by date."""
    wide = trajectories.pivot(index="run_id", columns="day", values="rung").astype(float).fillna(0.0)
    rolled = wide.T.rolling(window, min_periods=1).max().T.to_numpy()
    days = wide.columns.to_numpy()
    dates = [start_date + dt.timedelta(days=int(d)) for d in days]
    fig, ax = _axes((8, 4))
    bands = [(0.05, 0.95, 0.15), (0.25, 0.75, 0.3)]
    for low, high, alpha in bands:
        label = f"{int(low * 100)}-{int(high * 100)}%"
        ax.fill_between(dates, np.quantile(rolled, low, axis=0), np.quantile(rolled, high, axis=0),
                        color="tab:red", alpha=alpha, linewidth=0, label=label)  # fmt: skip
    ax.plot(dates, np.quantile(rolled, 0.5, axis=0), color="tab:red", label="median")
    ax.plot(dates, rolled.mean(axis=0), color="black", lw=0.8, ls="--", label="mean")
    ax.set_ylabel(f"highest rung, last {window} days")
    ax.set_title(title or f"Rung over time ({len(wide)} runs)")
    ax.legend(fontsize=8, loc="upper right")
    fig.autofmt_xdate()
    return fig


def sobol_figure(indices: pd.DataFrame, title: str = "") -> Figure:
    """Horizontal bars of first-order and total Sobol indices with their confidence intervals."""
    ordered = indices.sort_values("ST", ascending=True)
    fig, ax = _axes((7, 0.6 * len(ordered) + 1.5))
    y = np.arange(len(ordered))
    ax.barh(y + 0.2, ordered["ST"], height=0.4, xerr=ordered["ST_conf"], color="tab:blue", label="total (ST)",
            capsize=3)  # fmt: skip
    ax.barh(y - 0.2, ordered["S1"], height=0.4, xerr=ordered["S1_conf"], color="tab:orange",
            label="first order (S1)", capsize=3)  # fmt: skip
    ax.set_yticks(y, ordered["parameter"])
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("Sobol index (bars: 95% confidence interval)")
    ax.set_title(title or "Sensitivity")
    ax.legend(fontsize=8)
    return fig


def write_figures(folder: SweepFolder, summary: pd.DataFrame | None = None) -> list[Path]:
    """The standard figures of a sweep folder: outcome curves, a heatmap (2+ parameters), a fan chart."""
    if summary is None:
        summary = pd.read_csv(folder.root / "summary.csv")
    names = [p.get("name") or p["path"] for p in folder.manifest["parameters"]]
    figures: dict[str, Figure] = {}
    for name in names:
        if summary[name].nunique() > 1:
            figures[f"outcome_vs_{_slug(name)}.png"] = outcome_curve(summary, name)
    varied = [n for n in names if summary[n].nunique() > 1]
    if len(varied) >= 2:
        x, y = varied[0], varied[1]
        for cf, group in summary.groupby("counterfactual", sort=True):
            figure = heatmap(group, x, y)
            figure.axes[0].set_title(f"P(war), {cf}")
            figures[f"heatmap_war_{_slug(x)}_{_slug(y)}_{_slug(str(cf))}.png"] = figure
    if folder.has_trajectories:
        trajectories = folder.trajectories(columns=["run_id", "day", "rung"])
        if len(trajectories):
            figures["fan_chart.png"] = fan_chart(trajectories, folder.start_date,
                                                 title=f"{folder.manifest['sweep']}: rung over time")  # fmt: skip
    written = []
    for name, fig in figures.items():
        path = folder.root / name
        fig.savefig(path, dpi=110)
        written.append(path)
    return written


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
    results: pd.DataFrame, problem: dict[str, Any], points: int, output: str = "war", second_order: bool = False,
    seed: int = 0, confidence: float = 0.95, days_after_branch: pd.Series | None = None,
) -> pd.DataFrame:  # fmt: skip
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
    analysis = sobol.analyze(problem, y.to_numpy(), calc_second_order=second_order, conf_level=confidence,
                             seed=seed, print_to_console=False)  # fmt: skip
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": analysis["S1"],
            "S1_conf": analysis["S1_conf"],
            "ST": analysis["ST"],
            "ST_conf": analysis["ST_conf"],
        }
    ).assign(output=output)


def _as_axis(values: np.ndarray) -> np.ndarray:
    try:
        return np.array([dt.date.fromisoformat(v) for v in values]) if values.dtype == object else values
    except (TypeError, ValueError):
        return values


def _tick(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)
