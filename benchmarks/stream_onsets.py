"""Which decided strikes start a stream (issue 19, operations of issue 18): the train records' table and the
comparison the stream covariates were chosen by.

Every decided act of a stream action (learn/spells.py `STREAMS`: harassment and the strikes outside `sustained`) in
jan2020 and the library's train split, replayed as `learn` replays it (every actor quantal, one replay, seed 0),
with the features the learned decision computed for the chosen option at that decision (rules/features.py, the
`f_` columns), a few situation numbers read from the actor's View, and whether the act started a spell in the
record. Then a small Bayesian logistic regression per candidate covariate set: per-action intercepts b_x ~
Normal(logit 0.1, 1.5) and slopes ~ Normal(0, 1) (the priors `learn --operations` uses, learn/spells.py), with
the Laplace log marginal likelihood and the leave-one-act-out log predictive density of each set, and the mode
and Laplace sd of each slope. Nothing in the package is set here: the chosen set is named in rules/streams.py
and estimated by `learn --operations` (docs/model.md, "Which decisions start a stream").

    .venv/bin/python benchmarks/stream_onsets.py            # ~1 CPU-minute; writes stream_onsets.csv and .json
    .venv/bin/python benchmarks/stream_onsets.py --compare  # the comparison alone, from the csv kept
    .venv/bin/python benchmarks/stream_onsets.py --posterior OUT  # the stream block's posterior (emcee, seconds)
                                                                  # from a `learn --operations --out OUT` tensor
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from escalation_sim.cli.common import open_scenario
from escalation_sim.cli.learn import TRAIN
from escalation_sim.learn.extract import ExtractingModel, quantal_everywhere
from escalation_sim.learn.spells import SLOPE_PRIOR_SD, STREAM_PRIOR_MEAN, STREAM_PRIOR_SD, STREAMS
from escalation_sim.rules import streams as stream_model
from escalation_sim.rules.features import NAMES
from escalation_sim.score.record import is_decision, scored_days

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks"
# exploratory situation numbers beside the features (not what the package reads): the other side's last hostile
# act perceived was force or armed pressure (rung 5 and up), the target is a militia
EXTRA = ("other_force", "target_militia")
CANDIDATES = ("provocation", "casualties", "grievance", "engaged", "mobilised", "crisis_age", "pent_up",
              "armed_group", "other_force", "target_militia")  # fmt: skip


class Keeping(ExtractingModel):
    """The filter's replay, keeping each stream act's chosen feature row and covariates."""

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.kept: dict[str, list[float]] = {}

    def _keep(self, actor, what, chosen, words):  # type: ignore[no-untyped-def]
        super()._keep(actor, what, chosen, words)
        if chosen and actor.options[chosen[0]].action in STREAMS:
            opt = actor.options[chosen[0]]
            j = opt.target_index
            extra = [float(actor.last_rung[j] >= 5), float(self.actors[j].kind == "militia")]
            row = list(self.rows[-1].feats[chosen[0]])
            self.kept[what] = row + stream_model.covariates(actor, opt) + extra + [float(actor.kind == "militia")]


def table(names: list[str]) -> pd.DataFrame:
    columns = [f"f_{n}" for n in NAMES] + [f"x_{n}" for n in stream_model.NAMES] + list(EXTRA) + ["armed_group"]
    rows = []
    for name in names:
        _, scenario = open_scenario(name)
        assert scenario.split != "test", name
        quantal = quantal_everywhere(scenario)
        days = scored_days(quantal)
        model = Keeping(quantal, days, name)
        for s in np.random.default_rng(np.random.SeedSequence(0)).integers(2**63, size=days).tolist():
            model.next_day(s)
        fight = (scenario.observed_outcome or "de-escalation") != "de-escalation"
        for event in scenario.events:
            day = (event.date - scenario.start_date).days
            if event.action not in STREAMS or event.target is None or day >= days or not is_decision(event, scenario):
                continue
            values = model.kept.get(event.id, [np.nan] * len(columns))
            row = {"record": name, "fight": fight, "day": day, "event": event.id, "actor": event.actor,
                   "target": event.target, "action": event.action, "started": event.operation is not None}  # fmt: skip
            rows.append(row | dict(zip(columns, values, strict=True)))
        print(name, sum(r["record"] == name for r in rows), file=sys.stderr)
    frame = pd.DataFrame(rows)
    for n in CANDIDATES:  # one name per candidate: the feature's column, or the situation number's
        if n not in frame:
            frame[n] = frame[f"f_{n}"]
    assert np.allclose(frame["provocation"], frame["x_provocation"]) and np.allclose(
        frame["casualties"], frame["x_casualties"]
    ), "rules/streams.covariates must read what rules/features computes for the chosen option"
    return frame


def fit(frame: pd.DataFrame, cols: tuple[str, ...]) -> dict[str, object]:
    """Per-action intercepts and slopes on `cols`, at the learn priors: mode, Laplace sd, Laplace log marginal
    likelihood and the leave-one-out log predictive density (each act refitted without it, from the mode)."""
    y = frame["started"].to_numpy(float)
    a = frame["action"].map(STREAMS.index).to_numpy()
    X = frame[list(cols)].to_numpy(float) if cols else np.zeros((len(frame), 0))
    A, C = len(STREAMS), X.shape[1]

    def neg(th: np.ndarray, keep: np.ndarray) -> float:
        z = th[:A][a[keep]] + X[keep] @ th[A:]
        ll = float(np.sum(y[keep] * z - np.logaddexp(0.0, z)))
        return -(ll - 0.5 * float(np.sum(((th[:A] - STREAM_PRIOR_MEAN) / STREAM_PRIOR_SD) ** 2))
                 - 0.5 * float(np.sum((th[A:] / SLOPE_PRIOR_SD) ** 2)))  # fmt: skip

    everyone = np.ones(len(frame), bool)
    start = np.r_[np.full(A, STREAM_PRIOR_MEAN), np.zeros(C)]
    mode = minimize(neg, start, args=(everyone,), method="BFGS")
    cov = mode.hess_inv
    k = A + C
    norm = -A * np.log(STREAM_PRIOR_SD * np.sqrt(2 * np.pi)) - C * np.log(SLOPE_PRIOR_SD * np.sqrt(2 * np.pi))
    log_marginal = -mode.fun + norm + 0.5 * k * np.log(2 * np.pi) + 0.5 * np.linalg.slogdet(cov)[1]
    loo = 0.0
    for i in range(len(frame)):
        keep = everyone.copy()
        keep[i] = False
        th = minimize(neg, mode.x, args=(keep,), method="BFGS").x
        z = th[:A][a[i]] + X[i] @ th[A:]
        loo += float(y[i] * z - np.logaddexp(0.0, z))
    sd = np.sqrt(np.diag(cov))
    return {
        "covariates": list(cols),
        "log_marginal": round(float(log_marginal), 2),
        "loo": round(loo, 2),
        "slopes": {c: {"mode": round(float(mode.x[A + i]), 3), "sd": round(float(sd[A + i]), 3),
                       "q05": round(float(mode.x[A + i] - 1.645 * sd[A + i]), 3),
                       "q95": round(float(mode.x[A + i] + 1.645 * sd[A + i]), 3)} for i, c in enumerate(cols)},
        "chances_at_zero": {x: round(float(1 / (1 + np.exp(-mode.x[i]))), 3) for i, x in enumerate(STREAMS)},
    }  # fmt: skip


def compare(frame: pd.DataFrame) -> dict[str, object]:
    """Every candidate alone and every pair of the first six, against the action intercepts alone."""
    sets = [(), *((c,) for c in CANDIDATES), *itertools.combinations(CANDIDATES[:6], 2)]
    fits = [fit(frame, s) for s in sets]
    counts = frame.groupby("action")["started"].agg(["sum", "count"]).astype(int)
    means = frame.groupby("started")[list(CANDIDATES)].mean().round(3)
    return {
        "acts": len(frame),
        "starts": int(frame["started"].sum()),
        "by_action": {x: [int(r["sum"]), int(r["count"])] for x, r in counts.iterrows()},
        "means_single_vs_start": {c: [float(means.loc[False, c]), float(means.loc[True, c])] for c in CANDIDATES},
        "fits": sorted(fits, key=lambda f: -float(f["loo"])),  # type: ignore[arg-type]
    }


def posterior(folder: Path, steps: int = 4000, walkers: int = 32) -> dict[str, object]:
    """The stream block's posterior as `learn --operations` defines it (learn/spells.py: its terms share no
    parameter with the weights or the durations, so it is a posterior of its own), from the covariates a `learn`
    output folder's feature tensor read: an ensemble MCMC (emcee, seeded), the first half dropped as warm-up."""
    import pickle

    import emcee

    from escalation_sim.learn.spells import COVARIATES, collect_streams, stream_log_lik

    _, t = pickle.loads((folder / "tensor.pkl").read_bytes())
    named = [open_scenario(n)[1] for n in t.records]
    st = collect_streams(named, [scored_days(x) for x in named], t.stream_x)
    A = len(STREAMS)

    def logp(th: np.ndarray) -> float:
        ll = float(stream_log_lik(st, th[:A], th[A:])[0].sum())
        z_b = (th[:A] - STREAM_PRIOR_MEAN) / STREAM_PRIOR_SD
        return ll - 0.5 * float(z_b @ z_b) - 0.5 * float(th[A:] @ th[A:]) / SLOPE_PRIOR_SD**2

    rng = np.random.default_rng(0)
    k = A + len(COVARIATES)
    start = np.r_[np.full(A, STREAM_PRIOR_MEAN), np.zeros(k - A)] + 0.1 * rng.standard_normal((walkers, k))
    sampler = emcee.EnsembleSampler(walkers, k, logp)
    sampler.random_state = np.random.RandomState(0).get_state()
    sampler.run_mcmc(start, steps)
    draws = sampler.get_chain(discard=steps // 2, flat=True)
    tau = sampler.get_autocorr_time(discard=steps // 2, quiet=True)
    names = [f"chance_at_0.{x}" for x in STREAMS] + [f"slope.{c}" for c in COVARIATES]
    values = np.c_[1.0 / (1.0 + np.exp(-draws[:, :A])), draws[:, A:]]
    return {
        "acts": len(st),
        "starts": int(st.started.sum()),
        "draws": len(draws),
        **{n: {"mean": round(float(values[:, i].mean()), 3), "q05": round(float(np.quantile(values[:, i], 0.05)), 3),
               "q95": round(float(np.quantile(values[:, i], 0.95)), 3), "autocorr_steps": round(float(tau[i]), 1),
               "p_positive": round(float((values[:, i] > 0).mean()), 3) if n.startswith("slope") else None}
           for i, n in enumerate(names)},
    }  # fmt: skip


if __name__ == "__main__":
    csv = OUT / "stream_onsets.csv"
    if "--posterior" in sys.argv:
        folder = Path(sys.argv[sys.argv.index("--posterior") + 1])
        result = posterior(folder)
        (OUT / "stream_posterior.json").write_text(json.dumps(result, indent=1))
        print(json.dumps(result, indent=1))
        sys.exit(0)
    if "--compare" in sys.argv:
        frame = pd.read_csv(csv)
    else:
        frame = table([a for a in sys.argv[1:] if not a.startswith("--")] or list(TRAIN))
        frame.to_csv(csv, index=False)
    result = compare(frame)
    (OUT / "stream_onsets.json").write_text(json.dumps(result, indent=1))
    for f in result["fits"][:8]:  # type: ignore[index]
        print(f["covariates"], f["log_marginal"], f["loo"], f["slopes"])
