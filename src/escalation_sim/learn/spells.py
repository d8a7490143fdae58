"""How long operations run and how often they change: their daily hazards estimated from the records' spells.

A fight in the train records is not a run of daily decisions to use force: it is one decision to start an
operation (a campaign, a strike stream, a harassment stream) that then runs for weeks or months, producing the
record's daily acts without further decisions (docs/model.md section 1b). Measured on the 21 train records
(`learn`'s first replay): decided force is about as frequent in the records that ended in war or stayed
protracted (41 of 2,887 actor-days with a force option, 1.4%) as in those that de-escalated (38 of 2,111, 1.8%),
and no actor decided force on more than two days in a row in either; what the fights have and the de-escalations
lack (bar one five-day strike stream) is spells of force, 19 of them, running 1 to 313 days (docs/model.md, "The
learned decision", gives the table). How long an operation runs once started is the actor's daily stop hazard
`1 / operation_days`, and how often it changes tempo or target the change hazard `1 / change_days`; both were
priors (14 days, one grievance half-life), never fitted, though the likelihood has scored them all along
(score/filter.py `spell_factors`).

Here they are estimated with the decision weights, from those same terms: per spell, each change (the change
hazard), the days it went on neither stopped nor changed (log(1 - h - h_c) a day while a change is open, log(1 - h)
otherwise) and its stop (h), each floored as the filter floors it (score/record.py TREMBLE). They do not depend
on a replay's perception draws, so they shift every replay of a record by the same amount: the fit adds
`delta` = terms(h, h_c) - terms(h0, h_c0), h0 and h_c0 the replay's own, to each record's log-likelihood. An
occupation is held, not run (its h = h_c = 0): it has no such terms.

Parameters: the day's three outcomes of a running operation, stop, change or go on, are a softmax of
(a_stop, a_change, 0), so that h + h_c < 1 always. Prior: a_stop, a_change ~ Normal(log(1/12), 1.5) each, centred
on the old defaults (log(1/12) gives h = h_c = 1/14) and wide: 90% of the prior's mean running length lies between
about a day and five months, from a raid that lasts a night to a season's campaign.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..rules.streams import NAMES as COVARIATES
from ..score.record import TREMBLE
from .floors import hazards_entry
from .posterior import summary

NAMES = ("operation_days", "change_days")  # the scenario hazards' fields they set (scenario/hazards.py)
PRIOR_MEAN = math.log(1.0 / 12.0)  # a_stop = a_change = log(1/12): h = h_c = 1/14, the old defaults
PRIOR_SD = 1.5
STREAMS = ("harassment", "limited_strike", "calibrated_strike", "leadership_strike", "direct_strike")
STREAM_PRIOR_MEAN = math.log(0.1 / 0.9)  # logit: one decided act in ten starts a stream
STREAM_PRIOR_SD = 1.5  # 90% of the prior between 1% and 55%: from almost never to usually
SLOPE_PRIOR_SD = 1.0  # per covariate (each in [0, 1]): its full range moves the odds by e^2 (x7) at 2 sd, either way
LONGEST = 3660.0  # days: the hazards' fields' upper bound (scenario/hazards.py); a file says at most this


@dataclass
class Spells:
    """The records' scored spells (occupations left out): per spell, its record, the days it went on with a
    change open and with none, its changes, whether it stopped within the record, and the replay's hazards."""

    record: np.ndarray  # (M,) int
    quiet_open: np.ndarray  # (M,)
    quiet_closed: np.ndarray  # (M,)
    changes: np.ndarray  # (M,)
    stopped: np.ndarray  # (M,) bool
    h0: np.ndarray  # (M,) the actor's stop hazard in the replay
    hc0: np.ndarray  # (M,) and its change hazard
    records: int = 0  # R

    def __len__(self) -> int:
        return len(self.record)


@dataclass
class Streams:
    """The records' decided acts of the actions that may start a stream (`STREAMS`, none of them in the default
    `sustained`): per act its record, its action's place in `STREAMS`, whether it started a spell, and its
    covariates at the decision (rules/streams.py; zeros where the replay did not decide it)."""

    record: np.ndarray  # (M,) int
    action: np.ndarray  # (M,) int
    started: np.ndarray  # (M,) bool
    records: int = 0
    x: np.ndarray | None = None  # (M, len(COVARIATES)); None: no covariates (the chance is the action's alone)

    def __len__(self) -> int:
        return len(self.record)


