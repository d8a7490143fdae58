"""From an ICB crisis to a stylised two-actor scenario: every choice with its reason (docs/icb.md, section 2).

The scenario has two actors: the *defender* (the crisis actor whose trigger opens the crisis, the lowest `cracno`)
and the *challenger* (the state it says triggered it, or a stand-in). The trigger is replayed as history on day 0;
from day 1 both decide with the `cost_benefit` doctrine, whose inputs (resolve, cost sensitivity, risk tolerance,
domestic pressure, credibility) are where the crisis's coded attributes go. Two actors and 60 days keep a run to
a few milliseconds, so 386 crises x 200 runs fit in minutes (docs/icb.md, section 3).

Three shared parameters (`Shared`), one value for every crisis, are fitted by cross-validation (`crossval.py`),
never by hand: `grievance_scale` links the gravity of the threat to the defender's domestic pressure to answer;
`tremble` is the share of each decision spread over every option (Selten's trembling hand: the unintended or
unauthorised act that lets a crisis triggered without force turn violent); `risk_shift` is added to both sides' risk
tolerance (how far an exchange of force climbs toward war). Everything else here was fixed, and committed, before
any cross-validated result existed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .codebook import label
from .data import IcbData
from .ladder import LADDER, TRIGGER_ACTIONS

HORIZON_DAYS = 60
# Fitted on all 386 shared crises by `icb validate` (evaluation/icb/scores.json, theta_all): the grid's top value,
# chosen in every fold too. Before that run the default was a prior of 0.5 (a threat to existence: half the
# maximum pressure). Changing this number is fitting the shared parameter, not the mapping (docs/icb.md, 4).
DEFAULT_GRIEVANCE_SCALE = 2.0
SOURCE = "https://sites.duke.edu/icbdata/data-collections/"
SPECIAL_ENTITIES = {995: "an internal or unclear entity", 996: "a non-state actor", 997: "several entities"}
ALL_ACTIONS = [a for a in LADDER]


@dataclass(frozen=True)
class Shared:
    """The shared parameters: one value for every crisis, fitted on training crises only (docs/icb.md, 4).

    Defaults: the point `icb validate` fitted on all shared crises (evaluation/icb/scores.json, chosen_all; the
    same point every fold chose). Before that run they were the priors tremble 0 and risk_shift 0, which keep the
    doctrine and the hand-set dispositions exact. Changing them is fitting, not mapping (docs/icb.md, 5)."""

    grievance_scale: float = DEFAULT_GRIEVANCE_SCALE
    tremble: float = 0.01
    risk_shift: float = 0.3

    def as_dict(self) -> dict[str, float]:
        return {"grievance_scale": self.grievance_scale, "tremble": self.tremble, "risk_shift": self.risk_shift}


# The decision models a scenario's actors can use (`--model`): the hand-reasoned doctrine whose inputs are the
# coded attributes, or the quantal rule whose weights `escalation-sim learn` fitted on the library's train split
# (rules/quantal.py, data/quantal_weights.json: the project's learned decision model, state weights for both sides).
MODELS = ("doctrines", "quantal")
DEFAULT_MODEL = "doctrines"  # unchanged unless cross-validation shows quantal better (docs/icb.md, section 6)
RULE_OF = {"doctrines": "cost_benefit", "quantal": "quantal"}


class MappingError(ValueError):
    """A crisis the mapping cannot turn into a scenario; the message is the reason written in its row."""


@dataclass
class Mapped:
    """A scenario's raw data and, per dotted path, why it has that value."""

    crisno: int
    data: dict[str, Any]
    reasons: dict[str, str] = field(default_factory=dict)


def _num(value: Any, default: float | None = None) -> float | None:
    return default if value is None or pd.isna(value) else float(value)


def _code(row: pd.Series, column: str) -> int | None:
    value = _num(row.get(column))
    return None if value is None else int(value)


def _date(row: pd.Series) -> dt.date:
    year = _code(row, "yrtrig")
    if year is None or year < 1800:
        raise MappingError("no trigger year (yrtrig)")
    month = _code(row, "motrig") or 1
    day = _code(row, "datrig") or 1
    month = month if 1 <= month <= 12 else 1  # placeholder codes (e.g. 66, 77, 88) stand for unknown days
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 1)


def _pick_sides(data: IcbData, crisno: int) -> tuple[pd.Series, pd.Series | None, str]:
    """Defender (first crisis actor), challenger row (None: not a crisis actor) and how it was chosen."""
    actors = data.actors_of(crisno)
    if actors.empty:
        raise MappingError("no crisis-actor rows in the ICB2 file for this crisis")
    defender = actors.iloc[0]
    others = actors.iloc[1:]
    trigent = _code(defender, "trigent")
    match = others[others["cracid"] == trigent] if trigent is not None else others.iloc[0:0]
    if len(match):
        return defender, match.iloc[0], "the triggering entity of the defender's crisis, itself a crisis actor"
    answering = others[others["trigent"] == defender["cracid"]]
    if len(answering):
        return defender, answering.iloc[0], "a crisis actor whose own crisis the defender triggered"
    if trigent is not None and trigent not in SPECIAL_ENTITIES and trigent != defender["cracid"]:
        return defender, None, f"the triggering entity (state code {trigent}) is not a crisis actor: a stand-in"
    if len(others):
        return defender, others.iloc[0], "no state triggered it: the next crisis actor stands as the other side"
    what = SPECIAL_ENTITIES.get(trigent or 0, "an entity with no ICB2 row")
    return defender, None, f"the trigger came from {what}: a stand-in with middling attributes"


