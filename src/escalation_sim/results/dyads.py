"""Outcome coding as conflict researchers do it: per dyad, MID fields, UCDP/COW thresholds, ICB termination.

Why: the three classes (war, protracted, de-escalation) hide what happened between whom. Researchers compare
crises with the Militarized Interstate Dispute data (Jones, Bremer & Singer 1996; Palmer et al. 2022), the
UCDP/PRIO armed-conflict thresholds (Gleditsch et al. 2002) and the ICB termination types (Brecher &
Wilkenfeld 1997). Everything here is coded from the acts after the branch point (the model's part of the run;
all acts when there is no branch), and deaths are those of hostile acts only: accidents (an airliner shot
down) and domestic incidents (a funeral stampede) are counted apart. docs/outcomes.md gives each rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..state.records import Record
    from ..state.world import World

MID_FATALITY_BOUNDS = (0, 25, 100, 250, 500, 999)  # MID fatality codes 0-6 (Palmer et al. 2022, codebook 5.0)
UCDP_DEATHS = 25  # UCDP/PRIO: an armed conflict has at least 25 battle deaths (Gleditsch et al. 2002)
COW_WAR_DEATHS = 1000  # Correlates of War: a war has at least 1,000 battle deaths (Sarkees & Wayman 2010)
MILITARIZED_LEVEL = 2  # MID hostility level 2 (threat) and above are militarized actions
TERMINATIONS = ("agreement", "tacit", "unilateral", "imposed", "ongoing", "none")


@dataclass(slots=True)
class Dyad:
    """One pair of actors, MID-coded over the acts between them after the branch point."""

    actors: tuple[str, str]
    hiact: int  # highest MID action code of any act between them (0: none)
    hostlev: int  # highest MID hostility level (1: no militarized action ... 5: war, only with COW deaths)
    fatality: int  # MID fatality level 0-6 of deaths in hostile acts between them
    recip: bool  # both sides took a militarized action (level >= 2) against the other
    duration: int  # days from the first to the last militarized act between them, inclusive (0: none)
    deaths: int  # deaths in hostile acts between them, after the branch
    ucdp_conflict: bool  # at least 25 deaths
    cow_war: bool  # at least 1,000 deaths
    termination: str  # ICB-style: agreement, tacit, unilateral, imposed; ongoing; none (no militarized act)

    def as_dict(self) -> dict[str, Any]:
        return {
            "actors": list(self.actors),
            "hiact": self.hiact,
            "hostlev": self.hostlev,
            "fatality": self.fatality,
            "recip": self.recip,
            "duration": self.duration,
            "deaths_after_branch": self.deaths,
            "ucdp_conflict": self.ucdp_conflict,
            "cow_war": self.cow_war,
            "termination": self.termination,
        }

    def flat(self) -> dict[str, Any]:
        """Flat columns for tables: dyad_<A>_<B>_<field>."""
        key = f"dyad_{self.actors[0]}_{self.actors[1]}"
        return {f"{key}_{name}": getattr(self, name) for name in DYAD_FIELDS}


DYAD_FIELDS = ("hostlev", "hiact", "fatality", "recip", "deaths", "termination")


def dyad_columns(actors: tuple[str, ...] | list[str]) -> list[str]:
    """The flat dyad columns of a table, for every pair of actors in actor order."""
    return [f"dyad_{a}_{b}_{name}" for a, b in combinations(actors, 2) for name in DYAD_FIELDS]


def mid_fatality(deaths: int) -> int:
    """MID fatality level: 0 none, 1: 1-25, 2: 26-100, 3: 101-250, 4: 251-500, 5: 501-999, 6: 1,000 or more."""
    return sum(deaths > bound for bound in MID_FATALITY_BOUNDS)


def code_dyads(model: World, branch: int) -> list[Dyad]:
    """Every pair of actors (actor order), coded over the acts between them from day `branch` on."""
    ladder = model.ladder
    calm_days = model.crisis.outcomes.calm_days
    last_day = model.day
    out = []
    between = _between(model, branch)
    for a, b in combinations(model.actor_ids, 2):
        acts = between.get((a, b), [])
        hostile = [r for r in acts if ladder[r.action].is_hostile]
        militarized = [r for r in hostile if ladder[r.action].mid_level >= MILITARIZED_LEVEL]
        deaths = sum(r.killed_total for r in hostile)
        war = deaths >= COW_WAR_DEATHS
        level = max((ladder[r.action].mid_level for r in hostile), default=1)
        sides = {r.actor for r in militarized}
        out.append(
            Dyad(
                actors=(a, b),
                hiact=max((ladder[r.action].mid_action for r in hostile), default=0),
                hostlev=level if war else min(level, 4),  # MID: level 5 (war) needs the COW threshold
                fatality=mid_fatality(deaths),
                recip=sides == {a, b},
                duration=(militarized[-1].day - militarized[0].day + 1) if militarized else 0,
                deaths=deaths,
                ucdp_conflict=deaths >= UCDP_DEATHS,
                cow_war=war,
                termination=termination(model, acts, militarized, last_day, calm_days),
            )
        )
    return out


def _between(model: World, branch: int) -> dict[tuple[str, str], list[Record]]:
    """The acts from day `branch` on between each pair of actors, keyed in actor order, in record order: one pass
    over the record for every pair."""
    order = {a: i for i, a in enumerate(model.actor_ids)}
    out: dict[tuple[str, str], list[Record]] = {}
    for r in model.records:
        if r.day >= branch and r.actor in order and r.target in order and r.actor != r.target:
            pair = (r.actor, r.target) if order[r.actor] < order[r.target] else (r.target, r.actor)
            out.setdefault(pair, []).append(r)  # type: ignore[arg-type]
    return out


def termination(model: World, acts: list[Record], militarized: list[Record], last_day: int, calm_days: int) -> str:
    """ICB-style termination (Brecher & Wilkenfeld 1997) of a dyad's militarized exchange.

    ongoing: a militarized act within `calm_days` of the run's end. Else, from the de-escalatory acts (rung < 0)
    after the last militarized act: both sides offered talks -> agreement (the model has no treaty; mutual
    offers are its semi-formal agreement); one side conceded -> imposed (yielding to the other's force);
    one side alone stood down or offered talks -> unilateral; both stood down, or neither said anything and
    the exchange stopped -> tacit.
    """
    if not militarized:
        return "none"
    last = militarized[-1].day
    if last_day - last < calm_days:
        return "ongoing"
    after = [r for r in acts if r.day >= last and model.ladder[r.action].rung < 0]
    if any(r.action == "concede" for r in after):
        return "imposed"
    talkers = {r.actor for r in after if r.action == "talks"}
    movers = {r.actor for r in after}
    if len(talkers) == 2:
        return "agreement"
    if len(movers) == 1:
        return "unilateral"
    return "tacit"


def censored(model: World, branch: int) -> bool:
    """Still active near the horizon: a militarized act (MID level >= 2) within `calm_days` of the run's end.

    Why calm_days: the scenario's own test of calm is that many quiet days; a run with threats or force inside
    that window has not been seen to end (right-censored, as in duration analysis), whatever its class says.
    """
    window = model.crisis.outcomes.calm_days
    ladder = model.ladder
    return any(
        r.day >= branch
        and r.day > model.day - window
        and r.actor is not None
        and ladder[r.action].is_hostile
        and ladder[r.action].mid_level >= MILITARIZED_LEVEL
        for r in model.records
    )


def proxy_protracted(model: World, branch: int) -> bool:
    """Sustained militia violence without state war: militias used force on 3 or more days after the branch,
    the last within `calm_days` of the end, while no state used force on another state and no dyad reached
    the COW threshold. Why 3 days: fewer is an incident, not a campaign (the 2019 background was ~1 a week)."""
    ladder = model.ladder
    kinds = {a.actor_id: a.kind for a in model.actors}
    after = [r for r in model.records if r.day >= branch and r.actor is not None and ladder[r.action].force]
    militia_days = sorted({r.day for r in after if kinds[r.actor] == "militia"})
    state_war = any(kinds[r.actor] == "state" and kinds.get(r.target or "") == "state" for r in after)
    if state_war or len(militia_days) < 3:
        return False
    if any(d.cow_war for d in code_dyads(model, branch)):
        return False
    return model.day - militia_days[-1] < model.crisis.outcomes.calm_days


def deaths_apart(model: World, branch: int) -> dict[str, int]:
    """Deaths after the branch that are not in hostile acts: accidents and domestic incidents, counted apart."""
    out = {"accident": 0, "domestic": 0}
    for r in model.records:
        if r.day < branch:
            continue
        action = model.ladder[r.action]
        if action.effect == "accident":
            out["accident"] += r.killed_total
        elif not action.chosen or r.actor is None:
            out["domestic"] += r.killed_total
    return out
