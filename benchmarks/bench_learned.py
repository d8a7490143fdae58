"""Speed of the learned model (the shipped default) beside the doctrines, and against another revision.

    .venv/bin/python benchmarks/bench_learned.py                       # this tree: 3 blocks of 10 runs per arm
    .venv/bin/python benchmarks/bench_learned.py --against sc8 -n 10 --blocks 3

Arms, on jan2020, each run an `EscalationModel` to its horizon as `distribution` runs it (collect=False):
  learned        every actor under the quantal rule (`--decisions learned`, the default): distribution's seeds
  doctrines      each actor under its scenario file's rule (`--decisions doctrines`): the same seeds
  off, lookahead, lookahead+bel   benchmarks/bench_anticipation.py's three arms (its seeds 0, 1, ...)
Each arm and tree is measured in a fresh interpreter importing the package from that tree, in interleaved
blocks (block b: runs b*n .. b*n+n-1 of every arm on every tree, in turn), so that a change of load falls on
all of them; the speed is actor-days (actors x simulated days, as bench_anticipation.py counts them) per CPU
second of the child process (process time, less affected by other processes than wall time). Printed: each
arm's speed per tree, learned / doctrines per tree, and with `--against` this tree / REV per arm with whether the
two trees gave the same runs (a hash of every run's records and outcome). The load average before each block.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARMS = ("learned", "doctrines", "off", "lookahead", "lookahead+bel")
ANTICIPATION = {  # benchmarks/bench_anticipation.py's arms (its ARMS), by their edits of jan2020
    "off": {"actors.IRN.rule": {"name": "cost_benefit", "temperature": 0.15}, "actors.IRN.beliefs": {}},
    "lookahead": {"actors.IRN.beliefs": {}},
    "lookahead+bel": {},
}


def child(tree: str, arm: str, first: int, n: int) -> dict:
    """`n` runs of `arm` from run `first` on, with the package of `tree` (PYTHONPATH): CPU and wall seconds."""
    from escalation_sim import EscalationModel, load_scenario

    scenario = load_scenario(Path(tree) / "scenarios" / "jan2020.yaml")
    branch = None
    if arm in ("learned", "doctrines"):
        from escalation_sim.sweep.design import run_seed

        if arm == "learned":
            from escalation_sim.learn.extract import quantal_everywhere

            scenario = quantal_everywhere(scenario)
        seeds = [int(run_seed(0, 0, r)) for r in range(first, first + n)]  # `distribution --seed 0`'s runs
        branch = scenario.branch_date
    else:
        scenario = scenario.with_edits(ANTICIPATION[arm])
        seeds = list(range(first, first + n))
    digest = hashlib.sha256()
    wall, cpu = time.perf_counter(), time.process_time()
    for seed in seeds:
        model = EscalationModel(scenario=scenario, rng=seed, branch_date=branch, collect=False)
        model.run_model()
        outcome = model.outcome  # classification is part of a run
        digest.update(repr([_fields(r) for r in model.records]).encode() + repr(outcome).encode())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "actor_days": n * len(scenario.actors) * scenario.days,
            "runs": digest.hexdigest()[:16]}  # fmt: skip


def _fields(record: object) -> tuple:
    if hasattr(record, "__dict__"):
        return tuple(vars(record).values())
    return tuple(getattr(record, name) for name in record.__slots__)  # type: ignore[attr-defined]


def measure(tree: Path, arm: str, first: int, n: int) -> dict:
    command = [sys.executable, __file__, "--child", str(tree), arm, str(first), str(n)]
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{arm} on {tree} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        tree, arm, first, n = sys.argv[2:]
        print(json.dumps(child(tree, arm, int(first), int(n))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10, help="runs per arm, tree and block")
    parser.add_argument("--blocks", type=int, default=3, help="interleaved blocks")
    parser.add_argument("--arms", default=",".join(ARMS), help=f"comma-separated, of {', '.join(ARMS)}")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision, side by side")
    parser.add_argument("--json", type=Path, help="write the numbers here")
    args = parser.parse_args(argv)
    arms = [a for a in args.arms.split(",") if a]
    unknown = sorted(set(arms) - set(ARMS))
    if unknown:
        parser.error(f"--arms: unknown {unknown}; expected some of {', '.join(ARMS)}")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    here = f"this tree ({head.stdout.strip()})"
    results: dict = {"machine": {"nproc": os.cpu_count(), "python": platform.python_version()}, "n": args.n,
                     "blocks": args.blocks, "against": args.against, "loads": []}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        trees = {here: ROOT}
        if args.against:
            other = Path(tmp) / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other), args.against],
                           check=True)  # fmt: skip
            trees[args.against] = other
        totals = {(t, a): {"cpu": 0.0, "wall": 0.0, "actor_days": 0, "runs": []} for t in trees for a in arms}
        try:
            for block in range(args.blocks):
                load = os.getloadavg()
                results["loads"].append(load)
                print(f"block {block + 1}/{args.blocks}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
                      flush=True)  # fmt: skip
                for arm in arms:
                    for name, tree in trees.items():
                        row = measure(tree, arm, block * args.n, args.n)
                        total = totals[name, arm]
                        for key in ("cpu", "wall", "actor_days"):
                            total[key] += row[key]
                        total["runs"].append(row["runs"])
                        print(f"  {arm:14s} {name:24s} {row['actor_days'] / row['cpu']:>9,.0f} actor-days per CPU s",
                              flush=True)  # fmt: skip
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False)
    speed = {key: t["actor_days"] / t["cpu"] for key, t in totals.items()}
    for arm in arms:
        print(f"{arm}:")
        for name in trees:
            t = totals[name, arm]
            print(f"  {name:24s} {speed[name, arm]:>9,.0f} actor-days per CPU s  ({t['cpu']:.2f} CPU s, "
                  f"{t['wall']:.2f} s wall, {args.n * args.blocks} runs)")  # fmt: skip
        if args.against:
            same = totals[here, arm]["runs"] == totals[args.against, arm]["runs"]
            print(f"  {here} / {args.against}: {speed[here, arm] / speed[args.against, arm]:.2f}x per CPU s; "
                  f"same runs: {same}")  # fmt: skip
    if "learned" in arms and "doctrines" in arms:
        for name in trees:
            ratio = speed[name, "doctrines"] / speed[name, "learned"]
            print(f"doctrines / learned on {name}: {ratio:.2f}x (the learned model's cost per actor-day)")
    load = os.getloadavg()
    results["loads"].append(load)
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    results["arms"] = {f"{name} | {arm}": {**totals[name, arm], "actor_days_per_cpu_s": speed[name, arm]}
                       for name, arm in totals}  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
