"""Record the model's outputs so a refactor can be checked byte for byte against them (issue 16).

    .venv/bin/python tools/golden_outputs.py /work/golden-core            # record (before the change)
    .venv/bin/python tools/golden_outputs.py /tmp/after && diff -r /work/golden-core /tmp/after

Writes: jan2020 seeds 0-19 (events.csv, actors.csv, summary.json, and the timeline figure of seed 0), two_state
seeds 0-4, a 200-run distribution CSV, a 50-seed replay CSV, and a one-replicate serial sweep read back from
Parquet as CSV (Parquet files carry writer metadata, their rows are what must not change).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from escalation_sim.plots import timeline
from escalation_sim.runner import run, write_run

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "escalation_sim.cli"]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for seed in range(20):
        result = run(ROOT / "scenarios" / "jan2020.yaml", seed=seed)
        write_run(result, out / f"jan2020_s{seed}")
        if seed == 0:
            timeline(result.model).savefig(out / "jan2020_s0" / "timeline.png", metadata={"Software": None})
    for seed in range(5):
        write_run(run(ROOT / "scenarios" / "two_state.yaml", seed=seed), out / f"two_state_s{seed}")
    cli = [*CLI]
    subprocess.run([*cli, "distribution", "jan2020", "-n", "200", "--workers", "1", "--actor", "IRN", "--actor",
                    "USA", "--csv", str(out / "distribution.csv")], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    _drop_timing(out / "distribution.csv")
    subprocess.run([*cli, "replay", "jan2020", "--seeds", "50", "--csv", str(out / "replay.csv")],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    sweep = out / "sweep_run"
    subprocess.run([*cli, "sweep", str(ROOT / "scenarios" / "jan2020_sweep.yaml"), "--out", str(sweep),
                    "--executor", "serial", "--replicates", "1"], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    frame = pd.read_parquet(sweep / "results")
    frame = frame.drop(columns=[c for c in frame.columns if "time" in c or "duration" in c or "seconds" in c])
    frame.sort_values(list(frame.columns[:3])).to_csv(out / "sweep.csv", index=False)
    (sweep / "summary.csv").rename(out / "sweep_summary.csv")
    subprocess.run(["rm", "-rf", str(sweep)], check=True)


def _drop_timing(path: Path) -> None:
    """Wall-clock columns differ from run to run: the rows without them must not."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns=[c for c in frame.columns if "time" in c]).to_csv(path, index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
