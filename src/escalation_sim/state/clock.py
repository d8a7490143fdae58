"""An actor's decision clock (issue 18): days since its last act of each class and since it was last provoked.

Owned here, changed by mechanics/hazards.py only. `factor[c]` is today's recovery W_c (scenario/hazards.py) that
scales the actor's chance of acting in class c; `recovering` is false when every factor is 1 (nothing to do).
`attention[j]` is how much news actor j's latest act toward it still is (the words that answer j scale by it);
`hearing` is false when no provocation is still fading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import cache

from ..scenario.hazards import CLASSES, DEFAULT_HAZARDS, Hazards

FAR = 10**6  # days since something that never happened


@cache  # a pure function of its numbers, asked again for every actor of every run
def recovery_table(min_days: int, shape: float, scale: float, early: float = 0.0) -> tuple[float, ...]:
    """W(tau) for tau = 0, 1, ... until it is within 1e-4 of 1 (1 beyond the table); `early` before the minimum."""
    values: list[float] = []
    tau = 0
    while True:
        ready = 0.0 if tau < min_days else 1.0 - math.exp(-(((tau - min_days + 1) / scale) ** shape))
        w = early + (1.0 - early) * ready
        if w > 0.9999:
            return tuple(values)
        values.append(w)
        tau += 1


@cache  # likewise
def news_table(half_life: float, floor: float) -> tuple[float, ...]:
    """A(tau) = floor + (1 - floor) 0.5 ** (tau / half_life) for tau = 0, 1, ... until within 1e-4 of the floor
    (the floor beyond the table)."""
    values: list[float] = []
    tau = 0
    while True:
        a = floor + (1.0 - floor) * 0.5 ** (tau / half_life)
        if a - floor < 1e-4:
            return tuple(values)
        values.append(a)
        tau += 1


def _copied(value: object) -> object:
    """A list copied (the clock's only mutable fields are flat lists of numbers); anything else shared."""
    return list(value) if isinstance(value, list) else value


@dataclass(slots=True)
class Clock:
    """Per action class: its recovery table, the days since the actor's last act of it, today's factor."""

    tables: tuple[tuple[float, ...], ...]
    discharge: tuple[float, ...]
    violation_decay: float  # daily factor of a host's sovereignty grievance
    since: list[int] = field(default_factory=lambda: [FAR] * len(CLASSES))
    roused: int = FAR  # days since a provocation larger than anything it had left unanswered
    factor: list[float] = field(default_factory=lambda: [1.0] * len(CLASSES))
    recovering: bool = False
    hosting: bool = False  # it keeps sovereignty grievances, which fade daily (a host: sovereignty_sensitivity > 0)
    class_of: tuple[int, ...] = ()  # per option: its action class, -1 for holding (set with the menu)
    news_table: tuple[float, ...] = ()  # attention to a provocation by the days since it (news_table)
    news_floor: float = 1.0  # attention once the news is old (1: the news cycle is off)
    news: list[int] = field(default_factory=list)  # per other actor: days since its latest provocation
    attention: list[float] = field(default_factory=list)  # per other actor: what is left of that news today
    hearing: bool = False  # some provocation's news is still fading
    answers: tuple[tuple[int, int], ...] = ()  # (option, target): its statements, which answer the news
    slow_mask: int = 0  # bit c set: class c's factor is below 1 today
    slowed: tuple[int, ...] = ()  # the options of those classes, in option order (what refract scales)
    slowed_by_mask: tuple[tuple[int, ...], ...] = ()  # `slowed` for each mask (mechanics/hazards.py)

    def __deepcopy__(self, memo: dict[int, object]) -> Clock:
        """A copy for a resampled particle (score/filter.py): every list (days, factors, news) copied, the tables
        and other immutable fields (tuples, numbers, flags) shared rather than walked float by float. Generic over
        the fields, so a field added later cannot be left out of a particle's copy."""
        return Clock(**{f.name: _copied(getattr(self, f.name)) for f in fields(Clock)})

    @classmethod
    def of(cls, hazards: Hazards | None, grievance_half_life: float) -> Clock:
        h = hazards or DEFAULT_HAZARDS
        half_life = h.violation_half_life_days or grievance_half_life
        lags = [h.lag(c) for c in range(len(CLASSES))]
        return cls(
            tables=tuple(recovery_table(g.min_days, g.shape, g.scale_days, g.early) for g in lags),
            discharge=tuple(g.discharge for g in lags),
            violation_decay=0.5 ** (1.0 / half_life),
            news_table=news_table(h.news_half_life_days, h.news_floor) if h.news_floor < 1.0 else (),
            news_floor=h.news_floor,
        )

    def listen(self, n_actors: int) -> None:
        """Per other actor, no news yet: its old provocations are at the floor."""
        self.news = [FAR] * n_actors
        self.attention = [self.news_floor] * n_actors
