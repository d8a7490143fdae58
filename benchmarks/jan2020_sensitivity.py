"""How jan2020's reported numbers depend on the declared priors of its US regime (issue 17, item 4).

A thin caller of `escalation_sim.prior_sensitivity` (the same grid as `escalation-sim replay jan2020
--sensitivity`): the US regime's filter tremble in {0, 1e-4, 1e-3, 1e-2} x both trigger probabilities in
{0.1, 0.3, 0.5, 0.7, 0.9}. Per cell: the median replay probability of each US decision (p_A02, ...), the record's
log-likelihood over them, outcome shares over n runs from the branch, and the posterior-predictive checks
(USA_leadership_strike_8w: a second US leadership strike within 8 weeks of the branch; USA_killed_after_branch:
an American killed by the horizon, 29 February 2020; history: 0 and 0). This script adds the bands over the
grid and writes them with the cells as JSON.

Usage:  python benchmarks/jan2020_sensitivity.py [-n 100] [--seeds 20] [--json benchmarks/jan2020_sensitivity.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from escalation_sim import load_scenario
from escalation_sim.prior_sensitivity import prior_sensitivity

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "jan2020.yaml"
BANDS = ("war", "USA_leadership_strike_8w", "USA_killed_after_branch")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100, help="runs per cell (common seeds 0..n-1)")
    parser.add_argument("--seeds", type=int, default=20, help="replays per cell for the replay probabilities")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("jan2020_sensitivity.json"))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    frame = prior_sensitivity(
        load_scenario(SCENARIO), runs=args.n, seeds=args.seeds, progress=lambda d, t: print(f"cell {d}/{t}", flush=True)
    )
    print(frame.to_string(float_format=lambda v: f"{v:.3g}"))
    bands = {k: f"{frame[k].min():.1%}-{frame[k].max():.1%}" for k in BANDS}
    print(f"\nacross the grid: {bands} ({time.perf_counter() - start:.0f} s)")
    cells = json.loads(frame.to_json(orient="records"))
    args.json.write_text(json.dumps({"cells": cells, "bands": bands}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
