"""A supposed view: another actor's view as the deciding actor imagines it, for forecasts and beliefs.

It owns copies of what an act changes (state/actor.py's `MEMORY` lists and `MOOD` scalars: the one declared
list). On each `reset` they are set to what anyone can know of the actor (issue 17, item 1): its memory and mood
as the public record shows them (minds/public.py), its dispositions at the schema's declared defaults (cost
sensitivity, risk tolerance, resolve, readiness), its reading of the others at the shared public readings. Its
decision clock (`clock`, what a rule reads of when it last acted and was provoked: rules/features.py) is the
public estimate's (`Estimate.clock`, its one owner: the view holds that object, reads it and never changes it),
not the real clock a private order or message restarts; so are which of its options are cooling down, a host's
sovereignty grievances and its patrons' pressure, a militia's sponsor's restraint and the days since its last
killing (`ESTIMATED`). What is public of it is read from the actor itself: its menu, its declared threats, its
sovereignty costs from public demands (`READ`), and through `__getattr__` only the names of `PUBLIC`: anything
else raises AttributeError naming it, so a private read cannot creep back in. One object is kept per actor and
reused (`reset`), so a forecast allocates nothing per option. It never looks ahead itself (`forecasts` is None):
the actor imagined is a level-0 reasoner (Camerer, Ho & Chong 2004).
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ..mechanics.perception import blame, feel, felt
from ..state.actor import MEMORY, MOOD
from ..state.ledgers import Blame
from .public import DECISION_LAG, PERCEPTION, TRAITS

if TYPE_CHECKING:
    from ..rules import Option
    from ..state.actor import ActorState

# public, read by rules on every policy: taken on `reset` rather than left to __getattr__
READ = ("actor_id", "index", "others", "options", "hold_index", "pending_threat", "sovereignty_cost", "targetable")
# what cannot be seen of it: supposed (the declared defaults, the public estimate, the shared readings)
SUPPOSED = ("cost_sensitivity", "risk_tolerance", "credibility", "legitimacy_cost", "resolve_of", "credibility_of")
# what else a rule reads that only the actor knows, from its public estimate (minds/public.py, `Estimate`)
ESTIMATED = ("cooling", "cooling_count", "violations", "lethal_days", "sponsor_restraint", "host")
# the only attributes read through to the actor itself (`__getattr__`), each public by design: its kind, which
# actor sponsors which (the scenario's declared structure), the day of the crisis (everyone knows the date), its
# menu (its options, as `options`). Anything else is refused, so a new private read fails loudly.
PUBLIC = frozenset(("kind", "sponsor_of", "crisis_day", "menu"))
_MEMORY = attrgetter(*MEMORY)
_MOOD = attrgetter(*MOOD)
_TAKEN = attrgetter(*READ)
Mark = tuple[tuple[Any, ...], tuple[float, ...]]  # `Supposed.mark`: one actor's column of the memory, the mood


class Supposed:
    """The view of `base` with its memory of the others and its mood open to change."""

    __slots__ = ("base", "clock", *MEMORY, *MOOD, *READ, *SUPPOSED, *ESTIMATED)

    def __init__(self, base: ActorState) -> None:
        self.base = base
        for name, values in zip(MEMORY, _MEMORY(base), strict=True):
            setattr(self, name, list(values))
        self.reset()

    def reset(self) -> Supposed:
        """Back to what anyone can know of the actor today (memory lists copied in place)."""
        base = self.base
        model = base.model  # type: ignore[attr-defined]  # a CrisisActor
        estimate = model.public[base.index]
        for mine, theirs in zip(_MEMORY(self), _MEMORY(estimate), strict=True):
            mine[:] = theirs
        for name, value in zip(READ, _TAKEN(base), strict=True):
            setattr(self, name, value)
        self.clock = estimate.clock  # the public estimate owns it (minds/public.py); the view only reads it
        self.cooling, self.cooling_count = estimate.cooling, estimate.cooling_count  # read, never changed
        self.violations = estimate.violations
        self.lethal_days = estimate.lethal_days
        self.host = estimate.host
        sponsor = base.sponsor  # who sponsors whom is declared
        self.sponsor_restraint = estimate.sponsor_restraint(None if sponsor is None else model.public[sponsor.index])
        self.alert = estimate.alert
        self.domestic_pressure = estimate.domestic_pressure
        self.legitimacy_cost = estimate.legitimacy_cost
        self.readiness = min(1.0, 1.0 / DECISION_LAG)
        self.resolve = TRAITS.resolve
        self.cost_sensitivity = TRAITS.cost_sensitivity
        self.risk_tolerance = TRAITS.risk_tolerance
        self.credibility = model.credibility_of[base.index]
        self.resolve_of = model.resolve_of
        self.credibility_of = model.credibility_of
        return self

    def imagine(self, by: ActorState, opt: Option, killed: float, verbal: bool) -> None:
        """This view the day after `by` took `opt` against it, as `carry_out`/`perceive` would leave it, without
        noise: the severity felt, laid at `by`'s door with the expected attribution (perception's own `blame`, so
        the act is remembered as the act it is: `last_act_of`, `words_only`, `own_hit`), and the mood it moves
        (`feel`; ready to answer). It changes only `by`'s column of the memory and the mood (what `mark` keeps).
        `verbal`: whether the act is words (its ladder action's)."""
        perception = PERCEPTION  # the actor's own is not observable: the declared defaults (minds/public.py)
        severity = felt(opt.rung, killed, perception.casualty_weight)
        attribution = 1.0 if by.kind == "state" else perception.attribution
        laid = Blame(
            self.index, by.index, severity * attribution, opt.rung, killed, attribution, True, opt.action, verbal
        )  # type: ignore[arg-type]  # an expected toll, not a count
        blame(self, laid)
        feel(self, opt.rung, severity, killed, perception.casualty_weight)
        self.readiness = 1.0

    def mark(self, i: int) -> Mark:
        """What an act laid at actor i's door can change of this view, to `restore` after imagining it: column i of
        each memory list (mechanics/perception.blame writes only the culprit's column) and the mood
        (perception.feel: alert and domestic pressure; a forecast: readiness; a belief's doctrine: resolve)."""
        return tuple([values[i] for values in _MEMORY(self)]), _MOOD(self)

    def restore(self, i: int, kept: Mark) -> None:
        """Back to the state `mark(i)` kept: the view `reset` gave, as long as only column i and the mood moved."""
        for values, value in zip(_MEMORY(self), kept[0], strict=True):
            values[i] = value
        for name, value in zip(MOOD, kept[1], strict=True):
            setattr(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name in PUBLIC:
            return getattr(self.base, name)
        if name == "base":  # not set yet (a copy being rebuilt): no base to read through to
            raise AttributeError(name)
        raise AttributeError(
            f"{name!r}: an imagined view of another actor reads only what is public of it (minds/supposed.py "
            f"PUBLIC) or its public estimate (minds/public.py); {name!r} is neither: estimate it from public acts "
            "or declare it public there"
        )

    def forecasts(self) -> None:
        """An imagined actor does not look ahead itself (level-0)."""
        return None
