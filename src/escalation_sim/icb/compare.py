"""Two cross-validations of the same crises compared crisis by crisis: is one decision model better than another?

Why a paired comparison: both runs score the same crises in the same folds, so the per-crisis differences of a
score, bootstrapped over crises, say whether one model's out-of-fold forecasts beat the other's beyond the luck of
which crises ICB holds. The rule that decides `--model`'s default (docs/icb.md, section 6) was written before
either run: quantal replaces doctrines only if its raw RPS is lower with the 90% interval of the difference below 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..evaluation.metrics import mean_interval
from .codebook import VIOLENCE_LEVELS
from .scores import brier, log_score, rps

SCORES = {"rps": rps, "log": log_score, "brier": brier}


def read_cv(folder: Path) -> pd.DataFrame:
    """A cross-validation's per-crisis table (`cv_predictions.csv`), indexed by crisno."""
    path = Path(folder) / "cv_predictions.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (expected the output folder of `escalation-sim icb validate`)")
    return pd.read_csv(path).set_index("crisno")


def compare(a: pd.DataFrame, b: pd.DataFrame, seed: int = 0) -> dict[str, Any]:
    """Mean scores of `a` and `b` (raw and recalibrated) on their common crises, and b - a with a bootstrap 90%
    interval (negative: b is better)."""
    common = a.index.intersection(b.index)
    if len(common) == 0:
        raise ValueError("the two cross-validations have no crisis in common")
    a, b = a.loc[common], b.loc[common]
    if not (a["y"] == b["y"]).all() or not (a["fold"] == b["fold"]).all():
        raise ValueError("the two cross-validations disagree on observed levels or folds: not the same crises")
    y = a["y"].to_numpy()
    out: dict[str, Any] = {"crises": len(common)}
    for row in ("model", "recal"):
        cols = [f"{row}_{lv}" for lv in VIOLENCE_LEVELS]
        for name, score in SCORES.items():
            sa, sb = score(a[cols].to_numpy(float), y), score(b[cols].to_numpy(float), y)
            low, high = mean_interval(sb - sa, 0.9, seed=seed)
            out[f"{row}_{name}"] = {
                "a": float(sa.mean()),
                "b": float(sb.mean()),
                "b_minus_a": float(np.mean(sb - sa)),
                "low90": low,
                "high90": high,
            }
    return out


def b_is_better(result: dict[str, Any]) -> bool:
    """The pre-stated rule: b's raw RPS lower than a's, with the 90% interval of b - a entirely below 0."""
    return result["model_rps"]["high90"] < 0
