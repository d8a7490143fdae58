"""The headline outcome class as conflict researchers code it: death-based and dyadic, with the rung and the time
reported beside it, not inside it.

Why: the old class called a run "war" when a single act reached the campaign rung (one campaign day), and
"protracted" when a strike fell in the last fortnight before wherever the horizon was put. Researchers code
neither way. The Correlates of War project calls a conflict a war at 1,000 battle deaths among its participants
within twelve months (Sarkees & Wayman 2010); UCDP/PRIO counts an armed conflict from 25 battle-related deaths in
a calendar year and a war from 1,000 (Gleditsch et al. 2002; Pettersson & Oberg 2020). Both count per dyad (UCDP:
with a government on at least one side). How long a crisis lasted is a duration, right-censored when it is still
going at the horizon (the MID `maxdur` and ICB termination), not a class. docs/outcomes.md defines each field.

The three labels stay, as the summary every output already carries (issue 18 asks that they stay, with
definitions that say what they are): `war` = COW war in some dyad; `protracted` = a UCDP armed conflict (25 or
more battle deaths in a dyad in a calendar year) below war; `de-escalation` = neither. The history of a library
case is coded by the same function (`code_history`) as every run of the model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Literal

from .dyads import UCDP_DEATHS

if TYPE_CHECKING:
    from ..state.records import Record
    from ..state.world import World

Headline = Literal["de-escalation", "protracted", "war"]
COW_WINDOW_DAYS = 365  # COW: the 1,000 battle deaths fall within a twelve-month period (Sarkees & Wayman 2010)
UCDP_WAR_DEATHS = 1000  # UCDP/PRIO intensity 2 ("war"): 1,000 battle-related deaths in a calendar year


@dataclass(frozen=True, slots=True)
class StandardCoding:
    """A run (or history) coded from the branch point on; `headline` is the three-class summary."""

    headline: Headline
    cow_war: bool  # some dyad (a state on one side) reached the COW threshold within twelve months
    ucdp_intensity: int  # highest UCDP intensity of any dyad-year: 0 below 25, 1 armed conflict, 2 war
    peak_dyad: tuple[str, str] | None  # the dyad with the most battle deaths (None: no deaths)
    peak_dyad_deaths: int  # its battle deaths in the worst twelve-month window
    major_force: bool  # a hostile act at or above the scenario's `war_rung` (a campaign): the rung, kept apart


def battle_acts(model: World, branch: int) -> dict[tuple[str, str], list[Record]]:
    """Hostile acts with deaths after the branch, by unordered dyad (actor order) with a state on one side.

    Why a state: UCDP's state-based conflicts have a government on at least one side, and COW's wars are fought
    by states (inter-state) or by a state against an armed group (extra- and intra-state); two militias fighting
    each other are UCDP's non-state conflicts, a different count.
    """
    kinds = {a.actor_id: a.kind for a in model.actors}
    order = {a: i for i, a in enumerate(model.actor_ids)}
    out: dict[tuple[str, str], list[Record]] = {}
    for a, b in combinations(model.actor_ids, 2):
        if "state" in (kinds[a], kinds[b]):
            out[(a, b)] = []
    for r in model.records:
        if r.day < branch or r.actor is None or r.target is None or r.killed_total == 0:
            continue
        if not model.ladder[r.action].is_hostile or r.target not in order:
            continue
        pair = tuple(sorted((r.actor, r.target), key=order.__getitem__))
        if pair in out:
            out[pair].append(r)  # type: ignore[index]
    return out


def window_max(acts: list[Record], days: int = COW_WINDOW_DAYS) -> int:
    """The most deaths in any `days`-day window (acts in day order)."""
    best = total = start = 0
    for r in acts:
        total += r.killed_total
        while acts[start].day <= r.day - days:
            total -= acts[start].killed_total
            start += 1
        best = max(best, total)
    return best


def calendar_year_max(acts: list[Record]) -> int:
    """The most deaths in one calendar year (UCDP counts per calendar year)."""
    years: dict[int, int] = defaultdict(int)
    for r in acts:
        years[r.date.year] += r.killed_total
    return max(years.values(), default=0)


def code_standard(model: World, branch: int) -> StandardCoding:
    """Code the acts from day `branch` on (0: the whole run) by the standard rules; see the module docstring."""
    rules = model.crisis.outcomes
    dyads = battle_acts(model, branch)
    windows = {pair: window_max(acts) for pair, acts in dyads.items()}
    years = {pair: calendar_year_max(acts) for pair, acts in dyads.items()}
    peak = max(windows, key=lambda p: windows[p], default=None)
    peak_deaths = windows[peak] if peak is not None else 0
    cow_war = peak_deaths >= rules.war_deaths  # the scenario's COW threshold (1,000 unless a file says why not)
    year_peak = max(years.values(), default=0)
    intensity = 2 if year_peak >= UCDP_WAR_DEATHS else 1 if year_peak >= UCDP_DEATHS else 0
    headline: Headline = "war" if cow_war else "protracted" if intensity >= 1 else "de-escalation"
    ladder = model.ladder
    after = [r for r in model.records if r.day >= branch and r.actor is not None and ladder[r.action].is_hostile]
    return StandardCoding(
        headline=headline,
        cow_war=cow_war,
        ucdp_intensity=intensity,
        peak_dyad=peak if peak_deaths > 0 else None,
        peak_dyad_deaths=peak_deaths,
        major_force=any(r.rung >= rules.war_rung for r in after),
    )
