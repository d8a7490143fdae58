"""How jan2020's reported numbers depend on the declared priors of its US regime (issue 17, item 4).

The regime's event-trigger probabilities (0.5 each, "as likely as not": no measured rate exists) and the tremble
its filter weighs recorded decisions with (`filter_tremble`, 1e-3) are declared priors, not estimates. This
script varies them over a grid (tremble in {0, 1e-4, 1e-3, 1e-2} x both trigger probabilities in {0.1, 0.3,
0.5, 0.7, 0.9}) and reports, per cell:
  replay      the median replay probability of each US decision (A02, A04, A05, A06, A09, A17, A20), and the
              record's log-likelihood over them (sum of log medians)
  outcomes    shares of de-escalation and war over n runs from the branch
  checks      posterior-predictive: the share of runs with a second US leadership strike within 8 weeks of
              the branch, and with an American killed by 29 February 2020 (history: 0 and 0)

Usage:  python benchmarks/jan2020_sensitivity.py [-n 100] [--seeds 20] [--json benchmarks/jan2020_sensitivity.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from escalation_sim import EscalationModel, load_scenario
from escalation_sim.runner import history_probabilities

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "jan2020.yaml"
TREMBLES = (0.0, 1e-4, 1e-3, 1e-2)
TRIGGERS = (0.1, 0.3, 0.5, 0.7, 0.9)
US_DECISIONS = ("A02", "A04", "A05", "A06", "A09", "A17", "A20")
LAST_DAY = dt.date(2020, 2, 29)


def cell(tremble: float, trigger: float, n: int, seeds: int) -> dict[str, Any]:
    base = load_scenario(SCENARIO)
    triggers = [t.model_dump() | {"probability": trigger} for t in base.actors["USA"].rule.triggers]  # type: ignore[union-attr]
    scenario = base.with_edits({"actors.USA.rule.filter_tremble": tremble, "actors.USA.rule.triggers": triggers})
    table = history_probabilities(scenario, seeds=seeds).set_index("event_id")
    medians = {e: float(table.loc[e, "median"]) for e in US_DECISIONS if e in table.index}
    loglik = sum(math.log(max(p, 1e-300)) for p in medians.values())
    counts = {"de-escalation": 0, "war": 0, "second_leadership_strike_8w": 0, "american_killed_by_feb29": 0}
    for seed in range(n):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        outcome = model.outcome.outcome
        if outcome in counts:
            counts[outcome] += 1
        after = [r for r in model.records if r.origin == "model"]
        branch = scenario.branch_date
        counts["second_leadership_strike_8w"] += any(
            r.actor == "USA" and r.action == "leadership_strike" and (r.date - branch).days < 56 for r in after
        )
        counts["american_killed_by_feb29"] += any(
            r.killed.get("USA", 0) > 0 and r.date <= LAST_DAY and r.date >= branch for r in model.records
        )
    return {"tremble": tremble, "trigger": trigger, "runs": n, "replay_seeds": seeds, "replay_median": medians,
            "us_record_loglik": loglik, **{k: v / n for k, v in counts.items()}}  # fmt: skip


def band(values: list[float]) -> str:
    return f"{min(values):.1%}-{max(values):.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100, help="runs per cell (common seeds 0..n-1)")
    parser.add_argument("--seeds", type=int, default=20, help="replays per cell for the replay probabilities")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("jan2020_sensitivity.json"))
    args = parser.parse_args(argv)
    rows = []
    start = time.perf_counter()
    for tremble in TREMBLES:
        for trigger in TRIGGERS:
            row = cell(tremble, trigger, args.n, args.seeds)
            rows.append(row)
            print(f"tremble {tremble:<7g} trigger {trigger:.1f}  war {row['war']:6.1%}  de-esc "
                  f"{row['de-escalation']:6.1%}  2nd leadership strike {row['second_leadership_strike_8w']:6.1%}  "
                  f"American killed {row['american_killed_by_feb29']:6.1%}  US record loglik "
                  f"{row['us_record_loglik']:7.2f}  A06 {row['replay_median'].get('A06', float('nan')):.3g}",
                  flush=True)  # fmt: skip
    bands = {k: band([r[k] for r in rows]) for k in ("war", "second_leadership_strike_8w", "american_killed_by_feb29")}
    print(f"\nacross the grid: {bands} ({time.perf_counter() - start:.0f} s)")
    args.json.write_text(json.dumps({"cells": rows, "bands": bands}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
