"""Calibration benchmark (issue 10): 3 parameters on jan2020, as a user runs it. Target: within 30 minutes on 2 cores.

    python benchmarks/bench_calibrate.py                     # 8 walkers x 50 steps x 100 particles, 2 processes
    python benchmarks/bench_calibrate.py --steps 4           # a smoke run

The parameters are the three the January 2020 record speaks to most directly: Kata'ib Hezbollah's daily rate of
rocket attacks (`actors.KH.rule.base_rate`, prior 0.001-0.1), Iran's decision noise (`actors.IRN.rule.temperature`,
0.02-0.5) and the US decision lag (`actors.USA.decision_lag_days`, 1-10 days). Writes benchmarks/calibrate.json
with the wall time, the load average (the machine may be shared), and the posterior summary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ["actors.KH.rule.base_rate=0.001:0.1", "actors.IRN.rule.temperature=0.02:0.5",
          "actors.USA.decision_lag_days=1:10"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--walkers", type=int, default=8)
    parser.add_argument("--particles", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "calibrate.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "escalation_sim.cli", "calibrate", "jan2020", "--out", folder,
                   "--steps", str(args.steps), "--walkers", str(args.walkers), "--particles", str(args.particles),
                   "--workers", str(args.workers)]  # fmt: skip
        for p in PARAMS:
            command += ["--params", p]
        load_before = os.getloadavg()
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT / "src")})
        seconds = time.perf_counter() - started
        summary = json.loads((Path(folder) / "calibration.json").read_text())
    result = {"command": " ".join(command[2:]).replace(folder, "OUT"), "seconds": seconds, "target_seconds": 1800,
              "met": seconds < 1800, "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "posterior": summary["parameters"], "acceptance": summary["acceptance"]}  # fmt: skip
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
