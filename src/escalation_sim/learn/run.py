"""`escalation-sim learn`: the whole fit in one resumable pass, written as pandas-readable files.

Steps, each kept in the output folder and skipped when re-run with the same inputs (a key of the records'
hashes and the settings): the feature tensor (tensor.pkl), the posterior mode (mode.npy), the NUTS draws
(draws.npy), then the reports: weights.csv, records.csv, classes.csv, recovery.csv, diagnostics.json and
quantal_weights.json (the fitted weights and hazard floors, in the file format the quantal rule reads),
floors.csv (the hazards' floors, estimated with the weights: learn/floors.py), and low_decisions.csv (the
decisions with median replay probability below 1e-3 at the posterior mean, issue 19). Only train-split records
are accepted (the caller refuses the rest); nothing here reads a test case.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..rules.features import KINDS, NAMES
from ..scenario import Scenario
from ..score.baselines import score_baselines
from ..score.record import observed, scored_days
from . import floors as hazard_floors
from . import spells as operation_spells
from .bayes import Posterior, sample
from .classes import fit_mixture
from .extract import Tensor, extract
from .fit import A, B, E, Prior, estimated, find_mode, operations_shift, prior_from
from .intercept import Grid
from .likelihood import evaluate
from .recovery import recover
from .reports import class_rows, scores, sigma_tables, summary, write_weights

Step = Callable[[str], None]
FORMAT = 9  # of what is kept between runs: a change of the tensor's fields or of the replay makes old files stale


@dataclass(frozen=True)
class Settings:
    particles: int = 1
    draws: int = 800
    tune: int = 200
    chains: int = 4
    classes: int = 2
    recoveries: int = 20
    filter_particles: int = 200
    seed: int = 0
    mode_only: bool = False  # stop at the posterior mode: records and low decisions scored there (a quick check)
    intercept: tuple[str, ...] = ()  # option groups with a crisis-level random intercept (learn/intercept.py)
    operations: bool = False  # estimate the operations' stop and change hazards from the spells (learn/spells.py)

    def key(self, scenarios: dict[str, Scenario], defaults: dict[str, Any], fit: bool = True) -> str:
        """What the kept files depend on; without `fit`, what the feature tensor does (not the fit's options)."""
        text = json.dumps(
            [FORMAT, sorted((n, s.sha256()) for n, s in scenarios.items()), self.particles, self.seed, defaults]
            + (["intercept", *self.intercept] if self.intercept and fit else [])
            + (["operations", "streams"] if self.operations and fit else [])
            + (["sigma per kind and option group"] if fit else []),  # theta's layout since `--frailty`
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cached(path: Path, key: str, make: Callable[[], Any]) -> Any:
    """The object pickled at `path` under `key`, or made (and kept) afresh."""
    if path.exists():
        kept_key, value = pickle.loads(path.read_bytes())
        if kept_key == key:
            return value
    value = make()
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps((key, value)))
    tmp.replace(path)
    return value


def weights_table(prior: Prior, mode_w: np.ndarray, post: Posterior, defaults: dict[str, Any]) -> pd.DataFrame:
    """One row per kind and feature: default, mode, posterior mean, sd, 5% and 95%, R-hat and bulk ESS of the
    kind's weight (mu + delta_k)."""
    draws = post.draws.reshape(-1, post.draws.shape[-1])
    w = np.stack([prior.weights(th) for th in draws])  # (S, K, D)
    D = len(NAMES)
    rows = []
    for k, kind in enumerate(KINDS):
        for d, name in enumerate(NAMES):
            j = D + k * D + d
            rows.append(
                {
                    "kind": kind,
                    "feature": name,
                    "default": defaults[kind].get(name, 0.0),
                    "mode": mode_w[k, d],
                    "mean": w[:, k, d].mean(),
                    "sd": w[:, k, d].std(ddof=1),
                    "q05": np.quantile(w[:, k, d], 0.05),
                    "q95": np.quantile(w[:, k, d], 0.95),
                    "rhat_delta": post.rhat[j],
                    "ess_bulk_delta": post.ess_bulk[j],
                    "rhat_shared": post.rhat[d],
                    "ess_bulk_shared": post.ess_bulk[d],
                }
            )
    return pd.DataFrame(rows)


def records_table(
    t: Tensor,
    scenarios: dict[str, Scenario],
    w: np.ndarray,
    hazard: np.ndarray,
    sigma: np.ndarray | None = None,
    grid: Grid | None = None,
    spells: np.ndarray | None = None,
    groups: tuple[str, ...] = ("force",),
) -> pd.DataFrame:
    """Per record: the fitted model's log-likelihood (surrogate, the filter's own terms) against the prequential
    baselines of score/baselines.py on the same actor-days, like for like: a words and a deeds decision per
    actor-day, each channel with its own prequential counts and Hawkes process; nats owed to the floor; the
    smallest median probability of a decision, all at weights `w` and hazard floors `hazard` (and `spells`, each
    record's shift by the operations' estimated hazards, learn/spells.py). With intercepts (sds `sigma` on the
    option `groups`), the records' log-likelihood integrates them out on `grid`; the decisions' probabilities are
    read at intercept 0 (the median actor of its kind, as the particle filter scores) and, in `min_median_p_own`
    and `below_1e-3_own`, at each actor's posterior mean intercepts (its own crisis-level propensity)."""
    value = evaluate(t, w, hazard=hazard, sigma=sigma, grid=grid, groups=groups)  # intercepts integrated out
    per_record = value.per_record + (0.0 if spells is None else spells)
    from .likelihood import decision_terms

    ll, _, floors, _, _ = decision_terms(t, w, hazard)
    median_p = np.exp(np.median(ll, axis=0))
    own = median_p
    if value.intercept is not None:
        own = np.exp(np.median(decision_terms(t, w, hazard, value.intercept, groups)[0], axis=0))
    rows = []
    for r, name in enumerate(t.records):
        scenario = scenarios[name]
        base = score_baselines(scenario, observed(scenario, scored_days(scenario)))
        total = {b: sum(p["timing"] + p["choice"] for p in parts.values()) for b, parts in base.items()}
        mine = t.record == r
        rows.append(
            {
                "record": name,
                "decisions": int(mine.sum()),
                "model": per_record[r],
                "uniform": total["uniform"],
                "prequential_base_rate": total["prequential_base_rate"],
                "prequential_markov1": total["prequential_markov1"],
                "hawkes": total["hawkes"],
                "floor_nats": float(floors[:, mine].mean(axis=0).sum()),
                "min_median_p": float(median_p[mine].min()),
                "decisions_below_1e-3": int((median_p[mine] < 1e-3).sum()),
                "min_median_p_own": float(own[mine].min()),
                "below_1e-3_own": int((own[mine] < 1e-3).sum()),
            }
        )
    return pd.DataFrame(rows)


def low_decisions(
    t: Tensor,
    w: np.ndarray,
    hazard: np.ndarray | None = None,
    below: float = 1e-3,
    offset: np.ndarray | None = None,
    groups: tuple[str, ...] = ("force",),
) -> pd.DataFrame:
    """The decisions whose median probability over replays is below `below` at weights `w`, hazard floors
    `hazard` (None: the replay's own) and each actor's intercepts `offset` (G, M) on the option `groups` (None:
    0), least likely first: key, channel, actor kind, and `pipeline`, the largest
    share of an option's mass the policy pipeline passes to what was observed (near the hazards' floors, the
    pipeline, not the rule's weights, makes it unlikely)."""
    from .likelihood import _rows, compact, decision_terms

    ll, _, _, _, _ = decision_terms(t, w, hazard, offset, groups)
    c = compact(t)
    rows_at = [_rows(c, p, hazard)[:2] for p in range(t.feats.shape[0])]  # (hold, observed) rows per replay
    median_p = np.exp(np.median(ll, axis=0))
    rows = []
    for n in np.flatnonzero(median_p < below):
        record, day, actor, what = t.keys[n]
        mine = slice(c.starts[n], c.starts[n + 1] if n + 1 < len(c.starts) else None)
        m = np.array([obs[mine] if t.act[n] else hold[mine] for hold, obs in rows_at])
        rows.append(
            {
                "record": record,
                "day": day,
                "actor": actor,
                "event": what,
                "channel": "words" if t.words[n] else "deeds",
                "kind": KINDS[int(t.kind[n])],
                "median_p": float(median_p[n]),
                "pipeline": float(np.median(m.max(axis=1))),
            }
        )
    columns = ["record", "day", "actor", "event", "channel", "kind", "median_p", "pipeline"]
    return pd.DataFrame(rows, columns=columns).sort_values("median_p", ignore_index=True)


def learn(
    scenarios: dict[str, Scenario], out: Path, settings: Settings, defaults: dict[str, Any], step: Step
) -> dict[str, Any]:
    """Fit, check and report; returns the diagnostics written to diagnostics.json."""
    out.mkdir(parents=True, exist_ok=True)
    s = settings
    key = s.key(scenarios, defaults)
    began = time.perf_counter()
    step("extracting features along the records")
    t = _cached(
        out / "tensor.pkl", s.key(scenarios, defaults, fit=False), lambda: extract(scenarios, s.particles, s.seed)
    )
    spells = streams = None
    if s.operations:  # the streams' covariates are read in the replay's first pass (Tensor.stream_x)
        named = list(scenarios.values())
        spells = operation_spells.collect(named, [scored_days(x) for x in named])
        streams = operation_spells.collect_streams(named, [scored_days(x) for x in named], t.stream_x)
    prior = prior_from(defaults, s.intercept, spells, streams)
    full, prior = prior, estimated(prior, t)  # the parameters the records identify (fit.identified)
    step("posterior mode")
    mode = _cached(out / "mode.pkl", key, lambda: find_mode(t, prior))
    prior = replace(prior, grid=mode.grid)  # NUTS integrates the intercept on the nodes centred at the mode
    if s.mode_only:
        return mode_report(t, scenarios, mode, out, defaults, key, began, prior)
    step("NUTS")
    post = _cached(
        out / "draws.pkl",
        f"{key}-{s.draws}-{s.tune}-{s.chains}",
        lambda: sample(t, prior, mode.theta, s.draws, s.tune, s.chains, s.seed),
    )
    weights = weights_table(prior, mode.weights, post, defaults)
    weights.to_csv(out / "weights.csv", index=False)
    thetas = post.draws.reshape(-1, post.draws.shape[-1])
    mean_w = np.stack([prior.weights(th) for th in thetas]).mean(axis=0)
    mean_h = np.stack([prior.floors(th) for th in thetas]).mean(axis=0)
    mean_s = np.stack([prior.sigma(th) for th in thetas]).mean(axis=0) if s.intercept else None
    mean_d = np.stack([prior.durations(th) for th in thetas]).mean(axis=0) if s.operations else None
    theta_bar = thetas.mean(axis=0)
    if mean_d is not None:  # the hazards' logits at the posterior mean durations (the streams': mean logits)
        theta_bar[A:B] = operation_spells.logits(mean_d)
    shift = operations_shift(prior, theta_bar)
    h = -len(mean_h)  # the floors' logits are theta's last entries
    floors = hazard_floors.table(mode.floors, thetas[:, h:], post.rhat[h:], post.ess_bulk[h:])
    pd.DataFrame(floors).to_csv(out / "floors.csv", index=False)
    step("records against the baselines")
    records = records_table(t, scenarios, mean_w, mean_h, mean_s, mode.grid, shift, s.intercept)
    records.to_csv(out / "records.csv", index=False)
    low_decisions(t, mean_w, mean_h).to_csv(out / "low_decisions.csv", index=False)
    low_own(t, mean_w, mean_h, mean_s, mode.grid, s.intercept, out)
    fit_seconds = mode.seconds + post.seconds
    step("latent classes")
    classes = _cached(
        out / "classes.pkl",
        f"{key}-{s.classes}",
        lambda: fit_mixture(t, prior, mode.weights, s.classes, s.seed, mode.floors),
    )
    class_rows(t, classes).to_csv(out / "classes.csv", index=False)
    step("parameter recovery")
    recovery = _recovery(scenarios, mean_w, mean_h, full, s, step)
    recovery.to_csv(out / "recovery.csv", index=False)
    fit = {"records": list(scenarios), "key": key, "particles": s.particles, "draws": s.draws * s.chains}
    streamed = None if mean_d is None else operation_spells.stream_chances(theta_bar[B:E])
    slopes = prior.stream_slopes(theta_bar)
    write_weights(
        out / "quantal_weights.json", mean_w, mean_h, defaults, fit, mean_s, mean_d, streamed, slopes, s.intercept
    )
    diagnostics = summary(t, records, weights, post, mode, classes, recovery, fit_seconds)
    diagnostics["hazard_floors"] = {row["floor"]: row for row in floors}
    diagnostics |= sigma_tables(prior, mode, post)
    if s.operations:
        at = slice(A, A + len(operation_spells.NAMES))
        diagnostics["operation_hazards"] = operation_spells.table(
            prior.durations(mode.theta), thetas[:, at], post.rhat[at], post.ess_bulk[at]
        )
    step("particle filter check")
    diagnostics["filter_check"] = filter_check(scenarios, records, out / "quantal_weights.json", s)
    diagnostics["total_seconds"] = time.perf_counter() - began
    (out / "diagnostics.json").write_text(json.dumps(diagnostics, indent=1, default=float))
    return diagnostics


def low_own(
    t: Tensor,
    w: np.ndarray,
    hazard: np.ndarray,
    sigma: np.ndarray | None,
    grid: Grid | None,
    groups: tuple[str, ...],
    out: Path,
) -> None:
    """With intercepts, low_own.csv: the decisions below 1e-3 at each actor's posterior mean intercepts."""
    if sigma is not None and groups:
        own = evaluate(t, w, hazard=hazard, sigma=sigma, grid=grid, groups=groups).intercept
        low_decisions(t, w, hazard, offset=own, groups=groups).to_csv(out / "low_own.csv", index=False)


def mode_report(
    t: Tensor,
    scenarios: dict[str, Scenario],
    mode: Any,
    out: Path,
    defaults: dict[str, Any],
    key: str,
    began: float,
    prior: Prior,
) -> dict[str, Any]:
    """`--mode-only`: the records, the low decisions and the weights at the posterior mode (no NUTS, classes,
    recovery or filter check); the diagnostics say which estimate they are."""
    rows = [
        {"kind": kind, "feature": name, "default": defaults[kind].get(name, 0.0), "mode": mode.weights[k, d]}
        for k, kind in enumerate(KINDS)
        for d, name in enumerate(NAMES)
    ]
    pd.DataFrame(rows).to_csv(out / "weights.csv", index=False)
    durations = prior.durations(mode.theta)
    shift = operations_shift(prior, mode.theta)
    records = records_table(t, scenarios, mode.weights, mode.floors, mode.sigma, mode.grid, shift, prior.intercept)
    records.to_csv(out / "records.csv", index=False)
    low_decisions(t, mode.weights, mode.floors).to_csv(out / "low_decisions.csv", index=False)
    low_own(t, mode.weights, mode.floors, mode.sigma, mode.grid, prior.intercept, out)
    fit = {"records": list(scenarios), "key": key, "particles": int(t.feats.shape[0]), "estimate": "posterior mode"}
    streamed, slopes = prior.stream_chances(mode.theta), prior.stream_slopes(mode.theta)
    write_weights(
        out / "quantal_weights.json",
        mode.weights,
        mode.floors,
        defaults,
        fit,
        mode.sigma,
        durations,
        streamed,
        slopes,
        prior.intercept,
    )
    diagnostics = {
        "estimate": "posterior mode",
        "records": len(records),
        "decisions": len(t.keys),
        "fit_seconds": mode.seconds,
        "mode_converged": mode.converged,
        "mode_log_posterior": mode.log_posterior,
        "hazard_floors": {n: float(v) for n, v in zip(hazard_floors.NAMES, mode.floors, strict=True)},
        "intercept_sd": None
        if mode.sigma is None
        else {g: dict(zip(KINDS, mode.sigma[:, m].tolist(), strict=True)) for m, g in enumerate(prior.intercept)},
        "operation_hazards": None
        if durations is None
        else dict(zip(operation_spells.NAMES, durations.tolist(), strict=True)),
        "stream_chances": streamed,
        "stream_slopes": slopes,
        **scores(records),
        "total_seconds": time.perf_counter() - began,
    }
    (out / "diagnostics.json").write_text(json.dumps(diagnostics, indent=1, default=float))
    return diagnostics


def filter_check(scenarios: dict[str, Scenario], records: pd.DataFrame, weights: Path, s: Settings) -> dict[str, Any]:
    """The first record scored by the particle filter (`escalation-sim score`) with every actor quantal at the
    fitted weights, against the surrogate at the same weights: the gap says what the surrogate leaves out."""
    from ..score.likelihood import score_scenario
    from .extract import quantal_everywhere

    name, scenario = next(iter(scenarios.items()))
    began = time.perf_counter()
    result = score_scenario(quantal_everywhere(scenario, str(weights)), s.filter_particles, 2, s.seed)
    surrogate = float(records.loc[records["record"] == name, "model"].iloc[0])
    return {
        "record": name,
        "filter": result.log_likelihood,
        "filter_mc_se": result.mc_se,
        "filter_particles": s.filter_particles,
        "filter_floor_share": result.floor_nats / result.log_likelihood if result.log_likelihood else 0.0,
        "surrogate": surrogate,
        "gap": surrogate - result.log_likelihood,
        "seconds": time.perf_counter() - began,
    }


def _recovery(
    scenarios: dict[str, Scenario], truth: np.ndarray, floors: np.ndarray, prior: Prior, s: Settings, step: Step
) -> pd.DataFrame:
    """`s.recoveries` synthetic records of the first record's scenario at the fitted weights and floors,
    refitted."""
    base = next(iter(scenarios.values()))
    rows = []
    for n in range(s.recoveries):
        step(f"parameter recovery {n + 1}/{s.recoveries}")
        result = recover(base, truth, prior, s.seed + 7919 * (n + 1), floors=floors)
        rows += [{"replicate": n, "decisions": result.decisions, **row} for row in result.rows]
    return pd.DataFrame(rows)
