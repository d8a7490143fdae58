"""Quantal response over learned features: the decision model estimated from history (issue 19).

A random-utility (logit quantal response) choice: P(option) is proportional to exp(w . f(option, view)), with
f the named features of rules/features.py (computed only from what the deciding actor can know) and w a weight
vector shared across crises by actor kind (state, armed group, host, sponsor). Holding is an option of its own.
McKelvey & Palfrey 1995; Signorino 1999, 2003. The weights are read from a file: by default the package's
data/quantal_weights.json, fitted by `escalation-sim learn` on the train split (docs/validation.md), whose
`defaults` entry keeps the reasoned starting values (docs/model.md, "The learned decision"). The policy goes
through minds/policy.decide like every rule, so hazards, cooling, orders and host access apply on top.

A file with `intercept_sd` (the sd per kind of the crisis-level random intercept on the utility of force that
`learn --intercept` estimates; learn/intercept.py, docs/model.md, "The learned decision") makes each actor draw its own
intercept b ~ Normal(0, sd^2) once per run, where it starts deciding (one uniform of the model's generator, inverse
CDF), and add b to the utility of its force options: a forecast for a new crisis, whose actors' propensity to use
force is not known beforehand. A file without it (or sd 0) draws nothing: the runs are those of the plain rule.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal

from pydantic import Field, field_validator

from .base import Draw, Policy, Rule, RuleParams, Traits, View, register
from .features import INDEX, KINDS, NAMES, features, kind_of

Kind = Literal["state", "armed_group", "host", "sponsor"]
FORECASTS = ("forecast_rung", "forecast_harm", "forecast_escalate")


def _read(path: str | None) -> tuple[dict[str, Any], str]:
    """The weights file's JSON and the name to give in errors."""
    if path is None:
        text = resources.files("escalation_sim.data").joinpath("quantal_weights.json").read_text()
        return json.loads(text), "escalation_sim/data/quantal_weights.json"
    return json.loads(Path(path).read_text()), path


@cache
def intercept_sd(path: str | None) -> dict[str, float]:
    """The sd per kind of the crisis-level intercept on force (`intercept_sd`; 0 for a file without it)."""
    data, where = _read(path)
    entry = data.get("intercept_sd")
    if entry is None:
        return dict.fromkeys(KINDS, 0.0)
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: intercept_sd must map each of {list(KINDS)} to a number >= 0, got {entry!r}")
    out = {}
    for kind in KINDS:
        value = entry.get(kind)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value < math.inf:
            raise ValueError(f"{where}: intercept_sd.{kind} must be a finite number >= 0, got {value!r}")
        out[kind] = float(value)
    unknown = sorted(set(entry) - set(KINDS))
    if unknown:
        raise ValueError(f"{where}: intercept_sd names unknown kinds {unknown}; known: {list(KINDS)}")
    return out


@cache
def weight_table(path: str | None) -> dict[str, dict[str, float]]:
    """Weights by kind and feature name, from `path` or the package's file."""
    data, where = _read(path)
    table = data.get("weights")
    if not isinstance(table, dict) or not all(k in table for k in KINDS):
        raise ValueError(f"{where}: 'weights' must map each of {list(KINDS)} to feature weights")
    for kind in KINDS:
        unknown = sorted(set(table[kind]) - set(NAMES))
        if unknown:
            raise ValueError(f"{where}: weights.{kind} names unknown features {unknown}; known: {list(NAMES)}")
    return table


class QuantalParams(RuleParams):
    name: Literal["quantal"] = "quantal"
    weights_file: str | None = Field(
        None,
        description="JSON file of weights by actor kind (as written by `escalation-sim learn`); None: the "
        "package's fitted weights (data/quantal_weights.json)",
    )
    kind: Kind | None = Field(
        None, description="whose weights the actor uses; None: from its role (sponsor, armed group, host, state)"
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="weights set by feature name over the file's (a counterfactual or a synthetic truth)",
    )

    @field_validator("weights")
    @classmethod
    def _known_features(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(NAMES))
        if unknown:
            raise ValueError(f"unknown features {unknown}; known: {list(NAMES)}")
        return value

    @field_validator("weights_file")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                weight_table(value)
                intercept_sd(value)
            except OSError as exc:
                raise ValueError(f"cannot read {value} ({exc.strerror or exc})") from None
            except json.JSONDecodeError as exc:
                raise ValueError(f"{value} is not JSON ({exc})") from None
        return value


