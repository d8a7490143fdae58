"""Speed work must not change a single draw: runs and the particle filter on jan2020, two_state and two train
library cases give, seed for seed, the records and outcomes (bit for bit) and log-likelihoods (to 12 significant
digits) recorded on main before it.

Regenerate (only for a deliberate change of semantics, from the revision that defines them):
    .venv/bin/python tests/test_same_draws.py > tests/data/same_draws.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from escalation_sim import EscalationModel, load_scenario
from escalation_sim.score.filter import run_filter
from escalation_sim.score.record import scored_days

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).parent / "data" / "same_draws.json"
CASES = {
    "jan2020": "scenarios/jan2020.yaml",
    "two_state": "scenarios/two_state.yaml",
    "gaza2014": "scenarios/library/gaza2014.yaml",  # train split
    "georgia2008": "scenarios/library/georgia2008.yaml",  # train split
}
SEEDS = range(6)
PARTICLES = 24


def runs_fingerprint(path: str) -> dict[str, object]:
    """Each seed's run: a hash of every record (floats by repr, so bit for bit) and the outcome; for seed 0 also
    the DataCollector's tables."""
    scenario = load_scenario(ROOT / path)
    out: dict[str, object] = {}
    for seed in SEEDS:
        model = EscalationModel(scenario=scenario, rng=seed, collect=seed == 0)
        model.run_model()
        text = "\n".join(repr(tuple(vars(r).values()) if hasattr(r, "__dict__") else _fields(r)) for r in model.records)
        out[f"records {seed}"] = hashlib.sha256(text.encode()).hexdigest()
        out[f"outcome {seed}"] = repr(model.outcome)
        if seed == 0:
            tables = model.datacollector.get_model_vars_dataframe().to_csv()
            tables += model.datacollector.get_agent_vars_dataframe().to_csv()
            out["tables 0"] = hashlib.sha256(tables.encode()).hexdigest()
    return out


def _fields(record: object) -> tuple[object, ...]:
    return tuple(getattr(record, name) for name in record.__slots__)  # type: ignore[attr-defined]


def _digits(x: float) -> str:
    """`x` to 12 significant digits: a sum over particles in numpy may differ in its last bit between numpy
    releases (seen: 2.5 against the version the reference was made with), while a draw that differs moves the
    log-likelihood by far more than 1e-12 of itself."""
    return f"{x:.12g}"


def filter_fingerprint(path: str) -> dict[str, object]:
    """One small filter (it resamples, so particles are copied): its log-likelihood and parts to 12 significant
    digits, its resampling count exactly."""
    scenario = load_scenario(ROOT / path)
    run = run_filter(scenario, scored_days(scenario), PARTICLES, 7)
    parts = repr(sorted((k, _digits(v)) for k, v in run.parts.items()))
    return {
        "log_likelihood": _digits(run.log_likelihood),
        "floor_nats": _digits(run.floor_nats),
        "resamples": run.resamples,
        "min_ess": _digits(run.min_ess),
        "parts": hashlib.sha256(parts.encode()).hexdigest(),
    }


def fingerprint(name: str) -> dict[str, object]:
    return {"runs": runs_fingerprint(CASES[name]), "filter": filter_fingerprint(CASES[name])}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_draws_as_recorded(name: str) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))[name]
    got = fingerprint(name)
    assert got["filter"] == reference["filter"]
    assert got["runs"] == reference["runs"]


if __name__ == "__main__":
    json.dump({name: fingerprint(name) for name in sorted(CASES)}, sys.stdout, indent=1)
    sys.stdout.write("\n")
