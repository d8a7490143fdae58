"""Recalibration of the simulated violence distribution, fitted on training crises only (EMOS/Platt-style).

Why: the raw model's level probabilities can order crises well and still be miscalibrated (too sure of peace,
say). Ensemble model output statistics (Gneiting et al. 2005) and Platt scaling (Platt 1999) fit a small
statistical map from a simulator's output to observed frequencies on past cases. Here the map is an ordered logit
(statsmodels `OrderedModel`) of the observed level on the model's own three cumulative logits,
logit P(level > k) for k = 1, 2, 3: six numbers (three slopes, three thresholds), and nothing from the crisis
but what the simulation said, so it corrects the model's calibration without becoming a second statistical model
of the covariates (that is the ordered logit baseline's job). It is reported beside the raw model, never instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .codebook import VIOLENCE_LEVELS

FEATURES = ("z_above_1", "z_above_2", "z_above_3")
EDGE = 1e-4  # probabilities are clipped to [EDGE, 1 - EDGE] before the logit (they carry a pseudo-count already)


def features(p: np.ndarray) -> pd.DataFrame:
    """The model's cumulative logits, logit P(level > k), one column per threshold k = 1, 2, 3."""
    p = np.asarray(p, dtype=float)
    above = np.clip(1.0 - np.cumsum(p, axis=1)[:, :-1], EDGE, 1.0 - EDGE)
    return pd.DataFrame(np.log(above / (1.0 - above)), columns=list(FEATURES))


def recalibrate(p_train: np.ndarray, y_train: np.ndarray, p_test: np.ndarray) -> np.ndarray:
    """P(level 1..4) for the test crises: an ordered logit of the training crises' levels on their model
    probabilities' cumulative logits, applied to the test crises' model probabilities."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    x_train, x_test = features(p_train), features(p_test)
    keep = [c for c in x_train.columns if x_train[c].nunique() > 1]
    endog = pd.Series(pd.Categorical(np.asarray(y_train), categories=list(VIOLENCE_LEVELS), ordered=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = OrderedModel(endog, x_train[keep], distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
        return np.asarray(fitted.predict(x_test[keep]))
