"""The decision hazards' floors as estimated parameters of the learned model (issue 19; docs/model.md section 1a).

Two floors keep an act that the hazards hold back unlikely rather than impossible: `early`, the recovery
W_c(tau) before an action class's minimum preparation time, and `news_floor`, what is left of a provocation as
news once the news cycle has passed (scenario/hazards.py). The learned model estimates both jointly with its
weights, on the logit scale, shared across crises, actor kinds and action classes (docs/model.md section 1a says
why and gives the prior).

A replay's pipeline map (extract.py) is bilinear in the two floors: the news cycle scales an option's input mass
once by a = nf + (1 - nf) d (d the news's decay), the hazards scale each output once by W = e + (1 - e) r (r the
class's readiness), and every other step of `minds/policy.decide` is linear and does not read them. So the map at
any (e, nf) is the bilinear interpolation of the maps at the four corners e, nf in {0, 1}, read from the same
state: exact, with no replay per value. The forward model (`--decisions learned`) runs with the values the fit
wrote beside the weights (`hazards` in data/quantal_weights.json), so the model that is scored is the one shipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scenario import Scenario
from ..scenario.hazards import CLASSES, DEFAULT_HAZARDS, Hazards
from .posterior import summary

if TYPE_CHECKING:
    from ..agents import CrisisActor

NAMES = ("early", "news_floor")
# Prior on logit(floor): Normal(logit(0.05), 1.5) for both (docs/model.md section 1a gives the reasons).
PRIOR_MEAN = np.log(0.05 / 0.95) * np.ones(len(NAMES))
PRIOR_SD = 1.5
CORNERS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))  # (early, news_floor) of each corner map


def prior_floors() -> np.ndarray:
    """The floors at the prior's centre: the values the hazards used before they were estimated."""
    return 1.0 / (1.0 + np.exp(-PRIOR_MEAN))


def hazards_entry(path: str | None = None) -> tuple[Any, str]:
    """A weights file's `hazards` entry (the package's file when `path` is None) and the file's name for errors:
    the floors and the operations' hazards (learn/spells.py) are both read from it."""
    if path is None:
        text = resources.files("escalation_sim.data").joinpath("quantal_weights.json").read_text()
        where = "escalation_sim/data/quantal_weights.json"
    else:
        text, where = Path(path).read_text(), path
    return json.loads(text).get("hazards"), where


def read(path: str | None = None) -> np.ndarray:
    """(early, news_floor) from a weights file's `hazards` entry (the package's file when `path` is None); a file
    without one (written before the floors were estimated) gives the prior's centre."""
    entry, where = hazards_entry(path)
    if entry is None:
        return prior_floors()
    values = []
    for name in NAMES:
        value = entry.get(name) if isinstance(entry, dict) else None
        if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise ValueError(f"{where}: hazards.{name} must be a number in [0, 1], got {value!r}")
        values.append(float(value))
    return np.array(values)


def with_floors(hazards: Hazards | None, floors: np.ndarray) -> Hazards:
    """`hazards` (the shipped priors when None) with every class's `early` and the `news_floor` set."""
    h = hazards or DEFAULT_HAZARDS
    early, news = float(floors[0]), float(floors[1])
    lags = {c: h.lag(i).model_copy(update={"early": early}) for i, c in enumerate(CLASSES)}
    return h.model_copy(update={**lags, "news_floor": news})


def floor_edits(scenario: Scenario, floors: np.ndarray, durations: dict[str, Any] | None = None) -> dict[str, Any]:
    """The scenario edits that give every actor the floors (each keeps its own lags otherwise) and, where given,
    the operations' estimated `operation_days`, `change_days`, `streams` (each actor gets the chances of the
    actions it has) and `stream_slopes` (learn/spells.py)."""
    out = {}
    for a, actor in scenario.actors.items():
        update = dict(durations or {})
        if "streams" in update:
            update["streams"] = {x: p for x, p in update["streams"].items() if x in actor.capabilities}
        out[f"actors.{a}.hazards"] = (
            with_floors(actor.hazards, floors).model_copy(update=update).model_dump(mode="json")
        )
    return out


@contextmanager
def _clock_at(actor: CrisisActor, hazards: Hazards, early: float, news: float) -> Iterator[None]:
    """The actor's clock as it would be today with floors (early, news), then restored: each class's factor and
    each other actor's attention rebuilt from the readiness and decay its configured floors hide."""
    clock = actor.clock
    factor, recovering, attention = list(clock.factor), clock.recovering, list(clock.attention)
    for c, w in enumerate(factor):
        e0 = hazards.lag(c).early
        ready = (w - e0) / (1.0 - e0) if e0 < 1.0 else 1.0
        clock.factor[c] = ready + early * (1.0 - ready)
    clock.recovering = any(w < 1.0 for w in clock.factor)
    nf0 = hazards.news_floor
    for j, a in enumerate(attention):
        decay = (a - nf0) / (1.0 - nf0) if nf0 < 1.0 else 1.0
        clock.attention[j] = news + (1.0 - news) * decay
    try:
        yield
    finally:
        clock.factor[:], clock.recovering, clock.attention[:] = factor, recovering, attention


def corner_maps(
    actor: CrisisActor, hazards: Hazards, pipeline: Callable[[CrisisActor], tuple[np.ndarray, np.ndarray]]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pipeline maps (deeds, words) at the four corners of the floors, in the order of CORNERS. A corner that
    cannot differ from another (no class recovering, no statement answering news) is not recomputed."""
    moves_early = any(w < 1.0 for w in actor.clock.factor)
    moves_news = bool(actor.clock.answers) and hazards.news_floor < 1.0
    maps: list[tuple[np.ndarray, np.ndarray]] = []
    for early, news in CORNERS:
        if (early and not moves_early) or (news and not moves_news):
            maps.append(maps[CORNERS.index((0.0 if not moves_early else early, 0.0 if not moves_news else news))])
            continue
        with _clock_at(actor, hazards, early, news):
            maps.append(pipeline(actor))
    return maps


def bilinear(floors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights of the four corner maps at (e, nf), and their derivatives in e and in nf."""
    e, f = float(floors[0]), float(floors[1])
    value = np.array([(1 - e) * (1 - f), e * (1 - f), (1 - e) * f, e * f])
    d_e = np.array([-(1 - f), 1 - f, -f, f])
    d_f = np.array([-(1 - e), -e, 1 - e, e])
    return value, d_e, d_f


def table(mode: np.ndarray, logits: np.ndarray, rhat: np.ndarray, ess: np.ndarray) -> list[dict[str, Any]]:
    """One row per floor: prior centre and 90% interval, mode, posterior mean, sd, 5% and 95%, R-hat and bulk ESS
    (of its logit), from draws of the logits (S, H)."""
    values = 1.0 / (1.0 + np.exp(-logits))
    prior = 1.0 / (1.0 + np.exp(-(PRIOR_MEAN[:, None] + PRIOR_SD * np.array([-1.645, 0.0, 1.645])[None])))
    return [
        {
            "floor": name,
            "prior_q05": prior[h, 0],
            "prior_median": prior[h, 1],
            "prior_q95": prior[h, 2],
            **summary(mode[h], values[:, h], rhat[h], ess[h]),
        }
        for h, name in enumerate(NAMES)
    ]
