"""`aim`'s arithmetic (rules/base.py), with caches: the options a rule can aim at a target, and whole results.

`quiet` gives the quiet-day weights of the options for `quiet_spread` (rules.base `_quiet_day`), asked for only
when a result is not cached yet.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from .view import Option

_AIMED: dict[tuple, tuple[tuple[Option, ...], list[float] | None]] = {}  # `aim`'s results, see `aimed`
_CANDIDATES: dict[tuple[int, int, bool], tuple[tuple[Option, ...], list[int], list[int]]] = {}


def aimed(
    options: tuple[Option, ...],
    target: int,
    rung: float,
    spread: float,
    p_act: float,
    hostile_only: bool,
    quiet_spread: float,
    quiet: Callable[[tuple[Option, ...], float], list[float]],
) -> list[float] | None:
    """`aim`'s probabilities (None: nothing to aim at), cached: they depend on nothing but the arguments.

    Keyed by the options' identity (an actor's options never change during a run, and runs of one scenario share
    them; the entry keeps them alive, so the identity is not reused while cached). The caller copies the list.
    Most calls repeat: the imagined actors of forecasts and beliefs are ready (readiness 1) and ask the same few
    things, and a real actor's readiness is fixed and the rungs its rule aims at are mostly a few steps (a host's
    protest stages, a red line's answer below it): measured on jan2020, 83% of a real actor's calls are repeats.
    """
    key = (id(options), target, rung, spread, p_act, hostile_only, quiet_spread)
    cached = _AIMED.get(key)
    if cached is not None and cached[0] is options:
        return cached[1]
    if len(_AIMED) > 8192:
        _AIMED.clear()
    probs = _aim_probs(options, target, rung, spread, p_act, hostile_only, quiet(options, quiet_spread))
    _AIMED[key] = (options, probs)
    return probs


def _aim_probs(
    options: tuple[Option, ...],
    target: int,
    rung: float,
    spread: float,
    p_act: float,
    hostile_only: bool,
    quiet: list[float],
) -> list[float] | None:
    indices, rungs = _candidates(options, target, hostile_only)
    exp = math.exp
    weights = [exp(-abs(at - rung) / spread) for at in rungs]
    total = 0.0
    for w in weights:  # added in order, as the probabilities have always been normalised
        total += w
    if total == 0.0:
        return None
    scale = p_act / total
    rest = 1.0 - p_act
    probs = [rest * q for q in quiet]  # = 0 * scale + rest * q: the options not aimed at
    for i, w in zip(indices, weights, strict=True):
        probs[i] = w * scale + rest * quiet[i]
    return probs


def _candidates(options: tuple[Option, ...], target: int, hostile_only: bool) -> tuple[list[int], list[int]]:
    """(indices, rungs) of the options `aim` may put mass on, in option order; cached like `_quiet_day`."""
    key = (id(options), target, hostile_only)
    cached = _CANDIDATES.get(key)
    if cached is None or cached[0] is not options:
        if len(_CANDIDATES) > 4096:
            _CANDIDATES.clear()
        found = [o for o in options if o.target_index == target and (o.hostile or not hostile_only)]
        cached = _CANDIDATES[key] = (options, [o.index for o in found], [o.rung for o in found])
    return cached[1], cached[2]