def _actor_id(row: pd.Series | None, taken: str) -> str:
    code = str(row["actor"]).strip().upper() if row is not None and pd.notna(row["actor"]) else "ADV"
    code = "".join(ch for ch in code if ch.isalnum()) or "ADV"
    return code if code != taken else f"{code}2"


def _clip(x: float, low: float = 0.05, high: float = 0.95) -> float:
    return round(min(high, max(low, x)), 3)


def _side(
    row: pd.Series | None,
    other: pd.Series | None,
    crisis: pd.Series,
    defender: bool,
    shared: Shared,
    reasons: dict[str, str],
    key: str,
) -> dict[str, Any]:
    """One actor's traits and perception from its ICB2 row (None: a stand-in with middling values)."""
    power = _code(row, "powsta") if row is not None else None
    power = power if power in (1, 2, 3, 4) else 2
    rival = _code(other, "powsta") if other is not None else None
    rival = rival if rival in (1, 2, 3, 4) else 2
    regime = _code(row, "regime") if row is not None else None
    rival_nuclear = (_code(other, "nuclear") or 1) if other is not None else 1
    gravity = _code(row, "gravty") if row is not None and defender else None
    gravity = gravity if gravity is not None else _code(crisis, "gravcr")
    g = 0.5 if gravity is None or gravity == 7 else gravity / 6
    protracted = (_code(crisis, "protrac") or 1) >= 2
    extra = max(0, min(3, (_code(crisis, "noactr") or 2) - 2))
    great_powers = (_code(crisis, "gpinv") or 1) > 1
    p = f"actors.{key}"
    resolve = 0.5 + 0.1 * protracted + 0.05 * extra
    reasons[f"{p}.traits.resolve"] = (
        f"here protracted: {'yes' if protracted else 'no'}, {_code(crisis, 'noactr')} crisis actors. "
        "0.5, +0.1 in a protracted conflict (old enmity: more at stake in not yielding), +0.05 per crisis actor "
        "beyond two, up to three (commitments to partners make backing down costlier)"
    )
    cost = 0.55 - 0.1 * (power - 2) + 0.1 * (rival - power) + 0.1 * great_powers
    reasons[f"{p}.traits.cost_sensitivity"] = (
        f"here {label('powsta', power)} against {label('powsta', rival)}: 0.55, -0.1 per step of own "
        "power above middle (the strong fear retaliation less), +0.1 per step the rival is stronger, +0.1 when "
        "great powers are involved (outside pressure raises the price of force)"
    )
    risk = 0.5 + shared.risk_shift - 0.25 * (rival_nuclear >= 3) + 0.1 * (regime in (3, 4, 5))
    reasons[f"{p}.traits.risk_tolerance"] = (
        f"here rival nuclear: {label('nuclear', rival_nuclear)}, regime: {label('regime', regime)}. "
        f"0.5 + risk_shift ({shared.risk_shift}, a fitted shared parameter: how readily an exchange of force "
        "climbs); -0.25 when the rival has nuclear weapons (the danger of a nuclear spiral restrains); +0.1 under "
        "military rule (military regimes are more ready to use force: Weeks 2012)"
    )
    credibility = 0.5 + 0.1 * (regime == 1) + 0.05 * ((_code(row, "age") or 0) >= 5 if row is not None else 0)
    reasons[f"{p}.traits.credibility"] = (
        f"here regime: {label('regime', regime)}, age code {_code(row, 'age') if row is not None else None}. "
        "0.5; +0.1 for a democracy (audience costs make its threats more believable: Fearon 1994); +0.05 for an "
        "older state (age code 5 or more: an established reputation; the age codes' labels are unverified)"
    )
    pressure = shared.grievance_scale * g if defender else 0.2
    reasons[f"{p}.traits.domestic_pressure"] = (
        f"grievance_scale ({shared.grievance_scale}) x gravity / 6 (gravity {gravity}: "
        f"{label('gravcr', gravity)}): the graver the threatened value, the more pressure at home to answer; "
        "a fitted shared parameter"
        if defender
        else "0.2, the model's default: the challenger chose to act and is under no particular pressure to answer"
    )
    territory = _code(row, "territ") if row is not None else None
    casualty = {1: 1.2, 3: 0.8}.get(territory or 2, 1.0)
    reasons[f"{p}.perception.casualty_weight"] = (
        f"here territory: {label('territ', territory)}. "
        "1.0; 1.2 for a small territory, 0.8 for a large one (strategic depth: a blow is felt less)"
    )
    return {
        "traits": {
            "resolve": _clip(resolve),
            "cost_sensitivity": _clip(cost),
            "risk_tolerance": _clip(risk),
            "credibility": _clip(credibility),
            "domestic_pressure": _clip(pressure, 0.0, 1.0),
            "alert": 0.1,
        },
        "perception": {"noise_sd": 0.5, "casualty_weight": casualty},
        "grievance_half_life_days": 30.0 if protracted else 14.0,
    }


