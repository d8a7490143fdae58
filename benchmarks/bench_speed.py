"""Speed of the one model (issue 20): forward runs, the particle filter, the runner, against another revision.

    .venv/bin/python benchmarks/bench_speed.py                          # this tree, the issue's sizes
    .venv/bin/python benchmarks/bench_speed.py --against main           # and main, side by side, with ratios
    .venv/bin/python benchmarks/bench_speed.py --runs 200 --particles 200 --replications 2 --against 8d2e719
    .venv/bin/python benchmarks/bench_speed.py --without-cache --only runs,score,quantal   # forecast cache off/on

Workloads (jan2020, each in a fresh interpreter, serial on one core unless said):
  runs      `--runs` forward runs, a plain loop over EscalationModel (what `distribution -n` runs per run)
  score     `--replications` particle filters of `--particles` particles over the record (`score jan2020`)
  runner    `sweep.distribution` with 2 workers over the same runs as `runs` (target >= 1.8x the serial loop)
  quantal   `--quantal-runs` forward runs with every actor under the quantal rule (each forecasts every option)
With `--without-cache`, this tree is also measured with the forecast cache off (minds/forecast_cache.py, its
environment variable set to 0), alternating as with `--against`; the children print the cache's hit rate.
With `--against REV`, REV is checked out into a temporary `git worktree` and every workload is run on it too, in
the same run, alternating the two trees so that a change of load affects both; each line prints the wall and CPU
seconds of both and their ratio (REV / this tree: > 1 means this tree is faster). CPU seconds are less affected
by other processes than wall seconds; the load average (`os.getloadavg`) is printed before and after each pair.
Issue 20's targets: `distribution jan2020 -n 1000` < 2 s wall, `score jan2020` (1,000 x 4) < 10 s wall.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# --- workloads, each run in a child interpreter with PYTHONPATH set to the tree measured ----------------------------


def child_runs(tree: str, n: int) -> dict:
    from escalation_sim import EscalationModel, load_scenario

    scenario = load_scenario(Path(tree) / "scenarios" / "jan2020.yaml")
    wall, cpu = time.perf_counter(), time.process_time()
    outcomes = []
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        outcomes.append(repr(model.outcome))  # classification is part of a run
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    actor_days = n * len(scenario.actors) * scenario.days
    return {"wall": wall, "cpu": cpu, "actor_days_per_s": actor_days / wall, "actor_days_per_cpu_s": actor_days / cpu,
            "outcomes": hash_of(outcomes)}  # fmt: skip


def child_score(tree: str, particles: int, replications: int) -> dict:
    import numpy as np

    from escalation_sim import load_scenario
    from escalation_sim.score.filter import run_filter
    from escalation_sim.score.record import scored_days

    scenario = load_scenario(Path(tree) / "scenarios" / "jan2020.yaml")
    days = scored_days(scenario, "record")
    seeds = np.random.SeedSequence(0).generate_state(replications)  # as `score_scenario` seeds its filters
    wall, cpu = time.perf_counter(), time.process_time()
    runs = [run_filter(scenario, days, particles, int(s)) for s in seeds]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    actor_days = replications * particles * days * len(scenario.actors)
    return {"wall": wall, "cpu": cpu, "actor_days_per_s": actor_days / wall, "actor_days_per_cpu_s": actor_days / cpu,
            "log_likelihood": float(np.mean([r.log_likelihood for r in runs]))}  # fmt: skip


def child_quantal(tree: str, n: int) -> dict:
    from escalation_sim import EscalationModel, load_scenario
    from escalation_sim.learn.extract import quantal_everywhere

    scenario = quantal_everywhere(load_scenario(Path(tree) / "scenarios" / "jan2020.yaml"))
    wall, cpu = time.perf_counter(), time.process_time()
    outcomes = []
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        outcomes.append(repr(model.outcome))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    actor_days = n * len(scenario.actors) * scenario.days
    return {"wall": wall, "cpu": cpu, "actor_days_per_s": actor_days / wall, "actor_days_per_cpu_s": actor_days / cpu,
            "outcomes": hash_of(outcomes)}  # fmt: skip


def hash_of(values: list) -> str:
    import hashlib

    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def cache_counts() -> dict:
    """The forecast cache's hits and misses in this child (empty on a tree without the cache)."""
    try:
        from escalation_sim.minds.forecast_cache import _STORES
    except ImportError:
        return {}
    hits = sum(store.hits for _, store in _STORES.values())
    misses = sum(store.misses for _, store in _STORES.values())
    return {"cache_hits": hits, "cache_misses": misses, "cache_hit_rate": hits / max(1, hits + misses)}


