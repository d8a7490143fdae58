"""The fit's reports besides the tables of run.py: the records' scores the issue asks for, each actor's posterior
class, the diagnostics' summary and the weights file (kept apart so run.py stays one step each)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..rules.features import KINDS, NAMES
from . import floors as hazard_floors
from . import intercept as random_intercept
from . import spells as operation_spells
from .classes import closest
from .extract import Tensor
from .fit import Prior, S
from .intercept import GROUPS


def scores(records: pd.DataFrame) -> dict[str, Any]:
    """The records' scores the issue asks for: totals against the prequential baselines, the records beating
    both, the floor's share, the least likely decision and the count below 1e-3 (at intercept 0 and, `_own`, at
    each actor's posterior mean intercepts)."""
    both = (records["model"] > records["prequential_base_rate"]) & (records["model"] > records["prequential_markov1"])
    total = float(records["model"].sum())
    return {
        "log_likelihood": total,
        "prequential_base_rate": float(records["prequential_base_rate"].sum()),
        "prequential_markov1": float(records["prequential_markov1"].sum()),
        "records_beating_both_prequential": int(both.sum()),
        "floor_share": float(records["floor_nats"].sum() / total) if total else 0.0,
        "min_median_replay_probability": float(records["min_median_p"].min()),
        "decisions_below_1e-3": int(records["decisions_below_1e-3"].sum()),
        # at each actor's posterior mean intercepts (the same as the above without intercepts)
        "min_median_replay_probability_own": float(records["min_median_p_own"].min()),
        "decisions_below_1e-3_own": int(records["below_1e-3_own"].sum()),
    }


def class_rows(t: Tensor, classes: Any) -> pd.DataFrame:
    """Each actor's posterior class in each record, with the doctrine each class resembles most."""
    rows = []
    group_kind = {int(g): int(k) for g, k in zip(t.group, t.kind, strict=True)}
    for g, (record, actor) in enumerate(t.groups):
        k = group_kind[g]
        post = classes.value.responsibility[:, g]
        best = int(np.argmax(post))
        rows.append(
            {
                "record": record,
                "actor": actor,
                "kind": KINDS[k],
                "class": best,
                "doctrine": closest(t.doctrines, classes.divergence[best, k], KINDS[k]),
                "posterior": float(post[best]),
                **{f"p_class{c}": float(post[c]) for c in range(len(post))},
                **{f"share_class{c}": float(classes.shares[k, c]) for c in range(len(post))},
            }
        )
    return pd.DataFrame(rows)


def summary(t, records, weights, post, mode, classes, recovery, fit_seconds) -> dict[str, Any]:
    """The numbers the issue asks for, as measured."""
    return {
        "records": len(records),
        "decisions": len(t.keys),
        "replays_per_record": int(t.feats.shape[0]),
        "parameters": int(np.isfinite(post.rhat).sum()),  # estimated: the rest are held at their prior means
        "fit_seconds": fit_seconds,
        "rhat_max": float(np.nanmax(post.rhat)),
        "ess_bulk_min": float(np.nanmin(post.ess_bulk)),
        "divergences": post.divergences,
        "mode_log_posterior": mode.log_posterior,
        **scores(records),
        "pipeline_approximated_decisions": int(t.approx),
        "classes": {
            "log_posterior": classes.log_posterior,
            "labels": classes.labels,
            "shares": classes.shares.tolist(),
        },
        "recovery_coverage_90": float(recovery["covered"].mean()) if len(recovery) else None,
        "recovery_checked": len(recovery),
    }


def write_weights(
    path: Path,
    w: np.ndarray,
    hazard: np.ndarray,
    defaults: dict[str, Any],
    fit: dict[str, Any],
    sigma: np.ndarray | None = None,
    durations: np.ndarray | None = None,
    streams: dict[str, float] | None = None,
    slopes: dict[str, float] | None = None,
    groups: tuple[str, ...] = ("force",),
) -> None:
    """The fitted weights, hazard floors and (with the intercept) its sd per kind in the quantal rule's file
    format, with the defaults and what the fit was."""
    table = {kind: {n: round(float(w[k, d]), 4) for d, n in enumerate(NAMES)} for k, kind in enumerate(KINDS)}
    about = (
        "Weights of the quantal rule by actor kind (rules/quantal.py, rules/features.py). 'defaults' are the "
        "reasoned starting values and prior means (docs/model.md, The learned decision); 'weights' are the "
        "posterior means `escalation-sim learn` fitted on the train split ('fit' says how); 'hazards' are the "
        "decision hazards' floors fitted with them (posterior means; learn/floors.py, docs/model.md section 1a), "
        "which `--decisions learned` runs with."
    )
    floors = {n: round(float(v), 5) for n, v in zip(hazard_floors.NAMES, hazard, strict=True)}
    if durations is not None:  # the operations' mean running length and time between changes (learn/spells.py)
        days = np.minimum(durations, operation_spells.LONGEST)  # the scenario field's bound (scenario/hazards.py)
        floors |= {n: round(float(v), 3) for n, v in zip(operation_spells.NAMES, days, strict=True)}
    if streams is not None:  # the chance a decided strike or harassment starts a stream of them
        floors["streams"] = {a: round(p, 4) for a, p in streams.items()}
    if slopes is not None:  # ... moved on its logit by the situation at the decision (rules/streams.py)
        floors["stream_slopes"] = {c: round(v, 4) for c, v in slopes.items()}
    data = {"about": about, "fit": fit, "defaults": defaults, "weights": table, "hazards": floors}
    if sigma is not None:  # the crisis-level intercept on force (learn/intercept.py): each run draws one per actor
        sds = np.asarray(sigma, dtype=float).reshape(len(KINDS), len(groups))
        for m, group in enumerate(groups):
            sd = {kind: round(float(sds[k, m]), 4) for k, kind in enumerate(KINDS)}
            if group == "force":
                data["intercept_sd"] = sd
            else:  # fitted, not yet drawn by forward runs (rules/quantal.py reads `intercept_sd` only)
                data.setdefault("frailty_sd", {})[group] = sd
    path.write_text(json.dumps(data, indent=1))


def sigma_tables(prior: Prior, mode: Any, post: Any) -> dict[str, Any]:
    """Per option group with an intercept, its sd per kind: mode, posterior summary, R-hat and ESS."""
    thetas = post.draws.reshape(-1, post.draws.shape[-1])
    out = {}
    for m, group in enumerate(prior.intercept):
        at = slice(S + GROUPS.index(group) * len(KINDS), S + (GROUPS.index(group) + 1) * len(KINDS))  # log sigma
        table = random_intercept.table(
            mode.sigma[:, m], thetas[:, at], post.rhat[at], post.ess_bulk[at], prior.free[at]
        )
        out["intercept_sd" if group == "force" else f"frailty_sd_{group}"] = table
    return out
