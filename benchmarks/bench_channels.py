"""Issue 9: does closing Iraq's channel (Iran -> US) raise American deaths after the branch and war? Common seeds.

    python benchmarks/bench_channels.py                 # 1,000 runs per arm (about a minute on one core)
    python benchmarks/bench_channels.py -n 200 --json benchmarks/channels.json

Arm A is scenarios/jan2020.yaml; arm B is benchmarks/scenarios/jan2020_iraq_channel_closed.yaml (the same with
`channels.iraq_pm.open: false`). Both run from the default branch point with seeds 0..n-1. For each arm: the share
of runs in which an American was killed by a hostile act after the branch (counted from the model's records, not
the totals that include replayed history) and the share of war. The difference is tested with the two-proportion
z (pooled) and, because the seeds are common, McNemar's z on the discordant pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from escalation_sim import EscalationModel, load_scenario  # noqa: E402

ARMS = {"open": ROOT / "scenarios" / "jan2020.yaml",
        "iraq_closed": ROOT / "benchmarks" / "scenarios" / "jan2020_iraq_channel_closed.yaml"}  # fmt: skip


def one_run(scenario, seed: int, nation: str = "USA") -> tuple[bool, bool, int]:
    """(a `nation` national killed after the branch, war, Iranian warned strikes) for one seed."""
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    model.run_model()
    killed = any(
        r.day >= model.branch_day
        and r.origin != "history"
        and r.killed.get(nation, 0) > 0
        and model.ladder[r.action].is_hostile
        for r in model.records
    )
    strikes = sum(1 for r in model.records if r.origin != "history" and r.action == "calibrated_strike")
    return killed, model.outcome.outcome == "war", strikes


def z_two(a: int, b: int, n: int) -> float:
    """Pooled two-proportion z of b/n over a/n."""
    p = (a + b) / (2 * n)
    se = math.sqrt(p * (1 - p) * 2 / n) if 0 < p < 1 else float("nan")
    return (b - a) / n / se if se else float("nan")


def z_mcnemar(only_a: int, only_b: int) -> float:
    return (only_b - only_a) / math.sqrt(only_a + only_b) if only_a + only_b else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="runs per arm (seeds 0..n-1)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    results: dict[str, list[tuple[bool, bool, int]]] = {}
    started = time.perf_counter()
    for arm, path in ARMS.items():
        scenario = load_scenario(path)
        results[arm] = [one_run(scenario, seed) for seed in range(args.n)]
    out: dict[str, object] = {"runs_per_arm": args.n, "seconds": round(time.perf_counter() - started, 1)}
    for k, name in ((0, "americans_killed_after_branch"), (1, "war")):
        a = [r[k] for r in results["open"]]
        b = [r[k] for r in results["iraq_closed"]]
        only_a = sum(x and not y for x, y in zip(a, b, strict=True))
        only_b = sum(y and not x for x, y in zip(a, b, strict=True))
        out[name] = {"open": sum(a) / args.n, "iraq_closed": sum(b) / args.n,
                     "z_two_proportion": round(z_two(sum(a), sum(b), args.n), 2),
                     "z_mcnemar": round(z_mcnemar(only_a, only_b), 2)}  # fmt: skip
    out["calibrated_strikes_per_run"] = {arm: sum(r[2] for r in rs) / args.n for arm, rs in results.items()}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