def child_runner(tree: str, n: int) -> dict:
    import resource

    from escalation_sim import load_scenario
    from escalation_sim.sweep import distribution, shutdown_pools

    scenario = load_scenario(Path(tree) / "scenarios" / "jan2020.yaml")
    wall, cpu = time.perf_counter(), time.process_time()
    frame = distribution(scenario, n=n, seed=0, workers=2)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    shutdown_pools()  # reap the workers, so that RUSAGE_CHILDREN counts their CPU time
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += kids.ru_utime + kids.ru_stime
    actor_days = n * len(scenario.actors) * scenario.days
    assert len(frame) == n
    return {"wall": wall, "cpu": cpu, "actor_days_per_s": actor_days / wall, "actor_days_per_cpu_s": actor_days / cpu}


CHILDREN = {"runs": child_runs, "score": child_score, "runner": child_runner, "quantal": child_quantal}
CACHE_ENV = "ESCALATION_SIM_FORECAST_CACHE"


def measure(tree: Path, kind: str, *args: object, cache: bool = True) -> dict:
    """One workload in a fresh interpreter importing the package from `tree` (the forecast cache on or off)."""
    command = [sys.executable, __file__, "--child", kind, str(tree), *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), CACHE_ENV: "1" if cache else "0"}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {args} on {tree} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the benchmark -----------------------------------------------------------------------------------------------


def load() -> float:
    return round(os.getloadavg()[0], 2)


def line(name: str, row: dict) -> str:
    speed = f"{row['actor_days_per_s']:>9,.0f} actor-days/s ({row['actor_days_per_cpu_s']:,.0f} per CPU s)"
    return f"  {name:12s} {row['wall']:8.2f} s wall {row['cpu']:8.2f} s CPU  {speed}"


def compare(trees: dict[str, tuple[Path, bool]], kind: str, args: tuple, results: dict) -> dict[str, dict]:
    """`kind` on every tree (and cache setting), in turn; prints each and, against another, the ratios."""
    before = load()
    rows = {name: measure(tree, kind, *args, cache=cache) for name, (tree, cache) in trees.items()}
    print(f"{kind} {' '.join(map(str, args))} (load {before:.2f} -> {load():.2f} on {os.cpu_count()} cores)")
    for name, row in rows.items():
        print(line(name, row) + (f"  forecast cache {row['cache_hit_rate']:.1%} hits" if "cache_hits" in row else ""))
    if len(rows) == 2:
        (here, a), (there, b) = rows.items()
        wall, cpu = b["wall"] / a["wall"], b["cpu"] / a["cpu"]
        print(f"  ratio {there} / {here}: {wall:.2f}x wall, {cpu:.2f}x CPU")
        for same in ("log_likelihood", "outcomes"):
            if same in a and same in b:
                print(f"  same {same.replace('_', '-')}: {a[same] == b[same]} ({a[same]!r}, {b[same]!r})")
        rows["ratio"] = {"wall": wall, "cpu": cpu}
    results[kind] = {"args": list(args), "load_before": before, "load_after": load(), **rows}
    if results.get("json"):  # each workload as it ends: a run stopped later keeps what it measured
        Path(results["json"]).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, tree, *rest = sys.argv[2:]
        print(json.dumps(CHILDREN[kind](tree, *map(int, rest)) | cache_counts()))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000, help="forward runs (issue 20: 1,000)")
    parser.add_argument("--particles", type=int, default=1000, help="particles per filter (issue 20: 1,000)")
    parser.add_argument("--replications", type=int, default=4, help="filters (issue 20: 4)")
    parser.add_argument("--quantal-runs", type=int, default=50, help="forward runs of the quantal workload")
    parser.add_argument("--only", default="runs,score,runner", help="comma-separated: runs, score, runner, quantal")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision, side by side")
    parser.add_argument("--without-cache", action="store_true", help="also measure this tree with no forecast cache")
    parser.add_argument("--json", type=Path, help="write the numbers here")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    results: dict = {"machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "load_at_start": load()},
                     "this_tree_commit": head.stdout.strip(), "against": args.against,
                     "without_cache": args.without_cache, "json": str(args.json) if args.json else None}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": (ROOT, True)}
        if args.without_cache:
            trees["no cache"] = (ROOT, False)
        if args.against:
            other = Path(tmp) / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other), args.against],
                           check=True)  # fmt: skip
            trees[args.against] = (other, True)
        try:
            if "runs" in only:
                rows = compare(trees, "runs", (args.runs,), results)
            if "score" in only:
                compare(trees, "score", (args.particles, args.replications), results)
            if "quantal" in only:
                compare(trees, "quantal", (args.quantal_runs,), results)
            if "runner" in only:
                runner = compare(trees, "runner", (args.runs,), results)
                if "runs" in only:
                    for name in trees:
                        speedup = rows[name]["wall"] / runner[name]["wall"]
                        results["runner"][name]["speedup_vs_serial_loop"] = speedup
                        print(f"  {name}: 2 workers {speedup:.2f}x the serial loop over the same {args.runs} runs "
                              f"(target >= 1.8x)")  # fmt: skip
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False)
    results["machine"]["load_at_end"] = load()
    print(f"load average {results['machine']['load_at_start']:.2f} at start, {load():.2f} at end")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
