"""`icb predict`: every crisis of two ICB v14 CSVs -> predictions.csv and manifest.json (docs/icb.md, section 3).

A crisis the mapping cannot build, or whose scenario does not validate, gets a row with its reason and empty
probabilities: never a silent skip. Files are written only once every crisis is done, so an error leaves what was
in DIR as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario import ScenarioError, validate_scenario_data
from .codebook import OUTCOME_FORMS, VIOLENCE_LEVELS, VIOLENCE_VARIABLE
from .data import IcbData
from .manifest import file_hash, parameters_hash, provenance
from .mapping import DEFAULT_MODEL, HORIZON_DAYS, MappingError, Shared, map_crisis
from .observe import PRIMARY_RETALIATIONS, PSEUDO, summarise
from .simulate import Job, simulate

COLUMNS = [
    "crisno",
    "crisname",
    "status",
    "reason",
    *[f"p_viol_{lv}" for lv in VIOLENCE_LEVELS],
    "p_violent_cm",
    *[f"p_out_{f}" for f in OUTCOME_FORMS],
    "expected_days",
    "p_censored",
    "runs",
    "failed_runs",
]


def build_jobs(
    data: IcbData, shared: Shared, key: Callable[[int], Any] = lambda c: c, model: str = DEFAULT_MODEL
) -> tuple[list[Job], dict[int, str]]:
    """Validated scenarios of every crisis, and the reason for each crisis that has none."""
    jobs, reasons = [], {}
    for crisno in data.crises["crisno"]:
        crisno = int(crisno)
        try:
            mapped = map_crisis(data, crisno, shared, model)
            scenario = validate_scenario_data(mapped.data, f"ICB crisis {crisno}")
        except (MappingError, ScenarioError, ValueError) as exc:
            reasons[crisno] = f"cannot map: {exc}"
            continue
        jobs.append(Job(key(crisno), scenario, crisno))
    return jobs, reasons


def predict(
    data: IcbData,
    runs: int = 200,
    seed: int = 0,
    workers: int | None = 2,
    shared: Shared | None = None,
    progress: Callable[[int], None] | None = None,
    model: str = DEFAULT_MODEL,
) -> pd.DataFrame:
    """One row per crisis of `data.crises`, in file order (COLUMNS)."""
    jobs, reasons = build_jobs(data, shared or Shared(), model=model)
    frames = simulate(jobs, runs, seed, workers, progress)
    rows = []
    for _, crisis in data.crises.iterrows():
        crisno = int(crisis["crisno"])
        row: dict[str, Any] = {"crisno": crisno, "crisname": str(crisis["crisname"]).strip()}
        if crisno in reasons:
            row.update(status="unmapped", reason=reasons[crisno], runs=0, failed_runs=0)
        else:
            summary = summarise(frames[crisno])
            row.update(summary, status="failed" if "reason" in summary else "ok")
            row.setdefault("reason", "")
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def write(
    frame: pd.DataFrame,
    out: Path,
    data: IcbData,
    runs: int,
    seed: int,
    workers: int,
    shared: Shared,
    wall_s: float,
    model: str = DEFAULT_MODEL,
) -> tuple[Path, Path]:
    """DIR/predictions.csv and DIR/manifest.json."""
    parameters = {
        "model": model,
        **shared.as_dict(),
        "horizon_days": HORIZON_DAYS,
        "pseudo_count": PSEUDO,
        "primary_violence_retaliations": PRIMARY_RETALIATIONS,
        "runs": runs,
        "seed": seed,
    }
    manifest = {
        **provenance(),
        "command": "escalation-sim icb predict",
        "violence_variable": VIOLENCE_VARIABLE,
        "violence_levels": {"1": "no violence", "2": "minor clashes", "3": "serious clashes", "4": "full-scale war"},
        "violent_cm": "P(CRISMG = 8: violence the primary crisis-management technique)",
        "parameters": parameters,
        "parameters_hash": parameters_hash(parameters),
        "runs": runs,
        "seeds": {"root": seed, "rule": "run r of crisis c: sweep.design.run_seed(root, c, r)"},
        "inputs": [{"path": p, "sha256": file_hash(p)} for p in data.sources],
        "crises": len(frame),
        "mapped": int((frame["status"] == "ok").sum()),
        "unmapped": int((frame["status"] != "ok").sum()),
        "workers": workers,
        "wall_time_s": round(wall_s, 1),
    }
    out.mkdir(parents=True, exist_ok=True)
    csv, js = out / "predictions.csv", out / "manifest.json"
    frame.to_csv(csv, index=False)  # full precision: each row's probabilities sum to 1 as written
    js.write_text(json.dumps(manifest, indent=2) + "\n")
    return csv, js


def run_predict(
    data: IcbData,
    out: Path,
    runs: int,
    seed: int,
    workers: int,
    shared: Shared,
    progress: Callable[[int], None] | None = None,
    model: str = DEFAULT_MODEL,
) -> tuple[pd.DataFrame, Path, Path]:
    started = time.perf_counter()
    frame = predict(data, runs, seed, workers, shared, progress, model)
    csv, js = write(frame, out, data, runs, seed, workers, shared, time.perf_counter() - started, model)
    return frame, csv, js
