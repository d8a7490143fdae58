"""Model speed with anticipation and beliefs off and on (issue 8's targets), on one core.

    .venv/bin/python benchmarks/bench_anticipation.py            # 1,000 runs per arm
    .venv/bin/python benchmarks/bench_anticipation.py -n 50      # a quick look

Actor-days/s = runs/s x actors x simulated days, as benchmarks/bench_sweep.py counts them (jan2020: 5 actors x 65
days, history included). Arms:
  off            Iran myopic (lookahead 0), no beliefs: the model as it was before issue 8   target >= 30,000
  lookahead      Iran lookahead 1, forecasting from the US's true rule, no beliefs           target >= 10,000
  lookahead+bel  the shipped jan2020: Iran lookahead 1 with beliefs about the US             target >= 10,000
Writes benchmarks/bench_anticipation.json with the machine's load average: numbers on a loaded machine are low;
actor-days per CPU second (process time) are less affected by other processes than wall-clock ones.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from escalation_sim import EscalationModel, load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "jan2020.yaml"
ARMS = {
    "off": ({"actors.IRN.rule": {"name": "cost_benefit", "temperature": 0.15}, "actors.IRN.beliefs": {}}, 30_000),
    "lookahead": ({"actors.IRN.beliefs": {}}, 10_000),
    "lookahead+bel": ({}, 10_000),
}


def measure(edits: dict, n: int) -> dict:
    scenario = load_scenario(SCENARIO).with_edits(edits)
    started, cpu = time.perf_counter(), time.process_time()
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        model.outcome  # noqa: B018 - classification is part of a run
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    per_run = len(scenario.actors) * scenario.days
    return {"runs": n, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "runs_per_s": round(n / seconds, 1),
            "actor_days_per_s": round(n / seconds * per_run),
            "actor_days_per_cpu_s": round(n / cpu * per_run)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="runs per arm")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("bench_anticipation.json"))
    args = parser.parse_args(argv)
    results = {}
    for name, (edits, target) in ARMS.items():
        row = measure(edits, args.n)
        row["target"] = target
        row["met"] = row["actor_days_per_s"] >= target
        results[name] = row
        print(f"{name:14s} {row['actor_days_per_s']:>8,} actor-days/s wall, {row['actor_days_per_cpu_s']:>8,} per CPU "
              f"second  ({row['runs_per_s']:.0f} runs/s; target {target:,}: {'met' if row['met'] else 'NOT met'})",
              flush=True)  # fmt: skip
    machine = {"nproc": os.cpu_count(), "loadavg": os.getloadavg(), "python": platform.python_version()}
    args.json.write_text(json.dumps({"arms": results, "machine": machine}, indent=1) + "\n", encoding="utf-8")
    print(f"load average {machine['loadavg'][0]:.2f} on {machine['nproc']} cores; wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
