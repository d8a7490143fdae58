"""Calibration (issue 10): a handful of declared parameters estimated from one or several records.

sampler.py      pseudo-marginal MCMC (emcee) over the particle-filter likelihood; resumable chain
diagnostics.py  posterior, intervals, R-hat and ESS (arviz)
synthetic.py    records simulated with known parameter values, for parameter recovery
figures.py      traces and marginal posteriors; the emulator's rank histograms (analysis layer)

The simulation-based route for outcome-level data (issue 20, item 3; `escalation-sim emulate`):
simulate.py     prior draws run on the sweep executors, one outcome class a run
emulator.py     q(class | theta, case): spline multinomial logistic regression, pooled over cases
sbc.py          the grid posterior and simulation-based calibration (rank histograms, chi-square)
emulate.py      the route end to end, and the files it writes
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..scenario import Scenario
from .diagnostics import posterior, summarize
from .sampler import Param, Problem, identity, sample

MAX_PARAMS = 6


def calibrate(
    scenarios: list[Scenario],
    params: list[Param],
    out: Path,
    walkers: int | None = None,
    steps: int = 100,
    particles: int = 100,
    seed: int = 0,
    executor: str = "serial",
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    until: str = "record",
) -> dict[str, Any]:
    """Estimate `params` from the scenarios' records; write chain.parquet, posterior.parquet, calibration.json
    and params.json (the posterior medians, for `score --frozen`) into `out`; return calibration.json's content.
    Re-running with the same settings continues the chain where it stopped."""
    if not 1 <= len(params) <= MAX_PARAMS:
        raise ValueError(f"--params: declare 1 to {MAX_PARAMS} parameters (got {len(params)})")
    walkers = walkers or max(8, 4 * len(params))
    if walkers < 2 * len(params) or walkers % 2:
        raise ValueError(f"--walkers: need an even number of at least {2 * len(params)} (twice the parameters)")
    out.mkdir(parents=True, exist_ok=True)
    settings = {
        **identity(scenarios, params),
        "walkers": walkers,
        "particles": particles,
        "seed": seed,
        "until": until,
    }
    settings_path = out / "settings.json"
    if settings_path.exists() and json.loads(settings_path.read_text()) != settings:
        raise ValueError(f"{out} holds a calibration with other settings ({settings_path}); use another folder")
    settings_path.write_text(json.dumps(settings, indent=2) + "\n")
    problem = Problem(tuple(s.model_dump(mode="json") for s in scenarios), tuple(params), particles, until)
    chain = sample(problem, out, walkers, steps, seed, executor, workers, progress=progress)
    names = [p.name for p in params]
    summary = summarize(chain, names) | {"settings": settings}
    posterior(chain).to_parquet(out / "posterior.parquet", index=False)
    (out / "calibration.json").write_text(json.dumps(summary, indent=2) + "\n")
    medians = {n: summary["parameters"][n]["median"] for n in names}
    (out / "params.json").write_text(json.dumps({"params": medians}, indent=2) + "\n")
    return summary


__all__ = ["MAX_PARAMS", "Param", "calibrate"]
