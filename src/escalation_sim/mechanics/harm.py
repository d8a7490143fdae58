"""Harm that depends on warning and defence (docs/model.md section 5a): how many die when a missile salvo lands.

    interception = air_defence x min(1, intercept_capacity / salvo)
    hits         ~ Binomial(salvo, reliability x (1 - interception))
    exposure     = (1 - exposure_alert x alert) x (warned_exposure if a warning arrived in time, else 1)
    deaths       ~ NegativeBinomial(size = dispersion x hits, mean = lethality x exposure x hits)

The sum of `hits` independent negative binomials with a common success probability is the one above, so each
missile that lands is its own fat-tailed draw (most kill no one; a few, like Dhahran's in 1991, kill many).
The chance that a salvo kills no one follows in closed form (the binomial's generating function at the chance
that one landed missile kills no one, `q = (d / (d + lethality x exposure))^d`, d the dispersion):

    P(no death) = (1 - p_land + p_land x q)^salvo,    p_land = reliability x (1 - interception)

so a forecast of a strike (minds/anticipation.py) reads the same model as the strike itself (`kill_chance`).
Actions without a salvo keep the ladder's plain casualty distribution (`perception.casualties`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario import Action
from ..scenario.signalling import Defence

if TYPE_CHECKING:
    from ..state.world import World


def interception(defence: Defence, salvo: int) -> float:
    """Chance that one missile of the salvo is intercepted: the defence's, diluted once the salvo saturates it."""
    if salvo <= 0 or defence.air_defence == 0.0:
        return 0.0
    return defence.air_defence * min(1.0, defence.intercept_capacity / salvo)


def exposure(defence: Defence, alert: float, warned: bool) -> float:
    """Share of the people at the target still in harm's way: alert and a warning received in time shelter them."""
    share = 1.0 - defence.exposure_alert * alert
    return share * defence.warned_exposure if warned else share


def expected_deaths(action: Action, defence: Defence, alert: float, warned: bool) -> float:
    """lethality x exposure x (1 - interception) x the missiles that work: the mean of `salvo_casualties`."""
    landing = action.salvo * action.reliability * (1.0 - interception(defence, action.salvo))
    return action.lethality * exposure(defence, alert, warned) * landing


def kill_chance(action: Action, defence: Defence, alert: float, warned: bool) -> float:
    """P(the salvo kills at least one) = 1 - P(no death) of `salvo_casualties`'s draws, in closed form."""
    p_land = action.reliability * (1.0 - interception(defence, action.salvo))
    per_hit = action.lethality * exposure(defence, alert, warned)
    if action.salvo <= 0 or p_land <= 0.0 or per_hit <= 0.0:
        return 0.0
    d = action.killed_dispersion
    spared = (d / (d + per_hit)) ** d  # one landed missile kills no one
    return 1.0 - (1.0 - p_land + p_land * spared) ** action.salvo


def salvo_casualties(
    model: World, action: Action, target: str, defence: Defence, alert: float, warned: bool
) -> tuple[dict[str, int], dict[str, int], int]:
    """Deaths and wounded among the target's nationals from one salvo, and the missiles that landed.

    Draws from `model.rng`: the hits, then the deaths, then the wounded (Poisson, as for other acts).
    """
    rng = model.rng
    p_land = action.reliability * (1.0 - interception(defence, action.salvo))
    hits = int(rng.binomial(action.salvo, p_land)) if action.salvo else 0
    per_hit = action.lethality * exposure(defence, alert, warned)
    killed_n = 0
    if hits and per_hit > 0.0:
        size = action.killed_dispersion * hits
        killed_n = int(rng.negative_binomial(size, size / (size + per_hit * hits)))
    wounded_n = int(rng.poisson(action.wounded_base + action.wounded_ratio * killed_n))
    killed = {target: killed_n} if killed_n else {}
    wounded = {target: wounded_n} if wounded_n else {}
    return killed, wounded, hits
