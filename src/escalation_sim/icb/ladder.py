"""The stylised ladder of ICB scenarios, the trigger types placed on it, and its reading in ICB's categories.

Why a ladder of its own (as scenarios/two_state.yaml has): ICB codes violence in four levels, so the ladder has
one force rung per level (a border clash for minor clashes, artillery and air strikes for serious clashes, war
for full-scale war) and the non-violent techniques ICB distinguishes (talks, concession, threats, shows of force,
sanctions). Casualty means are orders of magnitude, not estimates, written beside each rung.
"""

from __future__ import annotations

from typing import Any


def _act(
    rung: int, group: str, label: str, cameo: str, goldstein: float, mid: tuple[int, int], **extra: Any
) -> dict[str, Any]:
    return {
        "rung": rung,
        "group": group,
        "label": label,
        "users": ["state"],
        "targets": ["state"],
        "cameo": cameo,
        "goldstein": goldstein,
        "mid_level": mid[0],
        "mid_action": mid[1],
        **extra,
    }


LADDER: dict[str, dict[str, Any]] = {
    "concede": _act(-3, "de-escalation", "concession", "08", 5.0, (1, 0), cooldown_days=14),
    "talks": _act(-2, "de-escalation", "talks", "046", 7.0, (1, 0), cooldown_days=3),
    "stand_down": _act(-1, "de-escalation", "stand down", "03", 4.0, (1, 0), cooldown_days=5),
    "hold": {
        "rung": 0,
        "group": "hold",
        "label": "hold",
        "hostile": False,
        "users": ["state"],
        "targets": ["none"],
        "goldstein": 0.0,
        "mid_level": 1,
        "mid_action": 0,
    },
    "justify": {
        **_act(1, "signal", "justification", "01", 0.0, (1, 0), hostile=False, effect="justification"),
        "targets": ["none"],
    },
    "threaten": _act(2, "signal", "threat", "138", -7.0, (2, 1), effect="threat", verbal=True, cooldown_days=2),
    "show_of_force": _act(3, "signal", "show of force", "15", -7.2, (3, 7), cooldown_days=5),
    "sanctions": _act(4, "pressure", "sanctions", "163", -8.0, (1, 0), cooldown_days=7),
    # minor clashes: a few deaths (a border clash, e.g. a patrol firefight)
    "border_clash": _act(
        5,
        "strike",
        "border clash",
        "190",
        -10.0,
        (4, 17),
        force=True,
        killed_mean=2.0,
        killed_dispersion=1.0,
        wounded_ratio=2.0,
    ),
    # serious clashes: shelling and air strikes, tens of deaths a use
    "artillery": _act(
        6,
        "strike",
        "artillery strike",
        "190",
        -10.0,
        (4, 16),
        force=True,
        killed_mean=8.0,
        killed_dispersion=1.5,
        wounded_ratio=2.0,
    ),
    "air_strike": _act(
        7,
        "strike",
        "air strike",
        "195",
        -10.0,
        (4, 16),
        force=True,
        killed_mean=25.0,
        killed_dispersion=1.5,
        wounded_ratio=2.0,
    ),
    # full-scale war: hundreds a day (COW's 1,000 battle deaths within days)
    "war": _act(
        8, "war", "war", "190", -10.0, (5, 20), force=True, killed_mean=200.0, killed_dispersion=2.0, wounded_ratio=3.0
    ),
}

# ICB trigger type (BREAK) -> (ladder action replayed on day 0, deaths it causes)
TRIGGER_ACTIONS: dict[int, tuple[str, int]] = {
    1: ("threaten", 0),  # verbal act: a threat
    2: ("threaten", 0),  # political act (subversion, alliance, severed relations): words with intent
    3: ("sanctions", 0),  # economic act
    4: ("threaten", 0),  # external change (a new weapon, a change in the environment): a perceived threat
    5: ("threaten", 0),  # other non-violent act
    6: ("threaten", 0),  # internal challenge (e.g. a coup the adversary backs): a threat from outside
    7: ("show_of_force", 0),  # non-violent military act: mobilisation, manoeuvres
    8: ("border_clash", 0),  # indirect violent act (against an ally or a client): force, no own deaths
    9: ("border_clash", 2),  # violent act: a clash with deaths
}

FORCE_LEVEL = {"border_clash": 2, "artillery": 3, "air_strike": 3, "war": 4}  # rung action -> ICB SEVVIOSY level
RUNG_LEVEL = {LADDER[a]["rung"]: level for a, level in FORCE_LEVEL.items()}


def violence_level(max_rung: float | None, deaths_after_branch: float | None = 0) -> int:
    """ICB's four levels from a run: no force act after the trigger -> 1; the highest force rung's level; a war
    (the war rung, or 1,000 deaths in hostile acts after the trigger) -> 4."""
    if deaths_after_branch is not None and deaths_after_branch >= 1000:
        return 4
    if max_rung is None or max_rung != max_rung:  # None or NaN: no hostile act at all
        return 1
    return max((lv for rung, lv in RUNG_LEVEL.items() if rung <= max_rung), default=1)
