"""Copies of particles for the score's filter (score/filter.py): what a copy shares with the original, what it
gets afresh, and the `copy.deepcopy` that makes it.
"""

from __future__ import annotations

import copy
import gc
import random
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..model import EscalationModel
    from ..scenario import Scenario

NOT_DATA = (type, ModuleType, FunctionType, BuiltinFunctionType, MethodType)  # code, not the scenario's data


def shared_objects(scenario: Scenario) -> dict[int, object]:
    """Everything reachable from the (frozen) scenario, as a `copy.deepcopy` memo: particles share it already."""
    memo: dict[int, object] = {}
    stack: list[object] = [scenario]
    while stack:
        obj = stack.pop()
        if id(obj) not in memo and not isinstance(obj, NOT_DATA):
            memo[id(obj)] = obj
            stack.extend(gc.get_referents(obj))
    return memo


def twin(model: EscalationModel, shared: dict[int, object]) -> EscalationModel:
    """A copy of a particle in the same state: `copy.deepcopy` of the model with `copy_memo`'s sharing.

    A particle's state is a function of its daily seeds, so replaying its days would give the same copy; on
    jan2020 after 20 days a copy costs about 3 ms of CPU (5.3 ms without `copy_memo`'s sharing; measured at load
    5-10 on 2 cores), as much as going through one or two days.
    """
    return copy.deepcopy(model, copy_memo(model, shared))


def copy_memo(model: EscalationModel, shared: dict[int, object]) -> dict[int, object]:
    """The `copy.deepcopy` memo of a particle's copy: what the copy shares with the original or gets afresh.

    Shared: the (frozen) scenario; the actors' option tuples (frozen; the rules' caches are keyed by their
    identity) and menus (frozen; the split memo a menu owns is a pure function's, so a particle's twins may
    share it rather than copy it); the records of days gone by (never changed once their day is over). Fresh:
    the generators (no need to copy their 625-word states: `next_day` reseeds both before the day's first draw, so a
    fresh pair in their place, referenced wherever the originals were, the agent set's `random` too, leaves
    every draw as it was) and the day's factors (`run_filter` clears them before each day).
    """
    memo = dict(shared)
    for actor in model.actors:
        memo[id(actor.options)] = actor.options
        memo[id(actor.menu)] = actor.menu
        forecaster = actor.forecaster
        if forecaster is not None:  # minds/anticipation.py: its scratch views are reset before every use and
            memo[id(forecaster._views)] = {}  # made on demand; today's forecasts are replaced, never changed
            memo[id(forecaster._cache)] = forecaster._cache
            memo[id(forecaster._aimed)] = dict(forecaster._aimed)  # its lists and tuples are never changed
            memo[id(forecaster._kill)] = dict(forecaster._kill)
    for record in model.records:
        memo[id(record)] = record
    seeded = getattr(model, "_seeded", None)  # a ScoringModel's seed and `random`'s state that day: a tuple
    memo[id(seeded)] = seeded
    memo[id(model.random)] = random.Random(0)
    memo[id(model.rng)] = np.random.Generator(np.random.PCG64(0))
    memo[id(model.factors)] = []
    return memo
