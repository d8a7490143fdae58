"""Tremble sensitivity: each case's outcome shares with every actor's tremble at 0, 1 and 2 times its value.

Why: a tremble is a chosen number, not a measured one. Three train actors of the hand-set library carry a 1e-3
tremble set to remove exact zeros on specific events (issue 22), and the fitted quantal weights were fitted by a
likelihood that floors every decision at the record score's tremble. A class share that moves when the tremble
moves measures that choice, not the model: such a case is flagged tremble-sensitive for that model and, like a
horizon-sensitive one (horizon.py, the same `SENSITIVE`), left out of the modal-class count.

What "tremble" means, per model (the actor's tremble tau; a run at scale s gives its rule epsilon = s * tau):
- Hand-set doctrines: tau = max(epsilon, T), epsilon the rule's own tremble as the case file sets it (Selten's
  trembling hand, rules/base.py; minds/policy.decide applies it last, on each channel) and T = score/record.py
  TREMBLE (1e-3), the floor with which the particle filter scores every hand-set decision. The case's own runs
  are the file's epsilon: scale 1 for an actor with a tremble, scale 0 for one without.
- Fitted quantal model: its runs use epsilon 0 (learn/extract.py `quantal_everywhere` sets none), but its weights
  were fitted by a likelihood that floors each decision at (1 - T) p + T / k (learn/likelihood.py, the same T): the
  fitted model is the softmax with a tremble T, so tau = T, and the case's own runs are scale 0.
- Scales 0, 1, 2: no tremble at all; the tremble as scored or fitted; doubled. A rule nested in a mixture or a
  regime keeps s times its own epsilon (the outer rule's tremble already floors the blend). Not scaled: a belief's
  `tremble` (what an actor assumes of the others' noise when it updates, not its own decision) and a regime's
  `filter_tremble` (the filter's only; it never enters a run).

Runs are paired with the case's own first runs (the same seeds), like the horizon runs. A scale whose scenario is
the case's own (nothing to scale) is not run: its runs are the case's, seed for seed. The flag is the horizon's
(a move of 5 points or more at any scale); whether that move is beyond Monte Carlo noise is reported beside it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..results.outcomes import OUTCOMES
from ..scenario import Scenario
from ..score.record import TREMBLE
from ..sweep.runner import distribution
from .horizon import SENSITIVE

SCALES = (0.0, 1.0, 2.0)  # no tremble; as scored (hand-set) or fitted (quantal); doubled


def label(scale: float) -> str:
    """The column label of a scale: tremble_x0, tremble_x1, tremble_x2."""
    return f"tremble_x{scale:g}"


def trembled(scenario: Scenario, scale: float) -> Scenario:
    """`scenario` with every actor's rule epsilon at `scale` times its tremble max(epsilon, TREMBLE); rules nested
    in a mixture or a regime at `scale` times their own epsilon."""
    changes: dict[str, float] = {}
    for name, actor in scenario.model_dump(mode="json")["actors"].items():
        rule = actor["rule"]
        changes[f"actors.{name}.rule.epsilon"] = scale * max(float(rule.get("epsilon", 0.0)), TREMBLE)
        inner = {f"regimes.{k}": r for k, r in (rule.get("regimes") or {}).items()}
        inner |= {f"components.{i}.rule": c["rule"] for i, c in enumerate(rule.get("components") or [])}
        for where, nested in inner.items():
            changes[f"actors.{name}.rule.{where}.epsilon"] = scale * float(nested.get("epsilon", 0.0))
    return scenario.with_edits(changes)


def paired(own: pd.Series, moved: pd.Series) -> tuple[float, float]:
    """The largest move of a class share between paired runs (run r against run r; rounded to 1e-12, as shares are
    multiples of 1/n and a 5-point move must not be lost to float error) and the standard error of that class's
    paired shift (Monte Carlo noise: a tremble changes a run's draws only where they fall near a boundary, but a
    changed day changes the rest of the run: 8-18% of the quantal runs of akcakale2012 and gaza2014 end in
    another class)."""
    moves, errors = [], []
    for k in OUTCOMES:
        d = (moved == k).astype(float) - (own == k).astype(float)
        moves.append(round(abs(float(d.mean())), 12))
        errors.append(float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else math.nan)
    top = max(range(len(moves)), key=moves.__getitem__)
    return moves[top], errors[top]


def tremble_row(scenario: Scenario, base: pd.DataFrame, seed: int, workers: int) -> dict[str, Any]:
    """Shares at each scale beside the case's own `base` runs (its first runs, paired by seed); per scale the
    largest move of a class share and its standard error; over the scales the largest move, the flag, and
    whether the flagged move is beyond 1.96 standard errors. `scenario`: the case as the model runs it."""
    own = base["outcome"].reset_index(drop=True)
    own_hash = scenario.sha256()
    row: dict[str, Any] = {}
    beyond = False
    for scale in SCALES:
        variant = trembled(scenario, scale)
        if variant.sha256() == own_hash:  # nothing to scale: the case's own runs, seed for seed
            moved = own
        else:
            moved = distribution(variant, n=len(own), seed=seed, workers=workers)["outcome"].reset_index(drop=True)
        for k in OUTCOMES:
            row[f"share_{k}_{label(scale)}"] = float((moved == k).mean())
        move, error = paired(own, moved)
        row[f"move_{label(scale)}"], row[f"move_se_{label(scale)}"] = move, error
        beyond |= move >= SENSITIVE and move > 1.96 * error
    row["tremble_max_move"] = max(row[f"move_{label(s)}"] for s in SCALES)
    row["tremble_sensitive"] = row["tremble_max_move"] >= SENSITIVE
    row["tremble_beyond_noise"] = beyond
    return row
