"""What `score`, `calibrate` and `evaluate` take in, checked before any work: frozen parameter files (through the
one input reader, and the train/test protocol), prior boxes against the scenarios, and the bounds of the work
one command may be asked for."""

from __future__ import annotations

from pathlib import Path

from .common import console, fail, open_scenario

# Upper bounds of the work one command may be asked for, so a typo (an extra zero or three) is a clear exit 2
# and not hours of computing or an exhausted memory. Each is far above what the method needs (the defaults).
# A filter holds one model per particle: on jan2020 its peak memory grew ~0.19 MB a particle (measured: 210 MB
# at 100 particles, 286 MB at 500, 2 filters, serial), so 10,000 (10x the default) is ~2 GB per process.
MAX_PARTICLES = 10_000
MAX_REPLICATIONS = 64  # filters per score: the Monte Carlo s.e. shrinks as 1/sqrt(n); 64 is 16x the default
MAX_WALKERS = 256  # emcee walkers: 2-4x the parameters suffice (at most 6 parameters); each costs a filter a step
MAX_STEPS = 10_000  # MCMC steps: the shipped fits use 24-100; a run continues where it stopped, so more is later
MAX_LIBRARY_RUNS = 100_000  # runs per case for the outcome shares (share s.e. < 0.2 points at 100,000)


def frozen_scenario(loaded, frozen: Path | None, record_frozen: bool, registry: Path):
    """The scenario with frozen parameters applied; exits 2 if the train/test protocol forbids it."""
    from ..scenario import ScenarioError
    from ..score.frozen import FrozenError, check, read_params, record

    if frozen is None:
        if record_frozen:
            raise fail("--record-frozen needs --frozen PARAMS.json: the parameters whose hash to record")
        return loaded, None
    try:
        params = read_params(frozen)
        if record_frozen:
            if loaded.split == "test":
                raise FrozenError(
                    "parameters cannot be frozen while a test scenario is scored; record them on "
                    "a training scenario (or with `calibrate --freeze`)"
                )
            digest = record(params, f"recorded with score {loaded.name}", registry)
            console.print(f"recorded parameters {digest[:12]} in {registry}", markup=False)
        digest = check(params, loaded.split, registry)
        return loaded.with_edits(params), digest
    except FrozenError as exc:
        raise fail(f"--frozen: {exc}") from None
    except ScenarioError as exc:  # values out of a field's bounds, or of the wrong kind
        raise fail(
            f"--frozen {frozen}: the parameters make {loaded.name} invalid: {'; '.join(exc.problems[:3])}"
        ) from None
    except (ValueError, KeyError) as exc:
        raise fail(f"--frozen {frozen}: the parameters do not apply to {loaded.name}: {exc}") from None


def check_boxes(scenarios: list, declared: list) -> None:
    """Exit 2 before any sampling if a prior box reaches values its field refuses (a trait of 1.2, a text field,
    a whole rule): each box is tried near both ends and in the middle, on every scenario."""
    from ..scenario import ScenarioError

    for p in declared:
        inset = (p.high - p.low) * 1e-6
        for value in (p.low + inset, (p.low + p.high) / 2, p.high - inset):
            for scenario in scenarios:
                try:
                    scenario.with_edits({p.name: value})
                except ScenarioError as exc:
                    raise fail(
                        f"--params {p.name}={p.low:g}:{p.high:g}: at {value:.4g}, {scenario.name} is invalid "
                        f"({exc.problems[0]}); choose a box inside the field's bounds"
                    ) from None
                except ValueError as exc:
                    raise fail(f"--params {p.name}: {exc}") from None


def calibration_inputs(scenarios: list[str], params: list[str]) -> tuple[list, list]:
    """The scenarios to fit (never a test scenario) and the declared parameters, their boxes checked."""
    from ..calibrate import Param

    try:
        declared = [Param.parse(p) for p in params]
    except ValueError as exc:
        raise fail(f"--params {exc}") from None
    loaded = [open_scenario(s)[1] for s in scenarios]
    tests = [s.name for s in loaded if s.split == "test"]
    if tests:
        raise fail(f"{', '.join(tests)}: test scenarios are never used to calibrate; drop them or mark them train")
    check_boxes(loaded, declared)
    return loaded, declared
