"""The outcome of a run as a duration (issue 18, item 4): time to the last hostile act, right-censored at the
horizon.

Why: "protracted" used to be read as a class, but it is where the horizon falls: a crisis still active when
observation ends has a duration of at least what was seen, not a different ending. Conflict data code the same
way: the MID data give a dispute's maximum duration (`maxdur`, Palmer et al. 2022) and the ICB data a crisis's
termination date, with crises still going at the end of coverage marked as such (Brecher & Wilkenfeld 1997);
duration analysis treats them as right-censored (Box-Steffensmeier & Jones 2004, ch. 2).

A hostile act here is one that breaks the scenario's calm (rung >= `calm_rung`), the same acts that decide the
three classes, so that `protracted` is exactly "still active at the horizon, not war" and `de-escalation`
"ended, duration `days`" (docs/outcomes.md). The per-dyad MID `duration` (dyads.py) counts militarized acts
(threats included) between one pair; this is the crisis's.

An operation of such an act still running at the horizon (a campaign, an occupation: docs/model.md section 1b)
keeps the crisis open whatever its tempo left in the last days: it has not been stopped, so the crisis is active
through the last observed day and censored there, as a MID still under way at the end of coverage (Palmer et al.
2022) or an ICB crisis not yet terminated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..state.world import World


@dataclass(frozen=True, slots=True)
class Duration:
    """Time to the last hostile act after the branch, and whether the horizon cut it off."""

    days: int  # days from the branch to the last calm-breaking act, inclusive (0: none after the branch)
    censored: bool  # that act lies within calm_days of the horizon: still active, the duration is at least `days`
    observed: int  # days observed after the branch: the censoring time


def duration(model: World, branch: int) -> Duration:
    """The run's duration as it stands (at the horizon once the run has ended)."""
    rules = model.crisis.outcomes
    after = model.daily_rung[branch : model.day + 1]
    observed = int(after.shape[0])
    last = 0
    for d in range(observed - 1, -1, -1):
        if after[d].max() >= rules.calm_rung:
            last = d + 1
            break
    if observed and running(model):
        return Duration(days=observed, censored=True, observed=observed)
    censored = last > 0 and observed - last < rules.calm_days
    return Duration(days=last, censored=censored, observed=observed)


def running(model: World) -> bool:
    """An operation of a calm-breaking act still under way: the crisis has not ended (module docstring)."""
    calm = model.crisis.outcomes.calm_rung
    return any(model.ladder[op.action].rung >= calm for op in model.operations)
