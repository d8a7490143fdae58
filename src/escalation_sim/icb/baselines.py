"""The two baselines of the cross-validation: the base rate and an ordered logit on the mapping's covariates.

Why these: the base rate is what a forecaster knows without looking at the crisis; the ordered logit (statsmodels
`OrderedModel`, McCullagh 1980) sees the same coded attributes the mapping reads, combined linearly. The model
should beat the first; the aim is to match or beat the second. Both are fitted on the training folds only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .codebook import VIOLENCE_LEVELS
from .data import IcbData
from .mapping import _code, _pick_sides

COVARIATES = (
    "trigger_violent",
    "trigger_indirect",
    "trigger_military",
    "trigger_economic",
    "gravity",
    "protracted",
    "extra_actors",
    "great_powers",
    "defender_power",
    "challenger_power",
    "nuclear_rival",
    "military_regime",
    "democracy",
    "pre_1946",
)


def covariates(data: IcbData) -> pd.DataFrame:
    """One row per crisis (index crisno): the attributes the mapping uses, as numbers."""
    rows = {}
    for _, crisis in data.crises.iterrows():
        crisno = int(crisis["crisno"])
        defender, challenger, _ = _pick_sides(data, crisno)
        trigger = _code(crisis, "break") or 0
        gravity = _code(defender, "gravty")
        gravity = _code(crisis, "gravcr") if gravity is None else gravity
        side = [r for r in (defender, challenger) if r is not None]
        rows[crisno] = {
            "trigger_violent": trigger == 9,
            "trigger_indirect": trigger == 8,
            "trigger_military": trigger == 7,
            "trigger_economic": trigger == 3,
            "gravity": 0.5 if gravity in (None, 7) else gravity / 6,
            "protracted": (_code(crisis, "protrac") or 1) >= 2,
            "extra_actors": max(0, min(3, (_code(crisis, "noactr") or 2) - 2)),
            "great_powers": (_code(crisis, "gpinv") or 1) > 1,
            "defender_power": _code(defender, "powsta") or 2,
            "challenger_power": (_code(challenger, "powsta") or 2) if challenger is not None else 2,
            "nuclear_rival": any((_code(r, "nuclear") or 1) >= 3 for r in side),
            "military_regime": any(_code(r, "regime") in (3, 4, 5) for r in side),
            "democracy": _code(defender, "regime") == 1,
            "pre_1946": (_code(crisis, "yrtrig") or 2000) < 1946,
        }
    return pd.DataFrame.from_dict(rows, orient="index")[list(COVARIATES)].astype(float)


def base_rate(y_train: np.ndarray, n_test: int) -> np.ndarray:
    """The training folds' level frequencies, for every test crisis."""
    counts = np.array([(np.asarray(y_train) == lv).sum() for lv in VIOLENCE_LEVELS], dtype=float)
    return np.tile(counts / counts.sum(), (n_test, 1))


def ordered_logit(x_train: pd.DataFrame, y_train: np.ndarray, x_test: pd.DataFrame) -> np.ndarray:
    """P(level 1..4) for the test crises from an ordered logit fitted on the training crises.

    Constant columns of the training set are dropped (OrderedModel has no intercept and cannot fit them)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    keep = [c for c in x_train.columns if x_train[c].nunique() > 1]
    endog = pd.Series(pd.Categorical(y_train, categories=list(VIOLENCE_LEVELS), ordered=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = OrderedModel(endog, x_train[keep].reset_index(drop=True), distr="logit").fit(
            method="bfgs", disp=False, maxiter=2000
        )
        return np.asarray(fitted.predict(x_test[keep].reset_index(drop=True)))
