"""The evaluation's tables in Markdown (tables.md in the output folder, pasted into docs/validation.md)."""

from __future__ import annotations

from typing import Any

import pandas as pd

SCORE_COLUMNS = {
    "uniform": "uniform",
    "climatology": "climatology (train)",
    "base_rate": "base rate (in-sample)",
    "markov1": "Markov-1 (in-sample)",
    "prequential_base_rate": "preq. base rate",
    "prequential_markov1": "preq. Markov-1",
    "hawkes": "Hawkes (preq.)",
}
RPS = {"rps_model": "RPS, model", "rps_uniform": "RPS, uniform", "rps_climatology": "RPS, train climatology"}


GAINS = {"uniform": "RPS gain over uniform (90% CI)", "climatology": "RPS gain over train climatology (90% CI)"}


def _gain(r: dict[str, Any], other: str) -> str:
    """The mean gain in RPS of the model over a baseline, with its bootstrap interval over the cases."""
    low, high = r[f"rps_gain_{other}_low"], r[f"rps_gain_{other}_high"]
    interval = "" if low != low else f" ({low:+.3f} to {high:+.3f})"  # NaN: fewer than two cases
    return f"{r[f'rps_gain_{other}']:+.3f}{interval}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _horizon(r: dict[str, Any]) -> str:
    """Largest move of any class share with the horizon moved 4 weeks either way; flagged at 5 points."""
    move = r.get("horizon_max_move")
    if move is None or move != move:  # not measured (NaN)
        return "-"
    return f"{100 * move:.1f} pts" + (" **horizon-sensitive**" if r.get("horizon_sensitive") else "")


def markdown(
    outcomes: pd.DataFrame,
    scores: pd.DataFrame,
    summary: pd.DataFrame,
    loo: pd.DataFrame | None,
    report: dict[str, Any],
) -> str:
    lines = [
        "| case | split | observed | de-escalation | protracted | war | modal | horizon +-4 weeks | "
        "history's key first act | model's share of it | model's commonest first act |",
        "|" + "---|" * 11,
    ]
    order = outcomes.sort_values(["split", "case"], ascending=[False, True])
    for r in order.to_dict(orient="records"):
        cells = [
            f"{_pct(r[f'share_{k}'])} ({_pct(r[f'low_{k}'])}-{_pct(r[f'high_{k}'])})"
            for k in ("de-escalation", "protracted", "war")
        ]
        modal = r["modal"] if r["modal_right"] or r["modal"] == "unclear" else f"**{r['modal']}** (wrong)"
        lines.append(
            f"| {r['case']} | {r['split']} | {r['observed']} | " + " | ".join(cells) + f" | {modal} | "
            f"{_horizon(r)} | "
            f"{r['key_actor']}: {r['history_first']} ({r['history_event']}) | "
            f"{_pct(r['model_share_of_history_first'])} | {r['model_first_modal']} "
            f"({_pct(r['model_first_modal_share'])}) |"
        )
    names = [c for c in SCORE_COLUMNS if c in scores]
    lines += [
        "",
        "| case | split | model | timing | choice | "
        + " | ".join(SCORE_COLUMNS[c] for c in names)
        + " | the model loses to | least likely parts (nats) |",
        "|" + "---|" * (7 + len(names)),
    ]
    for r in scores.set_index("case").loc[order["case"]].reset_index().to_dict(orient="records"):
        lines.append(
            f"| {r['case']} | {r['split']} | {r['model']:.1f} | {r['timing']:.1f} | {r['choice']:.1f} | "
            + "".join(f"{r[c]:.1f} | " for c in names)
            + f"{r['model_loses_to']} | "
            f"{r['least_likely']} |"
        )
    rps = [c for c in RPS if c in summary]
    gains = [g for g in GAINS if f"rps_gain_{g}" in summary]
    lines += [
        "",
        "| cases | n | Brier, model | Brier, always de-escalation | log score, model | "
        "log score, always de-escalation | "
        + "".join(f"{RPS[c]} | " for c in rps)
        + "".join(f"{GAINS[g]} | " for g in gains)
        + "modal class right (of cases counted: clear, not horizon-sensitive) |",
        "|" + "---|" * (7 + len(rps) + len(gains)),
    ]
    for r in summary.to_dict(orient="records"):
        lines.append(
            f"| {r['cases']} | {r['n']} | {r['brier_model']:.3f} | {r['brier_always_de']:.3f} | "
            f"{r['log_model']:.2f} | {r['log_always_de']:.2f} | "
            + "".join(f"{r[c]:.3f} | " for c in rps)
            + "".join(f"{_gain(r, g)} | " for g in gains)
            + f"{r['modal_right']} of {r['modal_counted']} |"
        )
    if loo is not None:
        info = report["loo"]
        lines += [
            "",
            f"PSIS-LOO over {info['draws']} draws ({info['distinct_draws']} distinct): elpd_loo "
            f"{info['elpd_loo']:.1f} (s.e. {info['se']:.1f}), p_loo {info['p_loo']:.1f}; Pareto k above "
            f"{info['good_k']:.2f} (arviz's threshold for this many draws) in {info['pareto_k_over_good']} of "
            f"{len(loo)} cases, above 0.7 in {info['pareto_k_over_0_7']}, undefined (NaN: arviz could not "
            f"fit the tail of tied draws) in {info['pareto_k_undefined']}.",
            "",
            "| case | split | observed | elpd_loo | Pareto k | mean log-lik over draws | s.d. |",
            "|" + "---|" * 7,
        ]
        for r in loo.to_dict(orient="records"):
            lines.append(
                f"| {r['case']} | {r['split']} | {r['observed']} | {r['elpd_loo']:.1f} | "
                f"{r['pareto_k']:.2f} | {r['mean_loglik']:.1f} | {r['sd_loglik']:.1f} |"
            )
    return "\n".join(lines) + "\n"
