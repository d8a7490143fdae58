"""Score benchmark (issue 10): `escalation-sim score jan2020` at 1,000 particles, timed as a user runs it.

    python benchmarks/bench_score.py                 # 1,000 particles x 4 filters on 2 processes
    python benchmarks/bench_score.py --particles 200

Target: under 60 s on 2 cores, and a Monte Carlo standard deviation of one filter under 1 nat. Runs the real
command in a fresh interpreter (imports and pool start-up counted) and writes benchmarks/score.json with the
load average, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--particles", type=int, default=1000)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "score.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    command = [sys.executable, "-m", "escalation_sim.cli", "score", "jan2020", "--particles", str(args.particles),
               "--replications", str(args.replications), "--workers", str(args.workers), "--json"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT,
                          env=os.environ | {"PYTHONPATH": str(ROOT / "src")})  # fmt: skip
    seconds = time.perf_counter() - started
    score = json.loads(done.stdout)
    result = {
        "command": " ".join(command[2:]), "seconds": seconds, "target_seconds": 60, "met": seconds < 60,
        "log_likelihood": score["log_likelihood"], "mc_sd": score["mc_sd"], "mc_se": score["mc_se"],
        "timing_plus_choice_minus_total": score["timing"] + score["choice"] - score["log_likelihood"],
        "baselines": score["baselines"], "per_actor": score["per_actor"], "floor_nats": score["floor_nats"],
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "cores": os.cpu_count(),
    }  # fmt: skip
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
