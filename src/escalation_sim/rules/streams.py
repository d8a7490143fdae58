"""Which decided strikes start a stream: the covariates of the stream chance, read from the deciding actor's View.

A decided strike or harassment (learn/spells.py `STREAMS`) is either a single act or the first act of a stream,
an operation of that action that then runs and stops by the operations' hazards (docs/model.md section 1b). In
the train records the two differ less by the action than by the situation the act was decided in
(benchmarks/stream_onsets.py, docs/model.md "Which decisions start a stream"), so the chance is a logit of the
action's own intercept plus a few named covariates, computed here from what the actor knows when it decides
(before the act is carried out), the same way in the learning replay and in forward runs:

    logit p = b_action + sum_c beta_c x_c

`learn --operations` estimates b and beta on the train records; the weights file's `hazards` entry carries them
as `streams` (per action, the chance at covariates 0, logistic(b)) and `stream_slopes` (beta by covariate).
"""

from __future__ import annotations

import math

from .features import KILLED_CAP
from .view import NO_TARGET, Option, View

# name -> what it measures (docs/model.md gives the reasons; both are the learned decision's own features of the
# chosen option, rules/features.py, so the replay and a forward run read the same numbers)
COVARIATES: dict[str, str] = {
    "provocation": "unanswered severity / 10 the actor holds against the target (the blow the act answers)",
    "casualties": "own nationals killed in the target's last unanswered act, / 10 capped at 1 (on force)",
}
NAMES: tuple[str, ...] = tuple(COVARIATES)


def covariates(view: View, opt: Option) -> list[float]:
    """The stream covariates of the actor's chosen option `opt` (a hostile act of force against a target), in
    `NAMES` order, from its View before the act is carried out: as `features` computes them for that option."""
    j = opt.target_index
    if j == NO_TARGET:
        return [0.0] * len(NAMES)
    return [view.outstanding[j] / 10.0, min(view.last_killed[j], KILLED_CAP) / KILLED_CAP if opt.force else 0.0]


def chance(intercept: float, slopes: dict[str, float], x: list[float]) -> float:
    """The stream chance at logit intercept + slopes . x (slopes by covariate name; missing ones weigh 0)."""
    z = intercept + sum(slopes.get(n, 0.0) * v for n, v in zip(NAMES, x, strict=True))
    return 1.0 / (1.0 + math.exp(-z))
