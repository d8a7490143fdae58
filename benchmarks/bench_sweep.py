"""Sweep benchmarks on the January 2020 scenario from its default branch point (issue 4's targets).

    .venv/bin/python benchmarks/bench_sweep.py                 # full sizes (about 25 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_sweep.py --smoke         # tiny sizes: checks the script runs
    .venv/bin/python benchmarks/bench_sweep.py --only model,runner

Prints a table and writes benchmarks/results.json (with the machine: nproc, CPU model, Python version).
Each measurement runs in a fresh interpreter, so pool start-up and imports are counted as a user sees them.

Targets:
  model        >= 30,000 actor-days/s on one core (runs/s x actors x simulated days)
  runner       2 workers >= 1.8x a plain serial loop over EscalationModel at 3,200 runs (issue 8)
  batch_run    runner >= mesa.batch_run with the same number of processes, at every size
  scaling      2 workers >= 1.8x 1 worker at 20,000 runs
  memory       peak RSS of the sweep process at 100,000 runs <= 1.5x at 10,000
  distribution 1,000-run outcome distribution < 5 s on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "jan2020.yaml"

FULL = {"model": 1000, "runner": 3200, "batch_run": [200, 2000], "scaling": 20000, "memory": [10000, 100000],
        "distribution": 1000}  # fmt: skip
SMOKE = {"model": 5, "runner": 8, "batch_run": [4], "scaling": 8, "memory": [4, 8], "distribution": 8}


# --- measurements, each run in a child interpreter ----------------------------------------------------------------


def child_model(n: int) -> dict:
    from escalation_sim import EscalationModel, load_scenario

    scenario = load_scenario(SCENARIO)
    started, cpu = time.perf_counter(), time.process_time()
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()  # the fastest plain loop: the baseline the runner must beat
        model.outcome  # noqa: B018 - classification is part of a run
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    days = scenario.days - (scenario.branch_date - scenario.start_date).days if scenario.branch_date else 0
    return {"runs": n, "seconds": seconds, "runs_per_s": n / seconds, "actors": len(scenario.actors),
            "days": scenario.days, "days_after_branch": days,
            "actor_days_per_s": n / seconds * len(scenario.actors) * scenario.days, "cpu_seconds": cpu,
            "actor_days_per_cpu_s": n / cpu * len(scenario.actors) * scenario.days}  # fmt: skip


def _sweep_file(folder: Path, replicates: int) -> Path:
    path = folder / "bench_sweep.yaml"
    path.write_text(f"name: bench\nbase: {SCENARIO}\nseed: 1\nreplicates: {replicates}\n")
    return path


def child_runner(n: int, workers: int, executor: str = "process") -> dict:
    from escalation_sim.sweep import execute_sweep, shutdown_pools

    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        report = execute_sweep(_sweep_file(Path(tmp), n), Path(tmp) / "out", executor=executor,  # type: ignore[arg-type]
                               workers=workers, progress=False)  # fmt: skip
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    assert report.runs_done == n and report.runs_failed == 0
    shutdown_pools()  # reap the workers, so that RUSAGE_CHILDREN counts their CPU time
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"runs": n, "workers": workers, "seconds": seconds, "runs_per_s": n / seconds, "parent_cpu_seconds": cpu,
            "workers_cpu_seconds": kids.ru_utime + kids.ru_stime}  # fmt: skip


def child_batch_run(n: int, workers: int) -> dict:
    import mesa

    from escalation_sim import EscalationModel, load_scenario

    started = time.perf_counter()
    scenario = load_scenario(SCENARIO)
    rows = mesa.batch_run(EscalationModel, parameters={"scenario": [scenario], "collect": [False]},
                          number_processes=workers, rng=list(range(n)), data_collection_period=-1,
                          display_progress=False)  # fmt: skip
    seconds = time.perf_counter() - started
    return {"runs": n, "workers": workers, "seconds": seconds, "runs_per_s": n / seconds, "rows": len(rows)}


def child_memory(n: int, workers: int) -> dict:
    from escalation_sim.sweep import execute_sweep, shutdown_pools

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        report = execute_sweep(_sweep_file(Path(tmp), n), Path(tmp) / "out", workers=workers, progress=False)
    seconds = time.perf_counter() - started
    assert report.runs_done == n
    shutdown_pools()  # reap the workers, so that RUSAGE_CHILDREN counts them
    return {"runs": n, "workers": workers, "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_rss_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}  # fmt: skip


def child_distribution(n: int, workers: int) -> dict:
    from escalation_sim import load_scenario
    from escalation_sim.sweep import distribution

    scenario = load_scenario(SCENARIO)
    started = time.perf_counter()
    first = distribution(scenario, n=n, seed=0, workers=workers)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    distribution(scenario, n=n, seed=1, workers=workers)
    warm = time.perf_counter() - started
    assert len(first) == n
    return {"runs": n, "workers": workers, "seconds_cold": cold, "seconds_warm": warm,
            "p_war": float((first["outcome"] == "war").mean())}  # fmt: skip


CHILDREN = {"model": child_model, "runner": child_runner, "batch_run": child_batch_run, "memory": child_memory,
            "distribution": child_distribution}  # fmt: skip


def measure(kind: str, *args: object) -> dict:
    """Run one measurement in a fresh interpreter (as a user would) and return its numbers."""
    command = [sys.executable, __file__, "--child", kind, *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the benchmark ---------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    load = os.getloadavg()[0]
    return {"nproc": cores, "cpu": cpu, "python": platform.python_version(), "platform": platform.platform(),
            "memory_gb": round(memory_gb, 1), "load_average_at_start": round(load, 2)}  # fmt: skip


def run(sizes: dict, only: set[str]) -> dict:
    results: dict[str, object] = {}
    checks: list[tuple[str, str, bool]] = []
    if "model" in only:
        model = measure("model", sizes["model"])
        results["model"] = model
        checks.append(("model: actor-days/s on one core (>= 30,000)", f"{model['actor_days_per_s']:,.0f}",
                       model["actor_days_per_s"] >= 30_000))  # fmt: skip
    if "runner" in only:
        n = sizes["runner"]
        loop = measure("model", n)
        runner = measure("runner", n, 2)
        speedup = loop["seconds"] / runner["seconds"]
        cpu_ratio = (runner["parent_cpu_seconds"] + runner["workers_cpu_seconds"]) / loop["cpu_seconds"]
        results["runner"] = {"serial_loop": loop, "runner_2_workers": runner, "speedup": speedup,
                             "cpu_ratio": cpu_ratio}  # fmt: skip
        checks.append((f"runner: 2 workers vs plain serial loop at {n:,} runs (>= 1.8x)", f"{speedup:.2f}x",
                       speedup >= 1.8))  # fmt: skip
        # load-independent: the runner's CPU time (parent + workers) against the loop's; 1.0 = no overhead
        checks.append((f"runner: CPU time of the runner / the serial loop at {n:,} runs (<= 1.1)",
                       f"{cpu_ratio:.2f}", cpu_ratio <= 1.1))  # fmt: skip
    if "batch_run" in only:
        rows = []
        for n in sizes["batch_run"]:
            ours = measure("runner", n, 2)
            theirs = measure("batch_run", n, 2)
            ratio = ours["runs_per_s"] / theirs["runs_per_s"]
            rows.append({"runs": n, "runner": ours, "mesa_batch_run": theirs, "ratio": ratio})
            checks.append((f"runner vs mesa.batch_run, 2 processes, {n:,} runs (>= 1x)", f"{ratio:.2f}x",
                           ratio >= 1.0))  # fmt: skip
        results["batch_run"] = rows
    if "scaling" in only:
        n = sizes["scaling"]
        one = measure("runner", n, 1)
        two = measure("runner", n, 2)
        speedup = one["seconds"] / two["seconds"]
        results["scaling"] = {"one_worker": one, "two_workers": two, "speedup": speedup}
        checks.append((f"scaling: 2 workers vs 1 at {n:,} runs (>= 1.8x)", f"{speedup:.2f}x", speedup >= 1.8))
    if "memory" in only:
        small, large = sizes["memory"]
        low = measure("memory", small, 2)
        high = measure("memory", large, 2)
        ratio = high["peak_rss_mb"] / low["peak_rss_mb"]
        results["memory"] = {"small": low, "large": high, "ratio": ratio}
        shown = f"{ratio:.2f}x ({low['peak_rss_mb']:.0f} -> {high['peak_rss_mb']:.0f} MB)"
        checks.append((f"memory: peak RSS at {large:,} / at {small:,} runs (<= 1.5x)", shown, ratio <= 1.5))
    if "distribution" in only:
        dist = measure("distribution", sizes["distribution"], 2)
        results["distribution"] = dist
        shown = f"{dist['seconds_cold']:.2f} s / {dist['seconds_warm']:.2f} s"
        target = f"distribution: {sizes['distribution']:,} runs on 2 workers (< 5 s), cold / warm pool"
        checks.append((target, shown, dist["seconds_cold"] < 5))
    return {"results": results, "checks": [{"key": _key(t), "target": t, "measured": m, "met": ok}
                                           for t, m, ok in checks]}  # fmt: skip


def _key(target: str) -> str:
    """The measurement a check belongs to (its key in `results`)."""
    return "batch_run" if "batch_run" in target else target.split(":")[0]


def merge(old: dict, new: dict) -> dict:
    """The old report with the measurements made now replacing theirs (each keeps its own machine record)."""
    measured = set(new["results"])
    checks = [c for c in old["checks"] if c.get("key", _key(c["target"])) not in measured] + new["checks"]
    order = ["model", "runner", "batch_run", "scaling", "memory", "distribution"]
    checks.sort(key=lambda c: order.index(c.get("key", _key(c["target"]))))
    earlier = {k: {**v, "machine": old["machine"]} if isinstance(v, dict) else v
               for k, v in old["results"].items() if k not in measured}  # fmt: skip
    return {**new, "results": {**earlier, **new["results"]}, "checks": checks,
            "earlier_measurements_machine": old["machine"]}  # fmt: skip


def print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    m = report["machine"]
    table = Table(title=f"Sweep benchmarks: {m['cpu']}, {m['nproc']} cores, Python {m['python']} "
                        f"(load average at start {m['load_average_at_start']})", title_justify="left")  # fmt: skip
    table.add_column("target")
    table.add_column("measured", justify="right")
    table.add_column("met")
    for check in report["checks"]:
        table.add_row(check["target"], check["measured"], "yes" if check["met"] else "[red]NO[/]")
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check that the script runs")
    parser.add_argument("--only", default="model,runner,batch_run,scaling,memory,distribution")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results (default: "
                        "benchmarks/results.json; smoke runs write nothing unless given)")  # fmt: skip
    parser.add_argument("--merge", action="store_true", help="keep the other measurements already in the JSON "
                        "file (those measured now replace theirs)")  # fmt: skip
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *values = args.child
        print(json.dumps(CHILDREN[kind](*map(int, values))))
        return
    sizes = SMOKE if args.smoke else FULL
    only = set(args.only.split(","))
    started = time.perf_counter()
    report = {"machine": machine(), "sizes": sizes, "command": " ".join([Path(sys.executable).name, *sys.argv]),
              **run(sizes, only)}  # fmt: skip
    report["seconds"] = time.perf_counter() - started
    out = args.json or (None if args.smoke else Path(__file__).with_name("results.json"))
    if args.merge and out is not None and out.exists():
        report = merge(json.loads(out.read_text()), report)
    print_table(report)
    if out is not None:
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
