"""Parameter recovery (issue 10): on synthetic records simulated with known values, do the intervals cover them?

    python benchmarks/bench_recovery.py                      # 20 records (target: truth covered in >= 16)
    python benchmarks/bench_recovery.py --records 4 --steps 12   # a smaller run

Design: the stylised two-state scenario (scenarios/two_state.yaml), one parameter, RED's decision lag (mean days
to answer a provocation, `actors.RED.decision_lag_days`), prior uniform on [1, 6]. For each record a true value is
drawn from that prior, one run is simulated with it (history to the branch, the model after it), and the whole
run (every actor-day to the horizon) is calibrated with `calibrate` (emcee over the particle filter). Truth drawn
from the prior makes the check exact in the Bayesian sense: 90% intervals should cover it 90% of the time, 18 of
20; the target is 16. Records run in parallel, one per process. Writes benchmarks/recovery.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PARAM = "actors.RED.decision_lag_days"
LOW, HIGH = 1.0, 6.0


def one(index: int, truth: float, steps: int, walkers: int, particles: int) -> dict:
    from escalation_sim.calibrate import Param, calibrate
    from escalation_sim.calibrate.synthetic import synthetic_record
    from escalation_sim.scenario import load_scenario

    base = load_scenario(ROOT / "scenarios" / "two_state.yaml")
    record = synthetic_record(base, {PARAM: truth}, seed=1000 + index)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        summary = calibrate([record], [Param(PARAM, LOW, HIGH)], Path(out), walkers=walkers, steps=steps,
                            particles=particles, seed=index, until="horizon")  # fmt: skip
    p = summary["parameters"][PARAM]
    return {"record": index, "truth": truth, "events": len(record.events), "median": p["median"], "low": p["low"],
            "high": p["high"], "covered": p["low"] <= truth <= p["high"], "rhat": p["rhat"],
            "ess_bulk": p["ess_bulk"], "acceptance": summary["acceptance"],
            "seconds": time.perf_counter() - started}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--walkers", type=int, default=6)
    parser.add_argument("--particles", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "recovery.json")
    args = parser.parse_args()
    truths = np.random.default_rng(2026).uniform(LOW, HIGH, size=args.records)
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        futures = [
            pool.submit(one, i, float(t), args.steps, args.walkers, args.particles) for i, t in enumerate(truths)
        ]
        rows = []
        for f in futures:
            rows.append(f.result())
            r = rows[-1]
            verdict = "covered" if r["covered"] else "MISSED"
            print(f"record {r['record']:2d}: truth {r['truth']:.2f}  90% interval {r['low']:.2f} - {r['high']:.2f}  "
                  f"{verdict}  ({r['events']} events, {r['seconds']:.0f} s)", flush=True)  # fmt: skip
    covered = sum(r["covered"] for r in rows)
    result = {"param": PARAM, "prior": [LOW, HIGH], "records": len(rows), "covered": covered,
              "target": f">= {int(np.ceil(0.8 * len(rows)))} of {len(rows)}",
              "settings": vars(args) | {"out": str(args.out)},
              "mean_interval_width": float(np.mean([r["high"] - r["low"] for r in rows])),
              "wall_seconds": time.perf_counter() - started, "load_average": os.getloadavg(), "rows": rows}  # fmt: skip
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"covered {covered} of {len(rows)}; mean 90% interval width {result['mean_interval_width']:.2f} "
        f"(prior width {HIGH - LOW}); {result['wall_seconds']:.0f} s; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
