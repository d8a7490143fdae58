"""The outcome emulator (issue 20, item 3): the probability of each outcome class of a case at parameter values
theta, learned from simulations, for data that give only the outcome class of each crisis.

What it is: a multinomial logistic regression (scikit-learn `LogisticRegression`, L2 penalty) of the outcome
class on spline features of theta, with partial pooling across cases:

    log q(k | theta, c) = eta_k(theta, c) - log sum_j exp eta_j(theta, c)
    eta_k(theta, c)     = a_k + a_kc + sum_f (b_kf + b_kcf) x_f(theta)

where x(theta) are the B-spline bases (degree 3, `knots` uniform knots on each parameter's box, scaled to
[0, 1]) and the pairwise products of the scaled parameters; b_kf is shared by the cases and b_kcf is case c's
own deviation. The L2 penalty shrinks every case's deviation towards the shared effect (a case whose runs
rarely reach a class borrows from the others); its strength C is chosen by grouped cross-validation (folds by
theta, so a held-out theta is unseen) on the log loss. This is a classifier-based likelihood surrogate of the
kind Cranmer, Brehmer & Louppe (2020) review (the neural-likelihood route of Lueckmann et al. 2021 with a
small, smooth, convex model in place of a network: three parameters and a few thousand runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .sampler import Param
from .simulate import CLASSES

DEFAULT_CS = (0.1, 1.0, 10.0)


@dataclass
class OutcomeEmulator:
    """q(class | theta, case) for the declared parameters and cases; `fit` on a simulation table first."""

    params: tuple[Param, ...]
    cases: tuple[str, ...]
    knots: int = 4
    C: float = 1.0
    model: Any = field(default=None, repr=False)

    def _spline(self) -> Any:
        from sklearn.preprocessing import SplineTransformer

        spline = SplineTransformer(n_knots=self.knots, degree=3, include_bias=False)
        return spline.fit(np.array([[0.0] * len(self.params), [1.0] * len(self.params)]))

    def scaled(self, thetas: np.ndarray) -> np.ndarray:
        lows = np.array([p.low for p in self.params])
        highs = np.array([p.high for p in self.params])
        return (np.asarray(thetas, dtype=float) - lows) / (highs - lows)

    def features(self, thetas: np.ndarray, case: np.ndarray) -> np.ndarray:
        """[x(theta), one-hot(case), one-hot(case) (x) x(theta)]: shared effects, case intercepts, case effects."""
        u = self.scaled(np.atleast_2d(thetas))
        pairs = [u[:, i] * u[:, j] for i in range(u.shape[1]) for j in range(i + 1, u.shape[1])]
        x = np.column_stack([self._spline().transform(u), *pairs]) if pairs else self._spline().transform(u)
        onehot = np.zeros((len(u), len(self.cases)))
        onehot[np.arange(len(u)), case] = 1.0
        own = (onehot[:, :, None] * x[:, None, :]).reshape(len(u), -1)
        return np.hstack([x, onehot, own])

    def _xy(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        index = {c: i for i, c in enumerate(self.cases)}
        case = frame["case"].map(index).to_numpy()
        if np.isnan(case.astype(float)).any():
            raise ValueError("the simulations hold a case the emulator was not declared with")
        thetas = frame[[p.name for p in self.params]].to_numpy(dtype=float)
        y = pd.Categorical(frame["outcome"], categories=CLASSES).codes
        return self.features(thetas, case.astype(int)), y

    def _new(self, C: float) -> Any:
        from sklearn.linear_model import LogisticRegression

        # Newton-CG: 8 iterations where lbfgs took 50-136 on the library's runs, same held-out loss (to 1e-4)
        return LogisticRegression(C=C, solver="newton-cg", max_iter=500, tol=1e-4)

    def fit(self, frame: pd.DataFrame) -> OutcomeEmulator:
        x, y = self._xy(frame)
        self.model = self._new(self.C).fit(x, y)
        return self

    def select_C(self, frame: pd.DataFrame, Cs: Sequence[float] = DEFAULT_CS, folds: int = 3) -> dict[float, float]:
        """Grouped cross-validation (a theta's runs in one fold) of the mean log loss for each C; sets the best C
        and returns {C: mean held-out log loss}."""
        from sklearn.model_selection import GroupKFold

        x, y = self._xy(frame)
        groups = frame["theta"].to_numpy()
        losses: dict[float, float] = {}
        for C in Cs:
            total = 0.0
            for train, held in GroupKFold(n_splits=folds).split(x, y, groups):
                model = self._new(C).fit(x[train], y[train])
                total += -_log_probs(model, x[held])[np.arange(len(held)), y[held]].sum()
            losses[C] = total / len(y)
        self.C = min(losses, key=lambda c: losses[c])
        return losses

    def log_proba(self, thetas: np.ndarray, case: int | np.ndarray) -> np.ndarray:
        """log q(class | theta, case), (n, 3) in the order of CLASSES (a class never simulated: -inf)."""
        thetas = np.atleast_2d(thetas)
        cases = np.broadcast_to(np.asarray(case), (len(thetas),))
        return _log_probs(self.model, self.features(thetas, cases))


def _log_probs(model: Any, x: np.ndarray) -> np.ndarray:
    """The model's log-probabilities spread over all CLASSES (a class absent from its training data: -inf)."""
    out = np.full((len(x), len(CLASSES)), -np.inf)
    out[:, model.classes_] = model.predict_log_proba(x)
    return out


def held_out(emulator: OutcomeEmulator, train: pd.DataFrame, test: pd.DataFrame) -> dict[str, Any]:
    """The emulator's calibration on simulations it was not trained on: mean log loss (nats per run) against
    each case's class frequencies in the training runs (Jeffreys-smoothed, theta ignored) and the uniform 1/3,
    and a reliability table (predicted probability in tenths against the observed frequency, all classes)."""
    x, y = emulator._xy(test)
    logp = _log_probs(emulator.model, x)
    rows = np.arange(len(y))
    counts = pd.crosstab(train["case"], pd.Categorical(train["outcome"], categories=CLASSES), dropna=False)
    counts = counts.reindex(index=list(emulator.cases), columns=list(CLASSES), fill_value=0).to_numpy(float)
    freq = (counts + 0.5) / (counts.sum(axis=1, keepdims=True) + 1.5)
    case = test["case"].map({c: i for i, c in enumerate(emulator.cases)}).to_numpy()
    per_case = pd.DataFrame({"case": test["case"].to_numpy(), "loss": -logp[rows, y]})
    reliability = []
    probs = np.exp(logp).ravel()
    hits = (y[:, None] == np.arange(len(CLASSES))[None, :]).ravel()
    bins = np.minimum((probs * 10).astype(int), 9)
    for b in range(10):
        mask = bins == b
        if mask.any():
            reliability.append(
                {
                    "bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}",
                    "n": int(mask.sum()),
                    "mean_predicted": float(probs[mask].mean()),
                    "observed": float(hits[mask].mean()),
                }
            )
    return {
        "runs": len(y),
        "log_loss": float(-logp[rows, y].mean()),
        "log_loss_case_frequency": float(-np.log(freq[case, y]).mean()),
        "log_loss_uniform": float(np.log(len(CLASSES))),
        "log_loss_by_case": per_case.groupby("case")["loss"].mean().round(4).to_dict(),
        "reliability": reliability,
    }
