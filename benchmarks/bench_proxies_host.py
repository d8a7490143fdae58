"""Issue 9 (items 4-6) measured on jan2020, 1,000 runs per arm, common seeds (seed i in both arms).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_proxies_host.py            # 1,000 runs per arm
    PYTHONPATH=src .venv/bin/python benchmarks/bench_proxies_host.py --runs 50  # a quick look

1. Restraint order. At the branch point (4 Jan 2020) Iran orders Kata'ib Hezbollah to hold fire, or does not.
   KH's attacks (rung >= 5, decided by the model) are counted over the order's binding days, which start when
   it arrives (after KH's order_lag_days). Target: the daily attack rate falls by at least control x 50%, with
   control KH's mean control on the day the order was sent.
2. Withdrawal demand. The model decides from 6 January 2020, after history's 5 January vote (A10), or from the
   same day with A10 removed. Counted: runs in which the US uses force against a target on Iraqi soil within
   30 days, under the US's own rule in jan2020 (red_line), and the mean daily probability its policy gives such
   force (read from the policy each morning, paired by seed). Target: lower with the demand (z given).

Prints a table and writes benchmarks/results_proxies_host.json.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from escalation_sim import EscalationModel, load_scenario
from escalation_sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "jan2020.yaml"


def _to_branch(scenario: Scenario, seed: int) -> EscalationModel:
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    while model.day < model.branch_day - 1:
        model.step()
    return model


def restraint_order(runs: int) -> dict:
    scenario = load_scenario(SCENARIO)
    counts = {True: 0, False: 0}
    controls: list[float] = []
    window = None
    for seed in range(runs):
        for ordered in (True, False):
            model = _to_branch(scenario, seed)
            kh, irn = model.by_id["KH"], model.by_id["IRN"]
            start = model.day + 1
            if ordered:
                order = next(o for o in irn.options if o.action == "order_restraint" and o.target == "KH")
                model.act(irn, order, 1.0, "benchmark: restraint order")
                controls.append(kh.proxy.control)
            due = start + kh.spec.order_lag_days
            window = (due, due + kh.spec.order_days)
            while model.running and model.day < window[1] - 1:
                model.step()
            counts[ordered] += sum(1 for r in model.records if r.actor == "KH" and r.origin == "model"
                                   and window[0] <= r.day < window[1] and r.rung >= 5)  # fmt: skip
    assert window is not None
    days = window[1] - window[0]
    control = sum(controls) / len(controls)
    with_rate, without_rate = counts[True] / (runs * days), counts[False] / (runs * days)
    cut = 1 - with_rate / without_rate if without_rate else math.nan
    return {"runs_per_arm": runs, "window_days": days, "mean_control_when_sent": control,
            "daily_attack_rate_without_order": without_rate, "daily_attack_rate_with_order": with_rate,
            "cut": cut, "target_cut": 0.5 * control, "met": cut >= 0.5 * control}  # fmt: skip


def withdrawal_demand(runs: int, days: int = 30) -> dict:
    base = load_scenario(SCENARIO).with_edits({"branch_date": "2020-01-06"})
    caps = [c for c in base.actors["IRQ"].capabilities if c not in ("demand_withdrawal", "restrict_access", "expel")]
    arms = {
        "with_demand": base,
        "without_demand": base.with_edits(remove_events=["A10"]),
        # Iraq can neither have voted nor restrict later: the demand's whole effect, not only its timing
        "no_demand_possible": base.with_edits({"actors.IRQ.capabilities": caps}, remove_events=["A10"]),
    }
    out: dict = {"runs_per_arm": runs, "days": days, "rule": base.actors["USA"].rule.name}
    for name, scenario in arms.items():
        hit = acts = 0
        expected: list[float] = []  # per run: mean daily P(US force on Iraqi soil) in its policy, 30 days
        for seed in range(runs):
            model = EscalationModel(scenario=scenario, rng=seed, collect=False)
            usa, irq_index = model.by_id["USA"], model.by_id["IRQ"].index
            soil = [o.index for o in usa.options if o.force and o.on_soil_of == irq_index]
            mass = 0.0
            while model.running:
                if model.branch_day <= model.day + 1 < model.branch_day + days:
                    probs = usa.policy().probs  # pure: no draw, the state the day starts from
                    mass += sum(probs[i] for i in soil)
                model.step()
            expected.append(mass / days)
            irq = "IRQ"
            mine = [r for r in model.records if r.actor == "USA" and r.origin == "model"
                    and model.branch_day <= r.day < model.branch_day + days and model.ladder[r.action].force
                    and r.target is not None and scenario.actors[r.target].located_in == irq]  # fmt: skip
            hit += bool(mine)
            acts += len(mine)
        mean = sum(expected) / runs
        sd = math.sqrt(sum((x - mean) ** 2 for x in expected) / (runs - 1)) if runs > 1 else 0.0
        out[name] = {"p_force_on_iraqi_soil": hit / runs, "acts_per_run": acts / runs,
                     "mean_daily_policy_p": mean, "mean_daily_policy_p_se": sd / math.sqrt(runs),
                     "_daily": expected}  # fmt: skip
    daily = {name: out[name].pop("_daily") for name in arms}
    met = True
    for other in ("without_demand", "no_demand_possible"):
        diffs = [a - b for a, b in zip(daily["with_demand"], daily[other], strict=True)]  # paired by seed
        mean_diff = sum(diffs) / runs
        sd_diff = math.sqrt(sum((x - mean_diff) ** 2 for x in diffs) / (runs - 1)) if runs > 1 else 0.0
        p1, p0 = out["with_demand"]["p_force_on_iraqi_soil"], out[other]["p_force_on_iraqi_soil"]
        pooled = (p1 + p0) / 2
        se = math.sqrt(max(pooled * (1 - pooled) * 2 / runs, 1e-12))
        out[f"vs_{other}"] = {
            "difference": p1 - p0,
            "z": (p1 - p0) / se,
            "policy_p_difference": mean_diff,
            "policy_p_z_paired": mean_diff / (sd_diff / math.sqrt(runs)) if sd_diff else math.nan,
        }
        met = met and p1 < p0 and mean_diff < 0
    out["met"] = met
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    started = time.perf_counter()
    results = {"restraint_order": restraint_order(args.runs), "withdrawal_demand": withdrawal_demand(args.runs)}
    results["seconds"] = time.perf_counter() - started
    print(json.dumps(results, indent=2))
    if args.runs >= 1000:
        (ROOT / "benchmarks" / "results_proxies_host.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
