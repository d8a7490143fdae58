"""Pseudo-marginal MCMC over the particle-filter likelihood, with emcee's affine-invariant ensemble sampler.

Why emcee: a handful (<= 6) of bounded parameters, a likelihood that is only known up to Monte Carlo noise and
costs a particle filter per evaluation, and no gradients. emcee (Foreman-Mackey et al. 2013) needs no tuning
beyond the number of walkers, evaluates a whole ensemble at once (parallel on the sweep executors), and keeps
each walker's likelihood estimate until a proposal is accepted, which is what makes an unbiased noisy
likelihood give the exact posterior (pseudo-marginal MCMC, Andrieu & Roberts 2009). The prior is uniform on
the declared box. The chain is written to chain.parquet after every block of steps: re-running continues it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Scenario, validate_scenario_data
from ..score.filter import run_filter
from ..score.parallel import map_calls
from ..score.record import scored_days


@dataclass(frozen=True)
class Param:
    """A declared parameter: a dotted scenario path (`actors.KH.rule.base_rate`) and its prior box."""

    name: str
    low: float
    high: float

    @classmethod
    def parse(cls, text: str) -> Param:
        """NAME=LO:HI, e.g. actors.IRN.rule.temperature=0.05:0.5."""
        name, sep, box = text.partition("=")
        low, colon, high = box.partition(":")
        try:
            lo, hi = float(low), float(high)
        except ValueError:
            lo = hi = math.nan
        if not sep or not colon or not name or not (lo < hi):
            raise ValueError(f"{text!r}: expected NAME=LO:HI with LO < HI, e.g. actors.IRN.rule.temperature=0.05:0.5")
        return cls(name, lo, hi)


@dataclass(frozen=True)
class Problem:
    """What one likelihood evaluation needs (sent to workers): the scenarios' data and the parameters."""

    scenarios: tuple[dict[str, Any], ...]
    params: tuple[Param, ...]
    particles: int
    until: str = "record"

    def log_posterior(self, theta: Sequence[float]) -> float:
        if any(not (p.low <= x <= p.high) for p, x in zip(self.params, theta, strict=True)):
            return -math.inf
        changes = {p.name: float(x) for p, x in zip(self.params, theta, strict=True)}
        seed = int.from_bytes(hashlib.sha256(np.asarray(theta, dtype=float).tobytes()).digest()[:8], "little")
        total = 0.0
        for data in self.scenarios:
            scenario = with_values(data, changes)
            days = scored_days(scenario, self.until)  # type: ignore[arg-type]
            total += run_filter(scenario, days, self.particles, seed).log_likelihood
        return total


def with_values(data: dict[str, Any], changes: dict[str, float]) -> Scenario:
    """The scenario with the parameters set (validated: a value the schema refuses is an error)."""
    from ..scenario import apply_edits

    return validate_scenario_data(apply_edits(data, changes), "the calibrated scenario")


def _evaluate(problem: Problem, theta: list[float]) -> float:
    return problem.log_posterior(theta)


class ExecutorPool:
    """emcee's `pool`: its `map` runs the ensemble's likelihoods on a sweep executor."""

    def __init__(self, problem: Problem, executor: str, workers: int | None) -> None:
        self.problem, self.executor, self.workers = problem, executor, workers

    def map(self, fn: Any, thetas: Any) -> list[float]:
        calls = [(self.problem, [float(x) for x in theta]) for theta in thetas]
        return map_calls(_evaluate, calls, self.executor, self.workers)


def sample(
    problem: Problem,
    out: Path,
    walkers: int,
    steps: int,
    seed: int,
    executor: str = "serial",
    workers: int | None = None,
    block: int = 10,
    progress: Any = None,
) -> pd.DataFrame:
    """Run (or continue) the chain to `steps` steps; return the whole chain (step, walker, params, log_post)."""
    import emcee

    names = [p.name for p in problem.params]
    chain_path = out / "chain.parquet"
    state_path = out / "sampler_state.json"
    chain = pd.read_parquet(chain_path) if chain_path.exists() else pd.DataFrame()
    done = int(chain["step"].max()) + 1 if len(chain) else 0
    rng = np.random.default_rng(seed)
    sampler = emcee.EnsembleSampler(
        walkers, len(names), lambda t: problem.log_posterior(t), pool=ExecutorPool(problem, executor, workers)
    )
    if done:
        last = chain[chain["step"] == done - 1].sort_values("walker")
        saved = json.loads(state_path.read_text())
        random_state = (saved[0], np.array(saved[1], dtype=np.uint32), *saved[2:])
        state = emcee.State(
            last[names].to_numpy(), log_prob=last["log_posterior"].to_numpy(), random_state=random_state
        )
    else:
        lows = np.array([p.low for p in problem.params])
        highs = np.array([p.high for p in problem.params])
        start = lows + (highs - lows) * rng.uniform(0.05, 0.95, size=(walkers, len(names)))
        sampler._random.seed(seed)
        state = emcee.State(
            start, log_prob=np.array(sampler.pool.map(None, start)), random_state=sampler._random.get_state()
        )
        if progress:
            progress(0)
    while done < steps:
        n = min(block, steps - done)
        sampler.reset()
        state = sampler.run_mcmc(state, n)
        rows = sampler.get_chain()
        logp = sampler.get_log_prob()
        frames = [
            pd.DataFrame(
                {
                    "step": done + i,
                    "walker": np.arange(walkers),
                    **dict(zip(names, rows[i].T, strict=True)),
                    "log_posterior": logp[i],
                }
            )
            for i in range(n)
        ]
        chain = pd.concat([chain, *frames], ignore_index=True)
        chain.to_parquet(chain_path, index=False)
        rs = state.random_state
        state_path.write_text(json.dumps([rs[0], [int(v) for v in rs[1]], *[_plain(v) for v in rs[2:]]]))
        done += n
        if progress:
            progress(n)
    return chain


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def identity(scenarios: Sequence[Scenario], params: Sequence[Param]) -> dict[str, Any]:
    """What a fit's settings must name so a re-run can tell whether its saved work is for the same problem: the
    scenarios (by name and content hash) and the parameters with their prior boxes."""
    return {
        "scenarios": [s.name for s in scenarios],
        "scenario_sha256": [s.sha256() for s in scenarios],
        "params": [vars(p) for p in params],
    }
