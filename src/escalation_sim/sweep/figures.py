"""Figures of a sweep: outcome curves, heatmaps, fan charts of the rung over time, Sobol bars.

Analysis layer, like `sweep.analysis`: matplotlib Figures (no pyplot), which the CLI and notebooks save or show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..results.outcomes import OUTCOMES
from .analysis import wilson_interval

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .folder import SweepFolder


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
    """P(outcome) over two parameters, runs pooled over the other factors, each cell with its 95% Wilson
    interval (written under the share while the grid is small enough to read)."""
    ok = summary["runs"] - summary["failed"]
    cells = summary.assign(_k=(summary[f"p_{outcome}"].fillna(0) * ok).round(), _n=ok)
    pooled = cells.groupby([y, x])[["_k", "_n"]].sum()
    share = (pooled["_k"] / pooled["_n"].where(pooled["_n"] > 0)).unstack(x).sort_index()
    fig, ax = _axes((6.5, 5))
    image = ax.imshow(share.to_numpy(), origin="lower", aspect="auto", cmap="Reds", vmin=0, vmax=1)
    ax.set_xticks(range(len(share.columns)), [_tick(v) for v in share.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(share.index)), [_tick(v) for v in share.index])
    for (i, j), value in np.ndenumerate(share.to_numpy()):
        if np.isfinite(value) and share.size <= 100:
            k, n = pooled.loc[(share.index[i], share.columns[j])]
            low, high = wilson_interval(int(k), int(n))
            ax.text(
                j,
                i,
                f"{value:.2f}\n{low:.2f}-{high:.2f}",
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if value > 0.5 else "black",
            )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"P({outcome}), with its 95% Wilson interval in each cell")
    fig.colorbar(image, ax=ax, label=f"probability of {outcome}")
    return fig


def fan_chart(
    trajectories: pd.DataFrame,
    start_date: dt.date,
    window: int = 7,
    title: str = "",
    branch_date: dt.date | None = None,
) -> Figure:
    """Quantile bands over runs of the crisis rung (highest hostile rung of any actor, 0 when none,
    maximum over a trailing `window` days) by date; the branch point marked when given.

    Give it the runs of one point: runs of points or counterfactuals with different branch dates have
    different histories, and their quantiles mix them (`point_fan_charts` draws one chart per point)."""
    wide = trajectories.pivot(index="run_id", columns="day", values="rung").astype(float).fillna(0.0)
    rolled = wide.T.rolling(window, min_periods=1).max().T.to_numpy()
    days = wide.columns.to_numpy()
    dates = [start_date + dt.timedelta(days=int(d)) for d in days]
    fig, ax = _axes((8, 4))
    bands = [(0.05, 0.95, 0.15), (0.25, 0.75, 0.3)]
    for low, high, alpha in bands:
        label = f"{int(low * 100)}-{int(high * 100)}%"
        ax.fill_between(
            dates,
            np.quantile(rolled, low, axis=0),
            np.quantile(rolled, high, axis=0),
            color="tab:red",
            alpha=alpha,
            linewidth=0,
            label=label,
        )
    ax.plot(dates, np.quantile(rolled, 0.5, axis=0), color="tab:red", label="median")
    ax.plot(dates, rolled.mean(axis=0), color="black", lw=0.8, ls="--", label="mean")
    if branch_date is not None:
        ax.axvline(branch_date, color="grey", ls=":", lw=1, label=f"branch {branch_date}")
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
    ax.barh(
        y + 0.2, ordered["ST"], height=0.4, xerr=ordered["ST_conf"], color="tab:blue", label="total (ST)", capsize=3
    )
    ax.barh(
        y - 0.2,
        ordered["S1"],
        height=0.4,
        xerr=ordered["S1_conf"],
        color="tab:orange",
        label="first order (S1)",
        capsize=3,
    )
    ax.set_yticks(y, ordered["parameter"])
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("Sobol index (bars: 95% confidence interval)")
    ax.set_title(title or "Sensitivity")
    ax.legend(fontsize=8)
    return fig


def write_figures(folder: SweepFolder, summary: pd.DataFrame | None = None) -> list[Path]:
    """The standard figures of a sweep folder: outcome curves, a heatmap (2+ parameters), a fan chart per point."""
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
        figures.update(point_fan_charts(folder, names))
    from ..plots import save_figure

    return [save_figure(fig, folder.root / name, dpi=110) for name, fig in figures.items()]


def point_fan_charts(folder: SweepFolder, names: Sequence[str] = ()) -> dict[str, Figure]:
    """One fan chart per design point (`fan_charts/point_<N>.png`): a point's runs share their scenario and
    branch date, so its bands never mix histories that differ."""
    trajectories = folder.trajectories(columns=["run_id", "day", "rung"])
    if not len(trajectories):
        return {}
    columns = ["run_id", "point", "counterfactual", "branch_date", *[n for n in names if n != "branch_date"]]
    runs = folder.results[columns].set_index("run_id")
    point_of = trajectories["run_id"].map(runs["point"])
    figures = {}
    for point, group in trajectories.groupby(point_of, sort=True):
        first = runs[runs["point"] == point].iloc[0]
        branches = runs.loc[runs["point"] == point, "branch_date"].dropna().unique()
        branch = dt.date.fromisoformat(branches[0]) if len(branches) == 1 else None
        values = ", ".join(f"{n}={_tick(first[n])}" for n in columns[4:])
        title = (
            f"{folder.manifest['sweep']} point {int(point)} ({first['counterfactual']}{'; ' if values else ''}"
            f"{values}): rung over time, {group['run_id'].nunique()} runs"
        )
        figures[f"fan_charts/point_{int(point):04d}.png"] = fan_chart(
            group, folder.start_date, title=title, branch_date=branch
        )
    return figures


def _as_axis(values: np.ndarray) -> np.ndarray:
    try:
        return np.array([dt.date.fromisoformat(v) for v in values]) if values.dtype == object else values
    except (TypeError, ValueError):  # text values: categories, shown as written (never mathtext)
        return np.array([_tick(v) if isinstance(v, str) else v for v in values], dtype=object)


def _tick(value: Any) -> str:
    from ..plots import mpl_text  # swept text values are shown as written, never as mathtext

    return f"{value:.3g}" if isinstance(value, float) else mpl_text(value)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)
