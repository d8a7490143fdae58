"""Where the onset weights come from (issue 19; docs/validation.md, "Forward runs against the records").

Two diagnostics at the posterior mode on the train records' feature tensor (one replay each, as `learn`), nothing
set from them:
1. the profile of `engaged`'s half-life h: the column re-expressed as engaged_7 ** (7 / h), exact because
   engaged_7 = 0.5 ** (days / 7); the mode refitted at each h;
2. the mode refitted on the de-escalation records alone and on the fights (protracted or war) alone: if the onset
   weights are state dependence they hold within both; if they stand for the difference between crises
   (heterogeneity, Heckman 1981) they shrink within the de-escalation records.

    .venv/bin/python benchmarks/onset_identification.py    # ~1 CPU-minute; writes benchmarks/onset_identification.json

With `--intercept`, the subsets only, each fitted without and with the crisis-level random intercept on force
(learn/intercept.py): does the gap between the de-escalation records and the fights close when the fit may put
the difference between crises in sigma? Writes benchmarks/onset_intercept.json (CPU-minutes: the intercept's
quadrature costs NODES decision passes per evaluation).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

from escalation_sim.cli.common import open_scenario
from escalation_sim.cli.learn import TRAIN
from escalation_sim.learn.extract import Tensor, extract
from escalation_sim.learn.fit import S, estimated, find_mode, prior_from
from escalation_sim.learn.reports import write_weights
from escalation_sim.rules.features import INDEX, KINDS

ROOT = Path(__file__).resolve().parents[1]
HALF_LIVES = (1.0, 2.0, 3.5, 7.0, 14.0)
FEATURES = ("engaged", "mobilised", "strike", "provocation")


def subset(t: Tensor, names: set[str]) -> Tensor:
    """The tensor's decisions of the named records only."""
    keep = [i for i, n in enumerate(t.records) if n in names]
    mask = np.isin(t.record, keep)
    renumber = {old: new for new, old in enumerate(keep)}
    groups = sorted(set(t.group[mask].tolist()))
    regroup = {old: new for new, old in enumerate(groups)}
    return dataclasses.replace(
        t, feats=t.feats[:, mask], m_obs=t.m_obs[:, mask], m_hold=t.m_hold[:, mask], valid=t.valid[mask],
        act=t.act[mask], words=t.words[mask], hold=t.hold[mask], outcomes=t.outcomes[mask], kind=t.kind[mask],
        record=np.array([renumber[r] for r in t.record[mask]]), group=np.array([regroup[g] for g in t.group[mask]]),
        keys=[k for k, m in zip(t.keys, mask, strict=True) if m], records=[t.records[i] for i in keep],
        groups=[t.groups[g] for g in groups], other=t.other[:, keep], model_ll=t.model_ll[:, mask],
        doctrine_probs=t.doctrine_probs[:, mask],
        corners_obs=None if t.corners_obs is None else t.corners_obs[:, :, mask],
        corners_hold=None if t.corners_hold is None else t.corners_hold[:, :, mask],
        force=None if t.force is None else t.force[mask],
    )  # fmt: skip


def mode_row(t: Tensor, defaults: dict, intercept: bool = False, keep: Path | None = None, **head: object) -> dict:
    """The mode's onset weights (and sigma); with `keep`, the mode also written there as a weights file."""
    began = time.process_time()
    m = find_mode(t, estimated(prior_from(defaults, intercept), t))
    if keep is not None:
        fit = {"records": t.records, "estimate": "posterior mode", "benchmark": "onset_identification.py --intercept"}
        write_weights(keep, m.weights, m.floors, defaults, fit, m.sigma)
    weights = {f: {k: round(float(m.weights[i, INDEX[f]]), 2) for i, k in enumerate(KINDS)} for f in FEATURES}
    row = head | {"log_posterior": round(m.log_posterior, 2), "converged": m.converged, **weights}
    if m.sigma is not None:
        free = estimated(prior_from(defaults, intercept), t).free[S : S + len(KINDS)]
        row["intercept_sd"] = {
            k: round(float(v), 3) if f else None for k, v, f in zip(KINDS, m.sigma[:, 0], free, strict=True)
        }
    return row | {"cpu_seconds": round(time.process_time() - began, 1)}


def intercept_subsets(t: Tensor, scenarios: dict, defaults: dict) -> None:
    """The subsets without and with the intercept: benchmarks/onset_intercept.json; the modes on all the records
    as weights files (benchmarks/onset_mode_plain.json, onset_mode_intercept.json) for `forward-check --weights`."""
    fights = {n for n, s in scenarios.items() if s.observed_outcome in ("protracted", "war")}
    rows = []
    for label, names in (("all", set(scenarios)), ("de-escalation", set(scenarios) - fights), ("fights", fights)):
        part = subset(t, names)
        for intercept in (False, True):
            keep = ROOT / "benchmarks" / f"onset_mode_{'intercept' if intercept else 'plain'}.json"
            row = mode_row(part, defaults, intercept, keep if label == "all" else None, records=label)
            rows.append(row | {"with_intercept": intercept})
            print(rows[-1], flush=True)
    out = ROOT / "benchmarks" / "onset_intercept.json"
    load = Path("/proc/loadavg").read_text().split()[:3]
    out.write_text(json.dumps({"subsets": rows, "load": load}, indent=1) + "\n")


def main() -> None:
    scenarios = {s.name: s for s in (open_scenario(n)[1] for n in TRAIN)}
    assert all(s.split != "test" for s in scenarios.values())
    defaults = json.loads((ROOT / "src/escalation_sim/data/quantal_weights.json").read_text())["defaults"]
    t = extract(scenarios, 1, 0, doctrines=False)
    if "--intercept" in sys.argv:
        intercept_subsets(t, scenarios, defaults)
        return
    e = INDEX["engaged"]
    base = t.feats[..., e].copy()
    profile = []
    for h in HALF_LIVES:
        feats = t.feats.copy()
        feats[..., e] = np.where(base > 0, base ** (7.0 / h), 0.0)
        profile.append(mode_row(dataclasses.replace(t, feats=feats), defaults, half_life=h))
        print(profile[-1], flush=True)
    fights = {n for n, s in scenarios.items() if s.observed_outcome in ("protracted", "war")}
    subsets = []
    for label, names in (("all", set(scenarios)), ("de-escalation", set(scenarios) - fights), ("fights", fights)):
        part = subset(t, names)
        subsets.append(mode_row(part, defaults, records=label, n_records=len(part.records), decisions=len(part.act)))
        print(subsets[-1], flush=True)
    out = ROOT / "benchmarks" / "onset_identification.json"
    out.write_text(json.dumps({"profile_engaged_half_life": profile, "subsets": subsets}, indent=1) + "\n")


if __name__ == "__main__":
    main()
