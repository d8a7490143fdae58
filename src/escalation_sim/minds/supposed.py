"""A supposed view: another actor's view as the deciding actor imagines it, for forecasts and beliefs.

It reads through to the real actor for everything it does not override, and owns copies of the memory lists that
a hypothetical act would change. One object is kept per actor and reused (`reset`), so a forecast allocates
nothing per option. It never looks ahead itself (`forecasts` is None): the actor imagined is a level-0 reasoner
(Camerer, Ho & Chong 2004).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..state.actor import ActorState


class Supposed:
    """The view of `base` with its memory of the others, its pressure, readiness and resolve open to change."""

    __slots__ = (  # noqa: RUF023 - grouped by meaning: what a supposed act changes, then what is read through
        "base", "outstanding", "grievance", "last_killed", "last_rung", "last_attribution", "conciliatory",
        "domestic_pressure", "alert", "readiness", "resolve",
        "actor_id", "index", "others", "options", "hold_index", "cost_sensitivity", "risk_tolerance",
        "credibility", "legitimacy_cost", "pending_threat", "resolve_of", "credibility_of", "sovereignty_cost",
        "targetable",
    )  # fmt: skip

    def __init__(self, base: ActorState) -> None:
        self.base = base
        self.actor_id = base.actor_id
        self.index = base.index
        self._read_through()
        self.outstanding = list(base.outstanding)
        self.grievance = list(base.grievance)
        self.last_killed: list[float] = list(base.last_killed)
        self.last_rung = list(base.last_rung)
        self.last_attribution = list(base.last_attribution)
        self.conciliatory = list(base.conciliatory)
        self.domestic_pressure = base.domestic_pressure
        self.alert = base.alert
        self.readiness = base.readiness
        self.resolve = base.resolve

    def reset(self) -> Supposed:
        """Back to the real actor's present state (lists copied in place)."""
        base = self.base
        self.outstanding[:] = base.outstanding
        self.grievance[:] = base.grievance
        self.last_killed[:] = base.last_killed
        self.last_rung[:] = base.last_rung
        self.last_attribution[:] = base.last_attribution
        self.conciliatory[:] = base.conciliatory
        self.domestic_pressure = base.domestic_pressure
        self.alert = base.alert
        self.readiness = base.readiness
        self.resolve = base.resolve
        self._read_through()
        return self

    def _read_through(self) -> None:
        base = self.base
        self.others = base.others
        self.options = base.options
        self.hold_index = base.hold_index
        self.cost_sensitivity = base.cost_sensitivity
        self.risk_tolerance = base.risk_tolerance
        self.credibility = base.credibility
        self.legitimacy_cost = base.legitimacy_cost
        self.pending_threat = base.pending_threat  # not changed by a supposed act: shared, not copied
        self.resolve_of = base.resolve_of
        self.credibility_of = base.credibility_of
        self.sovereignty_cost = base.sovereignty_cost
        self.targetable = base.targetable  # read by most_pressing on every policy: not left to __getattr__

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def forecasts(self) -> None:
        """An imagined actor does not look ahead itself (level-0)."""
        return None