def collect_streams(
    scenarios: list[Any], days: list[int], covariates: dict[tuple[str, int, str, str], list[float]] | None = None
) -> Streams:
    """Each record's decided acts (score/record.py `is_decision`) of a `STREAMS` action against a target, within
    the days the filter scores; with `covariates` (learn/extract.Tensor.stream_x: by (record, day, actor, event
    id)), each act's covariates at its decision (zeros for an act the replay did not decide)."""
    from ..score.record import is_decision

    rows, xs = [], []
    for r, (scenario, n) in enumerate(zip(scenarios, days, strict=True)):
        for event in scenario.events:
            day = (event.date - scenario.start_date).days
            if event.action in STREAMS and event.target is not None and day < n and is_decision(event, scenario):
                rows.append((r, STREAMS.index(event.action), event.operation is not None))
                if covariates is not None:
                    key = (scenario.name, day, event.actor, event.id)
                    xs.append(covariates.get(key, [0.0] * len(COVARIATES)))
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 3
    x = None if covariates is None else np.array(xs, float).reshape(len(rows), len(COVARIATES))
    return Streams(np.array(cols[0], int), np.array(cols[1], int), np.array(cols[2], bool), len(scenarios), x)


def stream_log_lik(st: Streams, b: np.ndarray, beta: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per record, the log-likelihood of which decided acts started a stream at logits `b` (one per `STREAMS`
    action) plus `beta` . x (the covariates' slopes; None or zeros: none), each floored as the filter floors a
    two-outcome term, and its gradient (R, len(STREAMS) + len(COVARIATES)). The filter does not score this yet
    (the replay has no streams): the term is the whole of it, not a difference."""
    R, A, C = st.records, len(STREAMS), len(COVARIATES)
    if not len(st):
        return np.zeros(R), np.zeros((R, A + C))
    z = np.asarray(b, dtype=float)[st.action]
    if beta is not None and st.x is not None:
        z = z + st.x @ np.asarray(beta, dtype=float)
    p = 1.0 / (1.0 + np.exp(-z))
    k = 1.0 - TREMBLE
    yes, no = _floored(p), _floored(1.0 - p)
    ll = np.where(st.started, np.log(yes), np.log(no))
    d = np.where(st.started, k / yes, -k / no) * p * (1.0 - p)  # d ll / d z of each act
    grad = np.zeros((R, A + C))
    np.add.at(grad, (st.record, st.action), d)
    if st.x is not None:
        for c in range(C):
            grad[:, A + c] = np.bincount(st.record, d * st.x[:, c], R)
    return np.bincount(st.record, ll, R), grad


def stream_chances(b: np.ndarray) -> dict[str, float]:
    return {a: float(1.0 / (1.0 + math.exp(-x))) for a, x in zip(STREAMS, b, strict=True)}


def collect(scenarios: list[Any], days: list[int]) -> Spells:
    """The spells each record's filter scores (score/filter.py `spells`), counted as `spell_factors` counts them."""
    from ..mechanics import operations
    from ..model import EscalationModel
    from ..score.filter import spells

    rows: list[tuple[int, float, float, int, bool, float, float]] = []
    for r, (scenario, n) in enumerate(zip(scenarios, days, strict=True)):
        found = spells(scenario, n)
        if not found:
            continue
        model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
        for items in found.values():
            for event, kept, stopped in items:
                actor = model.by_id[event.actor or ""]
                if operations.held(model.ladder[event.action]):
                    continue
                spell = event.operation
                now = (spell.tempo, event.target)
                starts, opens, changes = [0], [bool(operations.moves(actor, event.action, *now))], 0
                for c in spell.changes:
                    day = (c.date - event.date).days
                    if day >= kept:
                        break
                    now = (c.tempo if c.tempo is not None else now[0], c.target or now[1])
                    starts.append(day)
                    opens.append(bool(operations.moves(actor, event.action, *now)))
                    changes += 1
                ends = [*starts[1:], kept]  # each stretch's quiet days: from its first day to the next's eve
                q_open = sum(e - 1 - s for s, e, o in zip(starts, ends, opens, strict=True) if o)
                q_closed = sum(e - 1 - s for s, e, o in zip(starts, ends, opens, strict=True) if not o)
                rows.append((r, q_open, q_closed, changes, stopped, actor.stop_hazard, actor.change_hazard))
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 7
    return Spells(
        np.array(cols[0], dtype=int),
        np.array(cols[1], float),
        np.array(cols[2], float),
        np.array(cols[3], int),
        np.array(cols[4], dtype=bool),
        np.array(cols[5], float),
        np.array(cols[6], float),
        len(scenarios),
    )


def hazards(a: np.ndarray) -> tuple[float, float]:
    """(h, h_c): the daily stop and change hazards from the logits (a_stop, a_change)."""
    e = np.exp(np.asarray(a, dtype=float))
    z = 1.0 + e.sum()
    return float(e[0] / z), float(e[1] / z)


def durations(a: np.ndarray) -> np.ndarray:
    """(operation_days, change_days) = (1 / h, 1 / h_c)."""
    h, hc = hazards(a)
    return np.array([1.0 / h, 1.0 / hc])


def logits(days: np.ndarray) -> np.ndarray:
    """(a_stop, a_change) from (operation_days, change_days): `durations`' inverse."""
    h, hc = 1.0 / np.asarray(days, dtype=float)
    return np.log(np.array([h, hc]) / (1.0 - h - hc))


def _floored(x: np.ndarray) -> np.ndarray:
    return (1.0 - TREMBLE) * x + TREMBLE / 2.0


def _terms(s: Spells, h: np.ndarray, hc: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per spell: the log of its floored terms at hazards (h, h_c) (arrays over spells), and the pieces the
    gradient needs."""
    quiet = s.quiet_open * np.log1p(-h - hc) + s.quiet_closed * np.log1p(-h)
    kept = np.exp(quiet)
    ll = np.log(_floored(kept)) + s.changes * np.log(_floored(hc)) + np.where(s.stopped, np.log(_floored(h)), 0.0)
    return ll, kept


def log_lik(s: Spells, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per record, the spells' log-likelihood at logits `a` minus the replay's own (R,), and its gradient (R, 2)."""
    R = s.records
    if not len(s):
        return np.zeros(R), np.zeros((R, 2))
    h, hc = hazards(a)
    ll, kept = _terms(s, np.full(len(s), h), np.full(len(s), hc))
    ll0, _ = _terms(s, s.h0, s.hc0)
    dh = np.array([h * (1.0 - h), -h * hc])  # d h / d a, d h_c / d a (softmax)
    dhc = np.array([-h * hc, hc * (1.0 - hc)])
    d_quiet = -s.quiet_open[:, None] * (dh + dhc)[None] / (1.0 - h - hc) - s.quiet_closed[:, None] * dh[None] / (
        1.0 - h
    )
    k = 1.0 - TREMBLE
    grad = (k * kept / _floored(kept))[:, None] * d_quiet
    grad += (s.changes * k / _floored(np.array(hc)))[:, None] * dhc[None]
    grad += np.where(s.stopped, k / _floored(np.array(h)), 0.0)[:, None] * dh[None]
    return np.bincount(s.record, ll - ll0, R), np.stack([np.bincount(s.record, grad[:, i], R) for i in range(2)], 1)


def log_prior(a: np.ndarray) -> tuple[float, np.ndarray]:
    z = (np.asarray(a) - PRIOR_MEAN) / PRIOR_SD
    return -0.5 * float(z @ z), -z / PRIOR_SD


def read(path: str | None = None) -> dict[str, Any] | None:
    """The operations' hazards a weights file's `hazards` entry sets (`operation_days` and `change_days`, and the
    stream chances `streams` and their covariates' slopes `stream_slopes`), or None where it sets none (the
    scenario's own hazards stand)."""
    entry, where = hazards_entry(path)
    if not isinstance(entry, dict) or not any(n in entry for n in (*NAMES, "streams", "stream_slopes")):
        return None
    out: dict[str, Any] = {}
    for name in NAMES if any(n in entry for n in NAMES) else ():
        value = entry.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1.0 <= value <= LONGEST:
            raise ValueError(f"{where}: hazards.{name} must be a number of days in [1, 3660], got {value!r}")
        out[name] = float(value)
    streams = entry.get("streams")
    if streams is not None:
        ok = isinstance(streams, dict) and all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0.0 <= v <= 1.0 for v in streams.values()
        )
        if not ok:
            raise ValueError(f"{where}: hazards.streams must map actions to chances in [0, 1], got {streams!r}")
        out["streams"] = {str(k): float(v) for k, v in streams.items()}
    slopes = entry.get("stream_slopes")
    if slopes is not None:
        ok = isinstance(slopes, dict) and set(slopes) <= set(COVARIATES)
        if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in slopes.values()):
            raise ValueError(
                f"{where}: hazards.stream_slopes must map covariates {list(COVARIATES)} to numbers, got {slopes!r}"
            )
        out["stream_slopes"] = {str(k): float(v) for k, v in slopes.items()}
    return out


def table(mode: np.ndarray, a: np.ndarray, rhat: np.ndarray, ess: np.ndarray) -> dict[str, Any]:
    """Per duration (operation_days, change_days): mode, posterior mean, sd, 5% and 95% (from draws of the logits
    (S, 2)), R-hat and bulk ESS of its logit."""
    days = np.stack([durations(x) for x in a])
    return {name: summary(mode[i], days[:, i], rhat[i], ess[i]) for i, name in enumerate(NAMES)}
