"""The features a learned decision reads: per option, named numbers computed from the deciding actor's `View`.

The `quantal` rule (rules/quantal.py) scores each option by a weighted sum of these; the learning subsystem
(learn/) extracts them along replayed history and estimates the weights. Every feature reads only what the
deciding actor can know: its own state and memory (what it perceived, with its own noise and attribution), its
options, and the forecasts its own forecaster makes (`view.forecasts()`, which read beliefs or the declared
uninformed prior, never the target's true mind: minds/anticipation.py). docs/model.md ("The learned decision")
gives each formula and its source; the scales put every feature in [0, ~1] so that one weight prior fits all.

Holding is the reference option: group intercepts are zero for it, and its own features (pressure, a threat left
unmade good, a sponsor's restraint, days since the last act) say what makes lying low more or less likely.
"""

from __future__ import annotations

import math
from typing import Any

from .view import NO_TARGET, Forecast, Option, View

LOG_WAR = math.log1p(300.0)  # the casualty scale's top (one day of campaign), as in cost_benefit
QUIET_DAYS = 30.0  # days since the last act, capped: a month of lying low is as quiet as it gets
KILLED_CAP = 10.0  # own nationals killed in one unanswered act, capped
GRIEVANCE_SCALE = 10.0  # the ladder's top rung: grievance / 10, capped at 1 (a sum past one war-rung act's worth
# adds nothing more: a standing occupation or campaign feeds the sum daily, to 65 in falklands1982, issue 19)
ENGAGED_HALF_LIFE = 7.0  # days: a week after its last act of force an actor is half as "in the fight"
CRISIS_SCALE = 60.0  # days: about the median length of the train records' crises (trigger to ICB termination)
FORCE = 1  # scenario/hazards.CLASSES.index("force"): the clock's class of force

# name -> what it measures (docs/model.md has the formula and source of each)
FEATURES: dict[str, str] = {
    "deescalate": "intercept: a de-escalation option (talks, stand-down, assurances, restraint orders)",
    "signal": "intercept: a signal (denunciation, threat, warning, show of force)",
    "pressure": "intercept: pressure (sanctions, access restrictions, expulsion)",
    "proxy": "intercept: a proxy act (harassment, siege, an order to attack)",
    "strike": "intercept: a strike or a campaign",
    "rung": "rung / 10 of a hostile option (how far up the ladder)",
    "deaths": "log(1 + expected deaths) / log(301) of the option itself",
    "provocation": "unanswered severity / 10 the actor holds against the option's target (hostile options)",
    "overshoot": "max(0, rung - provocation) / 10: a blow above what it answers (Article 51 proportionality)",
    "undershoot": "max(0, provocation - rung) / 10: an answer below the provocation",
    "grievance": "accumulated grievance / 10 against the target, capped at 1 (hostile options)",
    "casualties": "own nationals killed in the target's last unanswered act, / 10 capped at 1 (force)",
    "make_good": "credibility, on force against an actor the actor has a live threat against (audience cost)",
    "legitimacy": "legitimacy cost still unpaid, on force",
    "sovereignty": "cost of using force on a host's soil (host-sovereignty cost), on force there",
    "violations": "sovereignty violations / 10 by the target, on hostile acts short of force (a host's answer)",
    "dependence": "the actor's dependence on the target (a host toward its patron), on hostile options",
    "reciprocity": "1 if the target's last act was conciliatory, on de-escalation toward it",
    "aggrieved_peace": "unanswered severity / 10 against the target, on de-escalation toward it",
    "forecast_rung": "forecast answer's expected squared rung / 100 (the target's answer, honest forecast)",
    "forecast_harm": "log(1 + forecast own deaths from the answer) / log(301)",
    "forecast_escalate": "forecast chance the answer climbs above the option's rung (hostile options)",
    "delegate": "largest unanswered severity / 10, on an order to attack given to one's own proxy",
    "to_proxy": "1 for any act aimed at one's own proxy (orders, restraint)",
    "mobilised": "the actor's own alert (forces ready), on force (the opportunity of a window)",
    "engaged": "0.5 ** (days since its own last act of force / 7), on force (an actor already fighting)",
    "pent_up": "grievance / 10 (capped at 1) against the target x days since its last own act / 30, on hostile options",
    "crisis_age": "days since the crisis began / 60, capped at 1, on de-escalation (settlement hazard)",
    "hold_pressure": "domestic pressure while provoked, on holding",
    "hold_threat": "credibility while the actor has a live threat out, on holding (backing down)",
    "hold_restraint": "the sponsor's restraint on a militia (control x restraint signal), on holding",
    "hold_quiet": "days since the actor's last own act / 30, capped at 1, on holding",
}
NAMES: tuple[str, ...] = tuple(FEATURES)
INDEX = {name: i for i, name in enumerate(NAMES)}
D = len(NAMES)
GROUPS = {
    "de-escalation": "deescalate",
    "signal": "signal",
    "pressure": "pressure",
    "proxy": "proxy",
    "strike": "strike",
    "war": "strike",
}
KINDS = ("state", "armed_group", "host", "sponsor")  # weights are shared across crises by these


def kind_of(view: View) -> str:
    """The actor kind its weights are shared by: a sponsor (some actor's sponsor is it), an armed group (a
    militia), a host (it depends on patrons standing on its soil), or a state."""
    if view.index in view.sponsor_of:
        return "sponsor"
    if view.kind == "militia":
        return "armed_group"
    if any(view.host.dependence):
        return "host"
    return "state"


