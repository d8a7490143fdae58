"""What crash safety costs: a stored sweep's write time (parts checksummed, manifest updated per part) and the
time a resume takes to verify every stored part before running nothing.

    python benchmarks/bench_resume.py [--runs 4000] [--flush-rows 100]

Prints one JSON line. Run it on this branch and on an older checkout (PYTHONPATH=that/src) to compare; only
the public API (`execute_sweep`) is used, so both can run it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from escalation_sim.sweep import execute_sweep

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4000)
    parser.add_argument("--flush-rows", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sweep = Path(folder) / "bench.yaml"
        sweep.write_text(f"name: bench\nbase: {ROOT / 'scenarios' / 'two_state.yaml'}\nseed: 1\n"
                         f"replicates: {args.runs}\n")  # fmt: skip
        out = Path(folder) / "out"
        started = time.perf_counter()
        first = execute_sweep(sweep, out, executor="serial", flush_rows=args.flush_rows, progress=False,
                              trajectories=True)  # fmt: skip
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        again = execute_sweep(sweep, out, executor="serial", progress=False, trajectories=True)
        resume_s = time.perf_counter() - started
        parts = len(list((out / "results").glob("part-*.parquet")))
    assert first.complete and again.runs_done == 0
    print(json.dumps({"runs": args.runs, "parts": parts, "sweep_s": round(write_s, 3),
                      "runs_per_s": round(args.runs / write_s, 1), "resume_nothing_to_do_s": round(resume_s, 3),
                      "resume_ms_per_part": round(1000 * resume_s / max(1, parts), 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
