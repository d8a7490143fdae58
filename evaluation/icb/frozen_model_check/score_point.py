"""Scores of one grid point's forecasts (the current model, all crises) against the out-of-fold base rate and
ordered logit of evaluation/icb/cv_predictions.csv (model-independent), paired by crisis. Not a cross-validation:
the point was fitted on all crises, on the earlier model's grid (docs/icb.md section 8).

python score_point.py POINT.csv RUNS CV_PREDICTIONS.csv OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from escalation_sim.evaluation.metrics import mean_interval
from escalation_sim.icb.scores import brier, log_score, rps, rps_monte_carlo

LEVELS = (1, 2, 3, 4)
SCORES = {"rps": rps, "log": log_score, "brier": brier}


def main(point_path: str, runs: str, cv_path: str, out_path: str) -> None:
    point = pd.read_csv(point_path, index_col="crisno")
    cv = pd.read_csv(cv_path).set_index("crisno")
    y = cv["y"].to_numpy(int)
    cols = [f"p_viol_{k}" for k in LEVELS]
    methods = {
        "model now (all crises at the default point)": point.loc[cv.index, cols].to_numpy(float),
        "model before (third CV, out of fold)": cv[[f"model_{k}" for k in LEVELS]].to_numpy(float),
        "ordered logit (out of fold)": cv[[f"ologit_{k}" for k in LEVELS]].to_numpy(float),
        "base rate (out of fold)": cv[[f"base_{k}" for k in LEVELS]].to_numpy(float),
    }
    now = methods["model now (all crises at the default point)"]
    out = {
        "crises": len(cv),
        "runs": int(runs),
        "means": {m: {s: float(f(p, y).mean()) for s, f in SCORES.items()} for m, p in methods.items()},
        "monte_carlo_rps_now": dict(zip(("inflation", "se"), rps_monte_carlo(now, y, int(runs)), strict=True)),
        "mean_forecast_now": dict(zip(cols, now.mean(axis=0).tolist(), strict=True)),
        "observed_share": {f"level_{k}": float((y == k).mean()) for k in LEVELS},
        "differences": {},
    }
    for other in list(methods)[1:]:
        for s, f in SCORES.items():
            d = f(now, y) - f(methods[other], y)
            low, high = mean_interval(d)
            out["differences"][f"now minus {other}: {s}"] = {"mean": float(d.mean()), "low": low, "high": high}
    text = json.dumps(out, indent=2)
    Path(out_path).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main(*sys.argv[1:5])
