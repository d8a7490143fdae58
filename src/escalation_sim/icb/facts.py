"""Stylized facts of the ICB data, computed from the data, set beside the model's cross-validated predictions.

Why: a forecast can score well on average and still get the regularities of crises wrong (Brecher & Wilkenfeld
2000: violent triggers, protracted conflicts, more actors go with more violence). Each table row is a group of
crises: how many, how often violence (SEVVIOSY >= 2) and full-scale war (= 4) occurred, and the model's mean
predicted probabilities of the same (raw and recalibrated), out of fold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import IcbData

ERAS = ((1918, 1938, "1918-1938"), (1939, 1945, "1939-1945"), (1946, 1989, "1946-1989"), (1990, 2100, "1990-"))


def _trigger(code: float) -> str:
    if code == 9:
        return "violent act"
    if code == 8:
        return "indirect violent act"
    if code == 7:
        return "non-violent military act"
    return "non-violent (verbal, political, economic, other)"


def _groups(data: IcbData) -> pd.DataFrame:
    c = data.crises.set_index("crisno")
    nuclear = data.actors.groupby("crisno")["nuclear"].max().reindex(c.index)
    power = pd.to_numeric(c["powdissy"], errors="coerce") if "powdissy" in c else pd.Series(np.nan, index=c.index)
    return pd.DataFrame(
        {
            "trigger type": c["break"].map(_trigger),
            "protracted conflict": np.where(c["protrac"] >= 2, "protracted", "not protracted"),
            "power discrepancy": pd.cut(power, [-1, 2, 9, 1e9], labels=["low (0-2)", "medium (3-9)", "high (10+)"])
            .astype(object)
            .fillna("not coded"),
            "nuclear actors": np.where(nuclear >= 3, "a crisis actor has nuclear weapons", "none"),
            "era": [next(lab for lo, hi, lab in ERAS if lo <= y <= hi) for y in c["yrtrig"]],
            "number of actors": pd.cut(c["noactr"], [0, 2, 4, 1e9], labels=["1-2", "3-4", "5 or more"]).astype(str),
        },
        index=c.index,
    )


def stylized_facts(data: IcbData, table: pd.DataFrame) -> pd.DataFrame:
    """One row per (fact, group): n, observed and predicted shares of violence and of full-scale war."""
    groups = _groups(data)
    t = table.set_index("crisno").loc[groups.index]
    frame = groups.assign(
        obs_violent=(t["y"] >= 2).astype(float),
        obs_war=(t["y"] == 4).astype(float),
        model_violent=1 - t["model_1"],
        model_war=t["model_4"],
        recal_violent=1 - t["recal_1"],
        recal_war=t["recal_4"],
        ologit_violent=1 - t["ologit_1"],
        ologit_war=t["ologit_4"],
    )
    rows = []
    for fact in groups.columns:
        for group, part in frame.groupby(fact, sort=True):
            rows.append(
                {
                    "fact": fact,
                    "group": group,
                    "n": len(part),
                    **{col: part[col].mean() for col in frame.columns if col not in groups.columns},
                }
            )
    return pd.DataFrame(rows)