@register
class Quantal(Rule):
    """Quantal response over learned features: P(option) ~ exp(weights . features), weights fitted on history.

    Source: McKelvey & Palfrey 1995; Signorino 1999, 2003; Dal Bo & Frechette 2011
    """

    name = "quantal"
    description = "logit choice over named features (provocation, proportionality, forecast answer, costs)"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": True,
        "uses_attribution": True,
        "uses_costs": True,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = QuantalParams
    gives_orders = True  # a sponsor's orders to its proxy are decisions of their own (issue 19)

    def __init__(self, params: RuleParams | None = None) -> None:
        super().__init__(params)
        self._vectors: dict[str, list[float]] = {}
        self.intercept = 0.0  # this run's crisis-level shift of the utility of force (drawn in `on_branch`)

    def vector(self, kind: str) -> list[float]:
        """The weight vector for `kind`, in feature order (missing features weigh 0)."""
        w = self._vectors.get(kind)
        if w is None:
            p = self.params
            table = weight_table(p.weights_file)[kind] | p.weights
            w = self._vectors[kind] = [float(table.get(name, 0.0)) for name in NAMES]
        return w

    def own_traits(self) -> Traits:
        """It reads the forecasts of its options' answers where any forecast feature carries weight."""
        p = self.params
        tables = weight_table(p.weights_file)
        looks = any((tables[k] | p.weights).get(n, 0.0) for k in KINDS for n in FORECASTS)
        drawn = any(sd > 0.0 for sd in intercept_sd(p.weights_file).values())  # its intercept is drawn per run
        return Traits(looks_ahead=looks, keeps_state=drawn)

    def on_branch(self, view: View, draw: Draw) -> None:
        """Draw this run's intercept on force from Normal(0, sd^2) of the actor's kind (one uniform draw)."""
        sd = intercept_sd(self.params.weights_file)[self.params.kind or kind_of(view)]
        if sd > 0.0:
            u = min(max(draw(), 1e-12), 1.0 - 1e-12)  # the generator's [0, 1) made open for the inverse CDF
            self.intercept = sd * NormalDist().inv_cdf(u)

    def policy(self, view: View) -> Policy:
        kind = self.params.kind or kind_of(view)
        w = self.vector(kind)
        ask = getattr(view, "forecasts", None)  # a view that cannot forecast (a test double) gives none
        rows = features(view, ask() if ask is not None else None)
        # w . f over the non-zero features, in feature order (most are zero): a term w * 0 is +-0.0, which leaves
        # Python's float sum (compensated since 3.12) as it was, so these are the full sums bit for bit (the start
        # 0.0 keeps a row of zeros a float 0.0, as the full sum gives)
        utilities = [sum([a * b for a, b in zip(w, f, strict=True) if b], 0.0) for f in rows]
        if self.intercept:
            utilities = [u + self.intercept if o.force else u for u, o in zip(utilities, view.options, strict=True)]
        top = max(utilities)
        weights = [math.exp(u - top) for u in utilities]
        total = sum(weights)
        probs = [x / total for x in weights]
        return Policy(probs, explain(view, kind, w, rows, probs))


def explain(view: View, kind: str, w: list[float], rows: list[list[float]], probs: list[float]) -> str:
    """The likeliest option and the three features that carried it against holding, in words."""
    best = max(range(len(probs)), key=probs.__getitem__)
    opt = view.options[best]
    target = f" against {opt.target}" if opt.target else ""
    if best == view.hold_index:
        other = max((i for i in range(len(probs)) if i != best), key=probs.__getitem__, default=best)
        base, lead = rows[other], rows[best]
    else:
        base, lead = rows[view.hold_index], rows[best]
    carried = sorted(
        ((w[k] * (lead[k] - base[k]), NAMES[k]) for k in range(len(w)) if lead[k] != base[k]),
        key=lambda item: -abs(item[0]),
    )[:3]
    words = ", ".join(f"{name} {value:+.2f}" for value, name in carried) or "no feature differs"
    return f"quantal ({kind} weights): likeliest {opt.action}{target} (p={probs[best]:.2f}); carried by {words}"


__all__ = ["INDEX", "Quantal", "QuantalParams", "intercept_sd", "weight_table"]