def days_quiet(view: View) -> float:
    """Days since the actor's last own act in any class (its clock, state/clock.py), capped at QUIET_DAYS. An
    imagined view (minds/supposed.py) reads the public estimate of the actor's clock (minds/public.py), never the
    real one; a view without a clock counts as quiet."""
    clock: Any = getattr(view, "clock", None)
    if clock is None:
        return QUIET_DAYS
    return float(min(min(clock.since), QUIET_DAYS))


def grievance_scaled(view: View, j: int) -> float:
    """The actor's grievance against j on the features' [0, 1] scale: / GRIEVANCE_SCALE, capped at 1. Why capped:
    the grievance is a decaying sum (docs/model.md section 6), and an operation's daily acts feed it every day, so
    uncapped it ran to 10.5 in the train records (over 1 in 23% of their decisions), where one weight prior (sd 2)
    is meant for features of scale ~1 and a few long operations set the weight for every decision."""
    return min(view.grievance[j] / GRIEVANCE_SCALE, 1.0)


def crisis_days(view: View) -> float:
    """Days since the crisis began (the scenario's start): every View knows the date (rules/view.py)."""
    return float(view.crisis_day)


def features(view: View, forecasts: list[Forecast] | None = None) -> list[list[float]]:
    """Per option (aligned with `view.options`), its D feature values."""
    outstanding = view.outstanding
    provoked = max(outstanding) > 0.0
    most = max(outstanding) / 10.0
    threat_out = any(t > 0 for t in view.pending_threat)
    me = view.index
    onset = Onset(view)
    rows: list[list[float]] = []
    for opt in view.options:
        f = [0.0] * D
        if opt.index == view.hold_index:
            f[INDEX["hold_pressure"]] = view.domestic_pressure if provoked else 0.0
            f[INDEX["hold_threat"]] = view.credibility if threat_out else 0.0
            f[INDEX["hold_restraint"]] = view.sponsor_restraint
            f[INDEX["hold_quiet"]] = days_quiet(view) / QUIET_DAYS
        else:
            _option(view, opt, f, most, me)
            onset.add(view, opt, f)
        if forecasts is not None:
            fc = forecasts[opt.index]
            f[INDEX["forecast_rung"]] = fc.rung_sq
            f[INDEX["forecast_harm"]] = math.log1p(fc.deaths) / LOG_WAR
            if opt.hostile:
                f[INDEX["forecast_escalate"]] = fc.escalate
        rows.append(f)
    return rows


def _option(view: View, opt: Option, f: list[float], most: float, me: int) -> None:
    """An option other than holding: its group, its own size, and what it answers."""
    group = GROUPS.get(opt.group)
    if group is not None:
        f[INDEX[group]] = 1.0
    f[INDEX["deaths"]] = math.log1p(opt.expected_killed) / LOG_WAR
    j = opt.target_index
    if j == NO_TARGET:
        return
    own_proxy = view.sponsor_of[j] == me
    if own_proxy:
        f[INDEX["to_proxy"]] = 1.0
    severity = view.outstanding[j]
    if opt.hostile:
        if own_proxy:  # an order to one's own proxy answers the sponsor's grievance, not the proxy's
            f[INDEX["delegate"]] = most
            return
        f[INDEX["rung"]] = opt.rung / 10.0
        f[INDEX["provocation"]] = severity / 10.0
        if severity > 0.0:
            f[INDEX["overshoot"]] = max(0.0, opt.rung - severity) / 10.0
            f[INDEX["undershoot"]] = max(0.0, severity - opt.rung) / 10.0
        f[INDEX["grievance"]] = grievance_scaled(view, j)
        f[INDEX["dependence"]] = view.host.dependence[j]
        if opt.force:
            f[INDEX["casualties"]] = min(view.last_killed[j], KILLED_CAP) / KILLED_CAP
            f[INDEX["make_good"]] = view.credibility if view.pending_threat[j] > 0 else 0.0
            f[INDEX["legitimacy"]] = view.legitimacy_cost
            if opt.on_soil_of >= 0:
                f[INDEX["sovereignty"]] = view.sovereignty_cost[opt.on_soil_of]
        else:
            f[INDEX["violations"]] = view.violations[j] / 10.0
    elif opt.rung < 0:
        f[INDEX["reciprocity"]] = 1.0 if view.conciliatory[j] else 0.0
        f[INDEX["aggrieved_peace"]] = severity / 10.0


class Onset:
    """Onset features (issue 19: the onsets of force and the settlements the rest leave improbable): what a
    deterrence or crisis-bargaining scholar names besides the last provocation, read from the actor's own View."""

    def __init__(self, view: View) -> None:
        clock: Any = getattr(view, "clock", None)  # an imagined view's: the public estimate's; none: not engaged
        self.engaged = 0.5 ** (clock.since[FORCE] / ENGAGED_HALF_LIFE) if clock is not None else 0.0
        self.quiet = days_quiet(view) / QUIET_DAYS
        self.age = min(crisis_days(view) / CRISIS_SCALE, 1.0)

    def add(self, view: View, opt: Option, f: list[float]) -> None:
        """Set the onset features of `opt` (not holding) in its row `f`."""
        j = opt.target_index
        if opt.hostile and j != NO_TARGET and view.sponsor_of[j] != view.index:
            f[INDEX["pent_up"]] = grievance_scaled(view, j) * self.quiet
            if opt.force:
                f[INDEX["mobilised"]] = view.alert
                f[INDEX["engaged"]] = self.engaged
        elif opt.rung < 0:
            f[INDEX["crisis_age"]] = self.age
