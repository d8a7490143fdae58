"""A supposed view: another actor's view as the deciding actor imagines it, for forecasts and beliefs.

It owns copies of what an act changes (state/actor.py's `MEMORY` lists and `MOOD` scalars: the one declared
list), takes what rules read often from the real actor on each `reset`, and reads through to it for the rest.
One object is kept per actor and reused (`reset`), so a forecast allocates nothing per option. It never looks
ahead itself (`forecasts` is None): the actor imagined is a level-0 reasoner (Camerer, Ho & Chong 2004).
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ..state.actor import MEMORY, MOOD

if TYPE_CHECKING:
    from ..state.actor import ActorState

# read by rules on every policy: taken on `reset` rather than left to __getattr__ (a supposed act changes none)
READ = (
    "actor_id",
    "index",
    "others",
    "options",
    "hold_index",
    "cost_sensitivity",
    "risk_tolerance",
    "credibility",
    "legitimacy_cost",
    "pending_threat",
    "resolve_of",
    "credibility_of",
    "sovereignty_cost",
    "targetable",
)
_MEMORY = attrgetter(*MEMORY)
_TAKEN = attrgetter(*MOOD, *READ)


class Supposed:
    """The view of `base` with its memory of the others and its mood open to change."""

    __slots__ = ("base", *MEMORY, *MOOD, *READ)

    def __init__(self, base: ActorState) -> None:
        self.base = base
        for name, values in zip(MEMORY, _MEMORY(base), strict=True):
            setattr(self, name, list(values))
        self.reset()

    def reset(self) -> Supposed:
        """Back to the real actor's present state (memory lists copied in place)."""
        base = self.base
        for mine, theirs in zip(_MEMORY(self), _MEMORY(base), strict=True):
            mine[:] = theirs
        for name, value in zip(_NAMES, _TAKEN(base), strict=True):
            setattr(self, name, value)
        return self

    def __getattr__(self, name: str) -> Any:
        if name == "base":  # not set yet (a copy being rebuilt): no base to read through to
            raise AttributeError(name)
        return getattr(self.base, name)

    def forecasts(self) -> None:
        """An imagined actor does not look ahead itself (level-0)."""
        return None


_NAMES = (*MOOD, *READ)
