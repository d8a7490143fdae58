"""The fit's reports besides the tables of run.py: the records' scores the issue asks for, each actor's posterior
class, and the diagnostics' summary (kept apart so run.py stays one step each)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..rules.features import KINDS
from .classes import closest
from .extract import Tensor


def scores(records: pd.DataFrame) -> dict[str, Any]:
    """The records' scores the issue asks for: totals against the prequential baselines, the records beating
    both, the floor's share, the least likely decision and the count below 1e-3."""
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
