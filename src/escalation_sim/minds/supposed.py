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


class Supposed:
    """The view of `base` with its memory of the others and its mood open to change."""

    __slots__ = ("base", *MEMORY, *MOOD, *READ)

    def __init__(self, base: ActorState) -> None:
        self.base = base
        for name, values in zip(MEMORY, _MEMORY(base), strict=True):
            setattr(self, name, list(values))
        self.reset()

    def reset(self) -> Supposed:
        """Back to the real actor's present state (memory lists copied in place): `_reset`, made below."""
        return _reset(self)

    def __getattr__(self, name: str) -> Any:
        if name == "base":  # not set yet (a copy being rebuilt): no base to read through to
            raise AttributeError(name)
        return getattr(self.base, name)

    def forecasts(self) -> None:
        """An imagined actor does not look ahead itself (level-0)."""
        return None


_NAMES = (*MOOD, *READ)


def _make_reset() -> Any:
    """`Supposed.reset` written out attribute by attribute from `MEMORY`, `MOOD` and `READ`, as `dataclasses`
    writes `__init__`: forecasts and beliefs reset a view some twenty times per actor-day, and the loop of
    `setattr` over the names cost five times as much (measured on jan2020)."""
    lines = ["def reset(self):", "    base = self.base"]
    lines += [f"    self.{name}[:] = base.{name}" for name in MEMORY]
    lines += [f"    self.{name} = base.{name}" for name in _NAMES]
    lines.append("    return self")
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # the names are this module's constants, not input
    return namespace["reset"]


_reset = _make_reset()
