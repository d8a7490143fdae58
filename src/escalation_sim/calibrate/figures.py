"""The calibration figure: each parameter's trace over steps (every walker) and its marginal posterior."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .diagnostics import posterior


def calibration_figure(chain: pd.DataFrame, names: list[str], truth: dict[str, float] | None = None) -> Figure:
    """Trace (left) and posterior histogram after burn-in with its 90% interval (right), one row a parameter."""
    fig, axes = plt.subplots(len(names), 2, figsize=(10, 2.6 * len(names)), squeeze=False)
    post = posterior(chain)
    for row, name in zip(axes, names, strict=True):
        for _, walker in chain.groupby("walker"):
            row[0].plot(walker["step"], walker[name], linewidth=0.6, alpha=0.6)
        row[0].axvline(int(chain["step"].max() + 1) // 2, color="grey", linestyle=":", label="burn-in ends")
        shown = name.replace("$", r"\$")  # a path holding an actor id with `$` is text, never mathtext
        row[0].set_ylabel(shown, fontsize=8)
        row[0].set_xlabel("step")
        row[1].hist(post[name], bins=30, color="steelblue", alpha=0.8)
        for q in (0.05, 0.95):
            row[1].axvline(post[name].quantile(q), color="black", linestyle="--", linewidth=0.8)
        if truth and name in truth:
            row[1].axvline(truth[name], color="red", label="truth")
            row[1].legend(fontsize=7)
        row[1].set_xlabel(f"{shown} (posterior, 90% interval dashed)", fontsize=8)
    fig.tight_layout()
    return fig


def emulator_figure(sbc: pd.DataFrame, posterior_draws: pd.DataFrame, result: dict, names: list[str]) -> Figure:
    """One row a parameter: SBC rank histogram (left; the band is the central 99% of a bin's count under
    uniform ranks) and the emulator posterior given the observed outcomes over the prior box (right)."""
    from scipy import stats

    draws, bins = result["settings"]["draws"], result["settings"]["bins"]
    reps = len(sbc)
    fig, axes = plt.subplots(len(names), 2, figsize=(10, 2.6 * len(names)), squeeze=False)
    low, high = stats.binom.ppf([0.005, 0.995], reps, 1 / bins)
    for row, name in zip(axes, names, strict=True):
        shown = name.replace("$", r"\$")
        test = result["sbc"][name]
        row[0].axhspan(low, high, color="grey", alpha=0.25, label="99% band, uniform", zorder=0)
        row[0].bar(range(bins), test["counts"], width=0.9, color="steelblue", zorder=2)
        row[0].axhline(reps / bins, color="black", linewidth=0.8)
        row[0].set_xlabel(f"rank of the truth among {draws} draws (in {bins} bins)", fontsize=8)
        row[0].set_title(f"{shown}: SBC, {reps} replications, chi-square p = {test['p_value']:.3f}", fontsize=8)
        row[0].legend(fontsize=7)
        prior = result["prior"][name]
        row[1].hist(posterior_draws[name], bins=30, range=(prior["low"], prior["high"]), color="darkorange")
        post = result["posterior"][name]
        for q in ("low", "high"):
            row[1].axvline(post[q], color="black", linestyle="--", linewidth=0.8)
        row[1].set_xlabel(f"{shown}: posterior given the observed classes (90% dashed)", fontsize=8)
    fig.tight_layout()
    return fig