def _rule_reason(model: str, tremble: float) -> str:
    """Why both actors decide with `model`'s rule."""
    return (
        "cost_benefit for both: the doctrine whose inputs are the coded attributes "
        "(Schelling 1966; Fearon 1994); no ICB variable says which doctrine a state held. Its tremble (epsilon) "
        f"is the shared parameter tremble ({tremble}): leaders err and local commanders act unbidden "
        "(Selten 1975), which is how a crisis triggered without force can still turn violent"
        if model == "doctrines"
        else "quantal for both (--model quantal): the learned decision model, a logit choice over features whose "
        "state weights `escalation-sim learn` fitted on the library's train split (data/quantal_weights.json); it "
        "reads domestic pressure, credibility and grievance from the traits below, not cost sensitivity or risk "
        f"tolerance (so risk_shift does not reach it). Tremble (epsilon) {tremble}, the shared parameter"
    )


def map_crisis(data: IcbData, crisno: int, shared: Shared | None = None, model: str = DEFAULT_MODEL) -> Mapped:
    """The stylised scenario of crisis `crisno` with `model`'s decisions (MODELS); raises MappingError with the
    reason when it cannot be built."""
    shared = shared or Shared()
    if model not in RULE_OF:
        raise ValueError(f"model {model!r}: expected one of {', '.join(MODELS)}")
    try:
        crisis = data.crisis(crisno)
    except KeyError as exc:
        raise MappingError(str(exc.args[0])) from None
    defender, challenger, how = _pick_sides(data, crisno)
    start = _date(crisis)
    trigger = _code(crisis, "break") or _code(defender, "triggr")
    if trigger not in TRIGGER_ACTIONS:
        raise MappingError(f"trigger type (break) {trigger!r} is not an ICB code 1-9")
    d_id = _actor_id(defender, "")
    c_id = _actor_id(challenger, d_id)
    reasons: dict[str, str] = {
        "actors": f"defender {d_id}: the first crisis actor (lowest cracno); challenger {c_id}: {how}"
    }
    actors = {}
    for key, row, other, is_defender in ((d_id, defender, challenger, True), (c_id, challenger, defender, False)):
        name = str(row["actor"]) if row is not None else "stand-in adversary"
        actors[key] = {
            "name": name,
            "kind": "state",
            "adversaries": [c_id if is_defender else d_id],
            "capabilities": ALL_ACTIONS,
            "decision_lag_days": 3.0 if start.year < 1946 else 2.0,
            "rule": {"name": RULE_OF[model], "epsilon": shared.tremble},
            **_side(row, other, crisis, is_defender, shared, reasons, key),
        }
    reasons["actors.*.decision_lag_days"] = "3 days before 1946, 2 after (slower communications; the US answered in 2)"
    reasons["actors.*.rule"] = _rule_reason(model, shared.tremble)
    action, killed = TRIGGER_ACTIONS[trigger]
    reasons["events.T0"] = (
        f"the trigger, {label('break', trigger)} (break {trigger}), replayed as "
        f"{action}{f' killing {killed}' if killed else ''} by the challenger on day 0"
    )
    region = _code(crisis, "geog")
    data_out = {
        "name": f"icb{crisno}",
        "title": f"ICB crisis {crisno}: {str(crisis['crisname']).strip().title()} (stylised)",
        "description": (
            f"A stylised two-actor scenario built from ICB v14's codes for crisis {crisno} "
            f"({start.year}, region code {region}: the model has no geography). Not a history of "
            "the crisis: its coded attributes set the actors' dispositions (docs/icb.md)."
        ),
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=HORIZON_DAYS - 1)).isoformat(),
        "branch_date": (start + dt.timedelta(days=1)).isoformat(),
        "threat_window_days": 7,
        "outcomes": {"calm_rung": 2, "calm_days": 14, "war_rung": LADDER["war"]["rung"], "war_deaths": 1000},
        "ladder": LADDER,
        "actors": actors,
        "events": [
            {
                "id": "T0",
                "date": start.isoformat(),
                "actor": c_id,
                "target": d_id,
                "action": action,
                "killed": {d_id: killed} if killed else {},
                "description": f"ICB trigger: {label('break', trigger)} (stylised)",
                "source": SOURCE,
            }
        ],
    }
    reasons["outcomes"] = (
        "calm broken by any threat or worse (rung 2), so the crisis lasts while either side "
        "still threatens; 14 quiet days end it; war at the war rung or 1,000 deaths (COW)"
    )
    reasons["horizon"] = f"{HORIZON_DAYS} days: long enough for most exchanges to settle, short enough to run fast"
    return Mapped(crisno, data_out, reasons)
