"""The evaluation's tables in Markdown (tables.md in the output folder, for docs/validation.md)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..results.outcomes import OUTCOMES
from .tremble import SCALES, label

RECORD = {
    "model": "fitted quantal (surrogate)",
    "handset": "hand-set (filter)",
    "uniform": "uniform",
    "climatology": "climatology (train)",
    "prequential_base_rate": "preq. base rate",
    "prequential_markov1": "preq. Markov-1",
    "hawkes": "Hawkes (preq.)",
}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _shares(r: dict[str, Any], suffix: str) -> str:
    return " / ".join(_pct(r[f"share_{k}{suffix}"]) for k in OUTCOMES)


def _horizon(r: dict[str, Any], suffix: str) -> str:
    move = r.get(f"horizon_max_move{suffix}")
    if move is None or move != move:
        return "-"
    return f"{100 * move:.1f} pts" + (" **sensitive**" if r.get(f"horizon_sensitive{suffix}") else "")


def _modal(r: dict[str, Any], suffix: str) -> str:
    modal = r[f"modal{suffix}"]
    return modal if r[f"modal_right{suffix}"] or modal == "unclear" else f"**{modal}** (wrong)"


def _ci(g: dict[str, float]) -> str:
    if g["low"] != g["low"]:
        return f"{g['mean']:+.3f}"
    return f"{g['mean']:+.3f} ({g['low']:+.3f} to {g['high']:+.3f})"


def tremble_section(outcomes: pd.DataFrame) -> list[str]:
    """Per case and model, the largest move of a class share at each tremble scale (evaluation/tremble.py); none
    for an output without tremble runs (the freeze of 14e792f)."""
    if "tremble_max_move" not in outcomes:
        return []
    labels = [label(s) for s in SCALES]
    lines = [
        "",
        "Tremble sensitivity: the largest move of a class share with every actor's tremble at 0, 1 and 2 "
        "times its value (evaluation/tremble.py), paired with each case's first runs (the horizon's seeds); "
        "sensitive at 5 points or more, **yes** where the move is also beyond 1.96 standard errors of the "
        "paired shift:",
        "",
        "| case | split | model | " + " | ".join(f"x{s:g}" for s in SCALES) + " | tremble-sensitive |",
        "|" + "---|" * (4 + len(labels)),
    ]
    for r in outcomes.to_dict(orient="records"):
        for suffix, who in (("", "quantal"), ("_handset", "hand-set")):
            cells = " | ".join(f"{100 * r[f'move_{c}{suffix}']:.1f} pts" for c in labels)
            flag = "no"
            if r[f"tremble_sensitive{suffix}"]:
                flag = "**yes**" if r.get(f"tremble_beyond_noise{suffix}") else "yes (within noise)"
            lines.append(f"| {r['case']} | {r['split']} | {who} | {cells} | {flag} |")
    return lines


def markdown(outcomes: pd.DataFrame, scores: pd.DataFrame, report: dict[str, Any]) -> str:
    classes = " / ".join(OUTCOMES)
    lines = [
        f"Frozen protocol {report['frozen']['sha256'][:12]} ({report['stage']}); {report['settings']['runs']} runs "
        f"per case and model; horizon moved +-{report['settings']['horizon_shift_days']} days over "
        f"{report['settings']['horizon_runs']} paired runs.",
        "",
        f"| case | split | observed | quantal: {classes} | modal | horizon | hand-set: {classes} | modal | horizon "
        "| RPS quantal | RPS hand-set | RPS uniform | RPS climatology |",
        "|" + "---|" * 13,
    ]
    for r in outcomes.to_dict(orient="records"):
        lines.append(
            f"| {r['case']} | {r['split']} | {r['observed']} | {_shares(r, '')} | {_modal(r, '')} | "
            f"{_horizon(r, '')} | {_shares(r, '_handset')} | {_modal(r, '_handset')} | {_horizon(r, '_handset')} | "
            f"{r['rps_model']:.3f} | {r['rps_handset']:.3f} | {r['rps_uniform']:.3f} | {r['rps_climatology']:.3f} |"
        )
    names = [c for c in RECORD if c in scores]
    lines += [
        "",
        "Record log-likelihood (nats; higher is better), each baseline per channel:",
        "",
        "| case | split | " + " | ".join(RECORD[c] for c in names) + " | quantal loses to |",
        "|" + "---|" * (3 + len(names)),
    ]
    for r in scores.to_dict(orient="records"):
        cells = " | ".join("-" if isinstance(r[c], float) and math.isnan(r[c]) else f"{r[c]:.1f}" for c in names)
        lines.append(f"| {r['case']} | {r['split']} | {cells} | {r.get('model_loses_to') or '-'} |")
    for split, g in report["summary"].items():
        if split == "decision":
            continue
        lines += [
            "",
            f"**{g['cases']}**, {g['n']} cases. Mean RPS: quantal {g['mean_rps_model']:.3f}, hand-set "
            f"{g['mean_rps_handset']:.3f}, uniform {g['mean_rps_uniform']:.3f}, train climatology "
            f"{g['mean_rps_climatology']:.3f}. Gains of the quantal model (positive: better; mean and 90% bootstrap "
            "interval over cases):",
            "",
            "| over | RPS | log score |",
            "|---|---|---|",
        ]
        for other in ("uniform", "climatology", "handset"):
            lines.append(f"| {other} | {_ci(g[f'rps_gain_over_{other}'])} | {_ci(g[f'log_gain_over_{other}'])} |")
        lines += [
            "",
            f"Hand-set RPS gain over uniform {_ci(g['handset_rps_gain_over_uniform'])}, over climatology "
            f"{_ci(g['handset_rps_gain_over_climatology'])}. Modal class right (counted: clear, neither horizon- "
            f"nor tremble-sensitive): quantal {g['modal_right_model']} of {g['modal_counted_model']}, hand-set "
            f"{g['modal_right_handset']} of {g['modal_counted_handset']}; horizon-sensitive: quantal "
            f"{g['horizon_sensitive_model']}, hand-set {g['horizon_sensitive_handset']}; tremble-sensitive: "
            f"quantal {g.get('tremble_sensitive_model', '-')}, hand-set {g.get('tremble_sensitive_handset', '-')}.",
            "",
            "Record: cases where the model's log-likelihood beats each baseline (of cases scored): "
            + "; ".join(
                f"{who} beats {b} in {g[f'record_{who}_beats_{b}']} of {g[f'record_{who}_scored']}"
                for who in ("model", "handset")
                for b in ("prequential_base_rate", "prequential_markov1", "hawkes", "climatology")
            )
            + ".",
        ]
    lines += tremble_section(outcomes)
    d = report["summary"]["decision"]
    lines += ["", "Decision (pre-registered): " + (f"shipped: **{d['shipped']}**" if d["applied"] else d["why"])]
    return "\n".join(lines) + "\n"
