"""The forward check's outputs (forward_check.py): CSV tables pandas reads, a JSON summary, a figure, a Markdown
digest. What each column means is in docs/validation.md ("Forward runs against the records")."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..files import write_text
from ..provenance import provenance
from .forward_stats import RunStats, tables

DIGEST = [
    "case",
    "arm",
    "observed",
    "share_de-escalation",
    "share_protracted",
    "share_war",
    "rps",
    "force_per_30d",
    "record_force_per_30d",
    "ppp_force",
    "share_clustered",
    "record_clustered",
]


def totals(cases: pd.DataFrame, actors: pd.DataFrame) -> dict[str, Any]:
    """Per arm: mean RPS, mean force rate against the records', share of cases whose record lies outside the runs'
    central 90% of force rates, mean share of clustered runs; per arm and actor kind, the mean force rate."""
    out: dict[str, Any] = {}
    for arm, rows in cases.groupby("arm", sort=False):
        p = rows["ppp_force"]
        out[str(arm)] = {
            "cases": len(rows),
            "mean_rps": float(rows["rps"].mean()),
            "mean_force_per_30d": float(rows["force_per_30d"].mean()),
            "mean_record_force_per_30d": float(rows["record_force_per_30d"].mean()),
            "cases_record_below_runs_90": int((p > 0.95).sum()),
            "cases_record_above_runs_90": int((p < 0.05).sum()),
            "mean_share_clustered": float(rows["share_clustered"].mean()),
            "records_clustered": int(rows["record_clustered"].sum()),
            "by_kind": {
                str(kind): {
                    "actors": len(k),
                    "force_per_30d": float(k["force_per_30d"].mean()),
                    "record_force_per_30d": float(k["record_force_per_30d"].mean()),
                }
                for kind, k in actors[actors["arm"] == arm].groupby("kind")
            },
        }
    return out


def figure(cases: pd.DataFrame) -> Any:
    """Per case, force acts per 30 days (record and each arm, log scale) and the ranked probability score."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted(cases["case"].unique())
    y = {n: i for i, n in enumerate(names)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.35 * len(names) + 1.5), sharey=True)
    first = cases.drop_duplicates("case")
    left.scatter(first["record_force_per_30d"] + 0.1, first["case"].map(y), marker="|", s=200, c="k", label="record")
    arms = sorted(cases["arm"].unique(), key=lambda a: (a != "shipped", a))  # the shipped weights first
    for arm, marker in zip(arms, "oD^sv<>", strict=False):
        rows = cases[cases["arm"] == arm]
        left.scatter(rows["force_per_30d"] + 0.1, rows["case"].map(y), marker=marker, alpha=0.7, label=arm)
        right.scatter(rows["rps"], rows["case"].map(y), marker=marker, alpha=0.7, label=arm)
    left.set_xscale("log")
    left.set_xlabel("force acts per 30 days after the branch (+0.1)")
    right.set_xlabel("ranked probability score of the observed class (0 best)")
    left.set_yticks(range(len(names)), names)
    left.legend(loc="lower right", fontsize=7, framealpha=0.6)
    right.legend(loc="lower right", fontsize=8)
    fig.suptitle("Forward runs of the learned model against the records (train split)")
    fig.tight_layout()
    return fig


def markdown(cases: pd.DataFrame, summary: dict[str, Any]) -> str:
    rows = cases[DIGEST]
    lines = ["| " + " | ".join(DIGEST) + " |", "|" + "---|" * len(DIGEST)]
    for _, row in rows.iterrows():
        lines.append("| " + " | ".join(_cell(row[c]) for c in DIGEST) + " |")
    head = ", ".join(
        f"{arm}: mean RPS {t['mean_rps']:.3f}, force {t['mean_force_per_30d']:.2f}/30 d (records "
        f"{t['mean_record_force_per_30d']:.2f}), clustered {t['mean_share_clustered']:.0%}"
        for arm, t in summary["arms"].items()
    )
    return f"{head}\n\n" + "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3g}"
    return str(value)


def write(
    out: Path,
    records: dict[str, RunStats],
    found: dict[tuple[str, str], list[RunStats]],
    settings: dict[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """cases.csv, actors.csv, runs.csv, summary.json, forward.png and tables.md into `out`; returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    observed = {name: str(r.outcome) for name, r in records.items()}
    cases, actors, runs = tables(observed, records, found)
    for name, frame in (("cases", cases), ("actors", actors), ("runs", runs)):
        frame.to_csv(out / f"{name}.csv", index=False, float_format="%.6g", lineterminator="\n")
    summary = {
        **provenance(),
        "settings": settings,
        "seconds": seconds,
        "load_average": list(os.getloadavg()),
        "arms": totals(cases, actors),
    }
    write_text(out / "summary.json", json.dumps(summary, indent=2, default=float) + "\n")
    write_text(out / "tables.md", markdown(cases, summary))
    figure(cases).savefig(out / "forward.png", dpi=110)
    return summary
