"""Is Iran deterred? Iran's first hostile act on jan2020 under each US doctrine, with and without anticipation.

Issue 8's test of deterrence: with Iran's rule `{name: cost_benefit, lookahead: 1}`, the share of Iran's first
hostile acts that are force at rung 6 or more should differ by at least 10 points between a US under
`massive_retaliation` and a US under `restraint`; with `lookahead: 0` (today's myopic rule) it should not move.

Arms (1,000 runs each by default, common seeds 0..n-1, the shipped scenario otherwise):
  myopic       Iran `cost_benefit` with lookahead 0 and no beliefs (the rule as it was before issue 8)
  anticipating Iran with lookahead 1 and no beliefs: it forecasts the US answer from the declared uninformed
               prior (issue 17; before it, from the US's true rule: the complete-information bound, gone)
  believing    the shipped jan2020 Iran: lookahead 1 and beliefs about the US (its prior, updated by the US
               record of 2019 and by history); its forecasts come from the types it believes in
  learned      issue 17: the shipped Iran, the US record before the crisis made by the US doctrine of the arm
               (`reputation_from: rule`), so Iran's prior at the branch differs by doctrine. Counted in the runs
               where Iran's first hostile act comes before any US use of force after the branch; written as
               `learned: {massive_retaliation, restraint, gap, ci95, runs_per_arm}` (shares of the counted runs,
               gap = restraint - massive_retaliation in points, a normal 95% interval for a difference of shares)

Usage:  python benchmarks/deterrence_arms.py [-n 1000] [--json benchmarks/deterrence_arms.json] [--only learned]
        [--certain red_line]   # the learned arm with Iran certain of a wrong US type: the gap should shrink
        [--unseen-crisis]      # diagnostic: Iran does not learn from the US decisions recorded before the branch
                               # (made by the real US, not by the arm's doctrine); not issue 17's measure
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from escalation_sim import EscalationModel, load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "jan2020.yaml"
US_RULES = ["massive_retaliation", "restraint", "red_line (shipped)"]
IRAN = {
    "myopic": {"actors.IRN.rule": {"name": "cost_benefit", "temperature": 0.15, "lookahead": 0},
               "actors.IRN.beliefs": {}},
    "anticipating": {"actors.IRN.rule": {"name": "cost_benefit", "temperature": 0.15, "lookahead": 1},
                     "actors.IRN.beliefs": {}},
    "believing": {},
}  # fmt: skip
FORCE_RUNG = 6
LEARNED = {"actors.USA.reputation_from": "rule"}
PROGRESS = 50  # seeds between the learned arm's progress lines


def arm(us_rule: str, iran: str, n: int) -> dict[str, Any]:
    """Run n seeds of one arm; Iran's first hostile act (decided by the model) in each."""
    edits = dict(IRAN[iran])
    if not us_rule.endswith("(shipped)"):
        edits["actors.USA.rule"] = {"name": us_rule}
    scenario = load_scenario(SCENARIO).with_edits(edits)
    ladder = scenario.actions
    acted = force = war = 0
    firsts: dict[str, int] = {}
    start = time.perf_counter()
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        war += model.outcome.outcome == "war"
        first = next(
            (r for r in model.records if r.actor == "IRN" and r.origin == "model" and ladder[r.action].is_hostile),
            None,
        )
        if first is None:
            continue
        acted += 1
        firsts[first.action] = firsts.get(first.action, 0) + 1
        force += ladder[first.action].force and first.rung >= FORCE_RUNG
    return {
        "us_rule": us_rule,
        "iran": iran,
        "runs": n,
        "iran_acted": acted,
        "force_rung6_share": force / acted if acted else float("nan"),
        "war_share": war / n,
        "first_hostile_acts": dict(sorted(firsts.items(), key=lambda kv: -kv[1])),
        "seconds": round(time.perf_counter() - start, 2),
    }


