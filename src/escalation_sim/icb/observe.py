"""A crisis's simulated runs read as ICB would code them, and summed into predicted distributions.

Each run is coded as ICB codes a crisis (docs/icb.md, section 3):
- severity of violence (SEVVIOSY): the highest force rung after the trigger (ladder.violence_level);
- violence the primary crisis-management technique (CRISMG = 8): force answered by force at least twice
  (two retaliations: the exchange, not a lone strike, is how the crisis was handled);
- form of outcome (FOROUT): the model's ICB-style termination of the dyad (dyads.py): agreement (both offered
  talks), tacit, unilateral, imposed (a concession); no militarized act after the trigger -> faded; still
  militarized at the horizon -> other;
- duration: days from the trigger to the last act that broke the calm, plus one; a run not calm at the horizon
  counts the whole horizon (a lower bound: the model cannot see a crisis longer than its horizon).

Probabilities carry a Jeffreys pseudo-count (0.5 per category), fixed before any scoring: a level no run reached
keeps a small probability, so the log score stays finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .codebook import OUTCOME_FORMS, VIOLENCE_LEVELS
from .ladder import violence_level
from .mapping import HORIZON_DAYS

PSEUDO = 0.5
TERMINATION_FORM = {
    "agreement": "agreement",
    "tacit": "tacit",
    "unilateral": "unilateral",
    "imposed": "imposed",
    "none": "faded",
    "ongoing": "other",
}
FORM_CODES = {1: "agreement", 2: "agreement", 3: "tacit", 4: "unilateral", 5: "imposed", 6: "other", 7: "faded"}
PRIMARY_RETALIATIONS = 2


def code_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per successful run: level (1-4), violent_cm (bool), form, days."""
    ok = runs[runs["error"].isna()]
    rung = pd.to_numeric(ok["max_rung"], errors="coerce")
    deaths = pd.to_numeric(ok["hostile_deaths_after_branch"], errors="coerce").fillna(0)
    calm = pd.to_numeric(ok["days_to_calm"], errors="coerce")
    return pd.DataFrame(
        {
            "level": [violence_level(None if np.isnan(r) else r, d) for r, d in zip(rung, deaths, strict=True)],
            "violent_cm": pd.to_numeric(ok["retaliations"], errors="coerce").fillna(0) >= PRIMARY_RETALIATIONS,
            "form": ok["termination"].map(TERMINATION_FORM).fillna("other"),
            "days": np.where(calm.isna(), HORIZON_DAYS, calm + 1),
        }
    )


def level_probabilities(levels: pd.Series | np.ndarray) -> np.ndarray:
    """P(level 1..4) with the pseudo-count; sums to 1."""
    counts = np.array([(np.asarray(levels) == lv).sum() for lv in VIOLENCE_LEVELS], dtype=float)
    return (counts + PSEUDO) / (counts.sum() + PSEUDO * len(VIOLENCE_LEVELS))


def summarise(runs: pd.DataFrame) -> dict[str, Any]:
    """The predicted row of one crisis from its runs (errors counted, never silently dropped)."""
    coded = code_runs(runs)
    n = len(coded)
    row: dict[str, Any] = {"runs": n, "failed_runs": int(runs["error"].notna().sum())}
    if n == 0:
        row["reason"] = f"every run failed: {runs['error'].dropna().iloc[0] if len(runs) else 'no runs'}"
        return row
    for lv, p in zip(VIOLENCE_LEVELS, level_probabilities(coded["level"]), strict=True):
        row[f"p_viol_{lv}"] = p
    k = int(coded["violent_cm"].sum())
    row["p_violent_cm"] = (k + PSEUDO) / (n + 2 * PSEUDO)
    forms = coded["form"].value_counts()
    total = n + PSEUDO * len(OUTCOME_FORMS)
    for form in OUTCOME_FORMS:
        row[f"p_out_{form}"] = (forms.get(form, 0) + PSEUDO) / total
    row["expected_days"] = float(coded["days"].mean())
    row["p_censored"] = float(pd.to_numeric(runs["censored"], errors="coerce").fillna(0).astype(bool).mean())
    return row
