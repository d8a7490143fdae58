"""Means over cases with bootstrap intervals, the modal-class count, the record wins, and the pre-registered
decision (evaluation/freeze.py DECISION_RULE), computed from the per-case tables.

Differences are oriented so that positive favours the fitted quantal model: a baseline's RPS minus the model's,
the model's log score minus the baseline's, the hand-set model's RPS minus the quantal model's.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from . import metrics
from .protocol import UNCLEAR

RECORD_BASELINES = ("uniform", "climatology", "prequential_base_rate", "prequential_markov1", "hawkes")


def _interval(values: pd.Series) -> dict[str, float]:
    low, high = metrics.mean_interval(values.dropna().to_list())
    return {"mean": float(values.mean()), "low": low, "high": high}


def _flag(outcomes: pd.DataFrame, column: str) -> pd.Series:
    """A sensitivity flag; all False where an older output (the freeze of 14e792f) has no such column."""
    if column not in outcomes:
        return pd.Series(False, index=outcomes.index)
    return outcomes[column].astype(bool)


def group_summary(outcomes: pd.DataFrame, scores: pd.DataFrame, name: str) -> dict[str, Any]:
    """One group of cases (the test split, or the train split in sample)."""
    out: dict[str, Any] = {"cases": name, "n": len(outcomes)}
    for col in (
        "rps_model",
        "rps_handset",
        "rps_uniform",
        "rps_climatology",
        "log_model",
        "log_handset",
        "log_uniform",
        "log_climatology",
        "brier_model",
        "brier_handset",
    ):
        out[f"mean_{col}"] = float(outcomes[col].mean()) if len(outcomes) else math.nan
    gains = {
        "rps_gain_over_uniform": outcomes["rps_uniform"] - outcomes["rps_model"],
        "rps_gain_over_climatology": outcomes["rps_climatology"] - outcomes["rps_model"],
        "rps_gain_over_handset": outcomes["rps_handset"] - outcomes["rps_model"],
        "handset_rps_gain_over_uniform": outcomes["rps_uniform"] - outcomes["rps_handset"],
        "handset_rps_gain_over_climatology": outcomes["rps_climatology"] - outcomes["rps_handset"],
        "log_gain_over_uniform": outcomes["log_model"] - outcomes["log_uniform"],
        "log_gain_over_climatology": outcomes["log_model"] - outcomes["log_climatology"],
        "log_gain_over_handset": outcomes["log_model"] - outcomes["log_handset"],
    }
    for key, values in gains.items():
        out[key] = _interval(values)
    for suffix, who in (("", "model"), ("_handset", "handset")):
        horizon = outcomes[f"horizon_sensitive{suffix}"].astype(bool)
        tremble = _flag(outcomes, f"tremble_sensitive{suffix}")
        counted = (outcomes[f"modal{suffix}"] != UNCLEAR) & ~horizon & ~tremble
        out[f"modal_counted_{who}"] = int(counted.sum())
        out[f"modal_right_{who}"] = int((outcomes[f"modal_right{suffix}"].astype(bool) & counted).sum())
        out[f"horizon_sensitive_{who}"] = int(horizon.sum())
        out[f"tremble_sensitive_{who}"] = int(tremble.sum())
    for who in ("model", "handset"):
        scored = scores[who].notna()
        out[f"record_{who}_total"] = float(scores.loc[scored, who].sum())
        out[f"record_{who}_scored"] = int(scored.sum())
        for b in RECORD_BASELINES:
            out[f"record_{who}_beats_{b}"] = int((scores.loc[scored, who] > scores.loc[scored, b]).sum())
    for b in RECORD_BASELINES:
        out[f"record_{b}_total"] = float(scores[b].sum())
    return out


def decision(test: dict[str, Any] | None) -> dict[str, Any]:
    """The pre-registered rule applied to the test split's summary (None before the frozen stage)."""
    if test is None or not test["n"]:
        return {"applied": False, "why": "no test output yet (train stage): the rule is applied by --frozen"}
    quantal, handset = test["mean_rps_model"], test["mean_rps_handset"]
    gain = test["rps_gain_over_handset"]
    return {
        "applied": True,
        "mean_rps_quantal": quantal,
        "mean_rps_handset": handset,
        "difference_handset_minus_quantal": gain,
        "shipped": "quantal" if quantal < handset else "hand-set",
    }


def summarise(outcomes: pd.DataFrame, scores: pd.DataFrame) -> dict[str, Any]:
    """Summaries of the test split (if measured) and of the train split (in sample), and the decision."""
    out: dict[str, Any] = {}
    for split, label in (("test", "test (out of sample)"), ("train", "train (in sample)")):
        mask = outcomes["split"] == split
        if mask.any():
            names = set(outcomes.loc[mask, "case"])
            out[split] = group_summary(outcomes[mask], scores[scores["case"].isin(names)], label)
    out["decision"] = decision(out.get("test"))
    return out