def learned_arm(us_rule: str, n: int, certain: str | None = None, unseen: bool = False) -> dict[str, Any]:
    """The learned arm for one US doctrine: Iran's first hostile act, in runs where the US has not struck first.
    With `certain`, Iran's prior is certain the US follows that doctrine (resolve 0.8): nothing left to learn.
    With `unseen` (a diagnostic), the US decisions recorded before the branch are replayed but teach no one."""
    edits: dict[str, Any] = {**LEARNED, "actors.USA.rule": {"name": us_rule}}
    if certain is not None:
        edits["actors.IRN.beliefs.USA.types"] = [{"rule": {"name": certain}, "resolve": 0.8, "prior": 1.0}]
    scenario = load_scenario(SCENARIO).with_edits(edits)
    ladder = scenario.actions
    counted = force = 0
    start = time.perf_counter()
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        if unseen:
            recorded = {id(e) for e in model.crisis.events if e.actor == "USA"}
            model.history_days = {k: v for k, v in model.history_days.items() if k not in recorded}
        model.run_model()
        for r in model.records:
            if r.origin != "model":
                continue
            if r.actor == "USA" and ladder[r.action].force:
                break  # the US struck first: not counted
            if r.actor == "IRN" and ladder[r.action].is_hostile:
                counted += 1
                force += ladder[r.action].force and r.rung >= FORCE_RUNG
                break
        if (seed + 1) % PROGRESS == 0:  # a run cut short still reports its common seeds (stderr)
            print(f"  {us_rule}: seeds 0-{seed} counted {counted} force {force}", file=sys.stderr, flush=True)
    share = force / counted if counted else float("nan")
    return {"us_rule": us_rule, "runs": n, "counted": counted, "share": share,
            "seconds": round(time.perf_counter() - start, 2)}  # fmt: skip


def learned(n: int, certain: str | None = None, unseen: bool = False) -> dict[str, Any]:
    """Both doctrines of the learned arm and their gap with a 95% interval."""
    rows = {rule: learned_arm(rule, n, certain, unseen) for rule in ("massive_retaliation", "restraint")}
    for row in rows.values():
        print(f"learned       US {row['us_rule']:20s} counted {row['counted']:5d}/{n}  "
              f"force >= rung {FORCE_RUNG}: {row['share']:6.1%}  ({row['seconds']:.0f} s)", flush=True)  # fmt: skip
    mr, rs = rows["massive_retaliation"], rows["restraint"]
    gap = rs["share"] - mr["share"]
    variance = sum(row["share"] * (1 - row["share"]) / max(row["counted"], 1) for row in (mr, rs))
    se = math.sqrt(variance)
    return {
        "massive_retaliation": mr["share"],
        "restraint": rs["share"],
        "gap": 100 * gap,
        "ci95": [100 * (gap - 1.96 * se), 100 * (gap + 1.96 * se)],
        "runs_per_arm": n,
        "counted": {"massive_retaliation": mr["counted"], "restraint": rs["counted"]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="runs per arm (common seeds 0..n-1)")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("deterrence_arms.json"))
    parser.add_argument("--only", choices=["learned"], help="run only the learned arm")
    parser.add_argument("--certain", help="the learned arm with Iran's prior certain of this (wrong) US doctrine")
    parser.add_argument(
        "--unseen-crisis",
        action="store_true",
        help="diagnostic: the US decisions recorded before the branch teach Iran nothing",
    )
    args = parser.parse_args(argv)
    result = {"learned": learned(args.n, args.certain, args.unseen_crisis)}
    if args.certain:
        result["learned"]["iran_certain_of"] = args.certain
    if args.unseen_crisis:
        result["learned"]["diagnostic"] = "US crisis decisions before the branch unseen by Iran"
    print(f"learned gap (restraint - massive_retaliation): {result['learned']['gap']:.1f} points, "
          f"95% CI {result['learned']['ci95'][0]:.1f} to {result['learned']['ci95'][1]:.1f}")  # fmt: skip
    if args.only:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
        return 0
    rows = []
    for iran in IRAN:
        for us_rule in US_RULES:
            row = arm(us_rule, iran, args.n)
            rows.append(row)
            print(
                f"{iran:13s} US {us_rule:20s} Iran acted {row['iran_acted']:5d}/{args.n}  "
                f"first hostile act force >= rung {FORCE_RUNG}: {row['force_rung6_share']:6.1%}  "
                f"war {row['war_share']:6.1%}  ({row['seconds']:.0f} s)",
                flush=True,
            )
    gaps = {}
    for iran in IRAN:
        share = {r["us_rule"]: r["force_rung6_share"] for r in rows if r["iran"] == iran}
        gaps[iran] = 100 * (share["restraint"] - share["massive_retaliation"])
    print("\ngap in Iran's share of force at rung >= 6 (restraint - massive_retaliation), points:")
    for iran, gap in gaps.items():
        print(f"  {iran:13s} {gap:6.1f}")
    result.update({"arms": rows, "gap_points": gaps})
    args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
