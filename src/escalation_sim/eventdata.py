"""A run's daily event series coded as event data: CAMEO (with its quad class), PLOVER and Goldstein, in Parquet.

Why: simulated crises can then be set beside GDELT, ICEWS or POLECAT series with the same tools (counts per
day and quad class, Goldstein sums per dyad-day). Codes come from the ladder (data/ladder.yaml): CAMEO and
Goldstein (Schrodt 2012; Goldstein 1992), PLOVER (Halterman et al. 2023). One row per act, holds excluded, as
event datasets record them; `daily_series` sums them per day and dyad. Private messages and orders are kept but
marked `private` (news-based event data cannot see them; they have no PLOVER type): drop them to compare with
GDELT, ICEWS or POLECAT, as `daily_series` does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .model import EscalationModel

EVENT_DATA_COLUMNS = [
    "run",
    "seed",
    "date",
    "day",
    "actor",
    "target",
    "action",
    "rung",
    "cameo",
    "cameo_root",
    "quad_class",
    "plover",
    "plover_mode",
    "goldstein",
    "killed",
    "wounded",
    "origin",
    "event_id",
    "private",
]
PRIVATE_ORDERS = {"order_restraint", "order_attack"}  # a sponsor's orders to its own militia: never public
QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}


def quad_class(cameo: str | None) -> int | None:
    """CAMEO quad class from the root code (GDELT's QuadClass): 01-05 verbal cooperation, 06-09 material
    cooperation, 10-14 verbal conflict, 15-20 material conflict."""
    if not cameo:
        return None
    root = int(cameo[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def event_rows(model: EscalationModel, run: int = 0, seed: int | None = None) -> list[dict]:
    """The run's acts as event-data rows (accidents and domestic incidents kept, with no CAMEO code)."""
    rows = []
    for r in model.records:
        action = model.ladder[r.action]
        rows.append(
            {
                "run": run,
                "seed": seed,
                "date": r.date.isoformat(),
                "day": r.day,
                "actor": r.actor,
                "target": r.target,
                "action": r.action,
                "rung": r.rung,
                "cameo": action.cameo,
                "cameo_root": action.cameo[:2] if action.cameo else None,
                "quad_class": quad_class(action.cameo),
                "plover": action.plover,
                "plover_mode": action.plover_mode,
                "goldstein": action.goldstein,
                "killed": r.killed_total,
                "wounded": sum(r.wounded.values()),
                "origin": r.origin,
                "event_id": r.event_id,
                "private": bool(action.private or action.effect in PRIVATE_ORDERS),
            }
        )
    return rows


def events_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=EVENT_DATA_COLUMNS)
    frame["quad_class"] = frame["quad_class"].astype("Int8")
    frame["seed"] = frame["seed"].astype("Int64")
    return frame


def write_events(rows: list[dict], path: str | Path) -> Path:
    """Write event-data rows as Parquet (pandas reads it back as written), through the package's one safe writer:
    a regular file (never a device), written whole or not at all, its folder created."""
    from .files import write_with

    table = events_table(rows)
    return write_with(path, lambda handle: table.to_parquet(handle, index=False))


def daily_series(events: pd.DataFrame) -> pd.DataFrame:
    """Per run, day and directed dyad: event counts per quad class and the Goldstein sum (GDELT-style), of the
    acts news-based event data could see (private messages and orders left out)."""
    coded = events.dropna(subset=["quad_class"])
    if "private" in coded.columns:  # files written before the column existed have none
        coded = coded[~coded["private"].astype(bool)]
    counts = coded.pivot_table(
        index=["run", "date", "actor", "target"], columns="quad_class", values="action", aggfunc="count", fill_value=0
    )
    counts.columns = [f"quad{int(c)}" for c in counts.columns]
    goldstein = coded.groupby(["run", "date", "actor", "target"])["goldstein"].sum().rename("goldstein")
    return counts.join(goldstein).reset_index()
