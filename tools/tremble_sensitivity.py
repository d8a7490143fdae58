"""Tremble sensitivity of the frozen out-of-sample evaluation (issue 22 item 4), with the frozen code and weights.

Why: a tremble is a chosen number, not a measured one. Three train actors of the hand-set library carry a 1e-3
tremble set to remove exact zeros on specific events (issue 22), and the fitted quantal weights were fitted by a
likelihood that floors every decision at the record score's tremble. A class share that moves when the tremble
moves measures that choice, not the model; such a case is flagged tremble-sensitive, as horizon.py flags a case
whose shares move with its horizon (the same `SENSITIVE`, five points of any class share).

What "tremble" means here, per model (the actor's tremble tau; runs at scale s give its rule epsilon = s * tau):
- Hand-set doctrines: tau = max(epsilon, T), epsilon the rule's own tremble as the case file sets it (Selten's
  trembling hand, rules/base.py; minds/policy.decide applies it last, on each channel) and T = score/record.py
  TREMBLE (1e-3), the floor with which the particle filter scores every decision of the hand-set model. The
  evaluation's runs are the file's epsilon: scale 1 for an actor with a tremble, scale 0 for one without.
- Fitted quantal model: its runs use epsilon 0 (learn/extract.py `quantal_everywhere` sets none), but the weights
  were fitted by a likelihood that floors each decision at (1 - T) p + T / k (learn/likelihood.py, the same T):
  the fitted model is the softmax with a tremble T, so tau = T and the evaluation's runs are scale 0.
- Scales 0, 1 and 2: no tremble at all; the tremble as fitted or scored; doubled. A rule nested in a mixture or
  a regime keeps s times its own epsilon (the outer rule's tremble already floors the blend). Not scaled: a
  belief's `tremble` (what an actor assumes of the others' noise when it updates, not its own decision) and a
  regime's `filter_tremble` (the filter's only; it never enters a run).

Each variant is run with the evaluation's seeds (run r has the seed of the evaluation's run r) over the first
`--runs` of them, and compared with the same runs at the evaluation's own tremble (paired, as the horizon runs are
paired): per case x model x scale the class shares, their shift against the base and the flag. A variant whose
scenario is the base's (no tremble to scale) is not run: its runs are the base's, bit for bit.

The script is outside the package on purpose: it changes nothing the freeze's hash covers (evaluation/freeze.py
`source_sha256` hashes src/escalation_sim), and it refuses to run unless the frozen entry is committed and this
tree still hashes to it (the same check as `evaluate --frozen`). It writes tremble.csv into --out (kept after each
case, so an interrupted run resumes) and replaces the "Tremble sensitivity" section at the end of tables.md.
With `--runs` equal to the frozen run's runs per case, the base runs are the frozen run's own (same seeds, same
code): `base_reproduces_frozen` checks them against its outcomes.csv, share for share.
`cpu_seconds` is this process's CPU time: all of a step's with `--workers 1`; with more workers the pool's
processes are not in it (then read `wall_seconds` beside the load).

    .venv/bin/python tools/tremble_sensitivity.py --frozen 9745300fcb81 --split test --runs 250 --workers 2
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from escalation_sim.evaluation import library_cases
from escalation_sim.evaluation.freeze import protocol_entry, settings_of, verify
from escalation_sim.evaluation.horizon import SENSITIVE, shares
from escalation_sim.evaluation.measure import MODELS, learned
from escalation_sim.evaluation.protocol import freeze_commit, resolve_frozen
from escalation_sim.files import write_text
from escalation_sim.results.outcomes import OUTCOMES
from escalation_sim.scenario import Scenario
from escalation_sim.score.frozen import FrozenError, registry
from escalation_sim.score.record import TREMBLE
from escalation_sim.sweep import shutdown_pools
from escalation_sim.sweep.runner import distribution

SCALES = (0.0, 1.0, 2.0)  # no tremble; as fitted / scored; doubled
SECTION = "## Tremble sensitivity"


def trembled(scenario: Scenario, scale: float) -> Scenario:
    """`scenario` with every actor's rule epsilon at `scale` times its tremble max(epsilon, TREMBLE); rules nested
    in a mixture or a regime at `scale` times their own epsilon."""
    changes: dict[str, float] = {}
    for name, actor in scenario.model_dump(mode="json")["actors"].items():
        rule = actor["rule"]
        changes[f"actors.{name}.rule.epsilon"] = scale * max(float(rule.get("epsilon", 0.0)), TREMBLE)
        inner = {f"regimes.{k}": r for k, r in (rule.get("regimes") or {}).items()}
        inner |= {f"components.{i}.rule": c["rule"] for i, c in enumerate(rule.get("components") or [])}
        for where, nested in inner.items():
            changes[f"actors.{name}.rule.{where}.epsilon"] = scale * float(nested.get("epsilon", 0.0))
    return scenario.with_edits(changes)


def same(a: Scenario, b: Scenario) -> bool:
    """The two scenarios are one (content hash): their runs are identical, seed for seed."""
    return a.sha256() == b.sha256()


def paired(own: pd.Series, moved: pd.Series) -> dict[str, Any]:
    """Each class's share shift between paired runs (run r against run r), the largest move (rounded to 1e-12:
    shares are multiples of 1/n, so a 5-point move is not lost to float error), the standard error of that class's
    paired shift, and whether the move is clear of Monte Carlo noise (beyond 1.96 standard errors)."""
    out: dict[str, Any] = {}
    errors = {}
    for k in OUTCOMES:
        d = (moved == k).astype(float) - (own == k).astype(float)
        out[f"shift_{k}"] = float(d.mean())
        errors[k] = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
    top = max(OUTCOMES, key=lambda k: abs(out[f"shift_{k}"]))
    out["max_move"] = round(abs(out[f"shift_{top}"]), 12)
    out["max_move_se"] = errors[top]
    out["tremble_sensitive"] = out["max_move"] >= SENSITIVE
    out["beyond_noise"] = out["max_move"] > 1.96 * errors[top] if out["max_move"] else False
    return out


def timed(scenario: Scenario, n: int, seed: int, workers: int) -> tuple[pd.Series, dict[str, float]]:
    """The outcomes of `n` runs and what they cost (process CPU: all of it with one worker; wall)."""
    clock = time.process_time(), time.perf_counter()
    runs = distribution(scenario, n=n, seed=seed, workers=workers)["outcome"]
    return runs, {"cpu_seconds": time.process_time() - clock[0], "wall_seconds": time.perf_counter() - clock[1]}


def reproduces(own: pd.Series, who: str, frozen: dict[str, Any] | None) -> bool | None:
    """Whether the base runs give the frozen run's shares (outcomes.csv) exactly; None where it ran other runs."""
    if frozen is None or int(frozen["runs"]) != len(own):
        return None
    suffix = "" if who == "model" else "_handset"
    return all(abs(float((own == k).mean()) - float(frozen[f"share_{k}{suffix}"])) < 1e-6 for k in OUTCOMES)


def case_rows(
    case: Scenario, who: str, n: int, seed: int, workers: int, frozen: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One case under one model: a row per scale (shares, shift against the base, flag, CPU-s of the runs);
    `frozen` the case's row of the frozen run's outcomes.csv, to check that the base runs reproduce it."""
    base = learned(case) if who == "model" else case
    own, cost = timed(base, n, seed, workers)
    check = reproduces(own, who, frozen)
    rows = []
    for scale in SCALES:
        variant = trembled(base, scale)
        row: dict[str, Any] = {"case": case.name, "split": case.split, "model": who, "scale": scale, "runs": n}
        row["epsilon_max"] = max(float(a.rule.epsilon) for a in variant.actors.values())
        row["identical"] = same(variant, base)
        moved, spent = (
            (own, {"cpu_seconds": 0.0, "wall_seconds": 0.0}) if row["identical"] else timed(variant, n, seed, workers)
        )
        row |= {f"share_{k}": v for k, v in shares(moved.to_frame()).items()} | paired(own, moved)
        rows.append(row | {f"base_{k}": v for k, v in cost.items()} | spent | {"base_reproduces_frozen": check})
    return rows


def checked(library: Path, reg: Path, prefix: str) -> tuple[str, int, list[Scenario]]:
    """The committed frozen entry, checked against this tree as `evaluate --frozen` checks it: (hash, seed,
    cases). FrozenError naming what moved."""
    entries = registry(reg)
    digest = resolve_frozen(prefix, entries)
    entry = entries[digest]["params"]
    settings = settings_of(entry)
    freeze_commit(digest, reg)
    cases, files = library_cases(library)
    verify(entry, protocol_entry(cases, files, settings), digest)
    return digest, settings.seed, cases


def section(table: pd.DataFrame, digest: str) -> str:
    """The report's section: one line per case and model, the largest shift over the scales and the flag."""
    lines = [
        SECTION, "",
        f"Frozen protocol {digest[:12]}, frozen code and weights (tools/tremble_sensitivity.py). Each actor's tremble "
        f"tau: hand-set, max(its rule's epsilon, {TREMBLE:g}) (the record score's floor); quantal, {TREMBLE:g} (the "
        "floor its weights were fitted under). Runs with epsilon = scale x tau, scales 0 / 1 / 2, against the "
        "evaluation's own runs (hand-set: the file's epsilon; quantal: 0), paired seeds. Shift: the largest move of "
        f"a class share; sensitive at {100 * SENSITIVE:.0f} points or more, **yes** where that move is also beyond "
        "1.96 standard errors of the paired shift (else: within noise).",
        "",
        "| case | split | model | runs | shift x0 | shift x1 | shift x2 | tremble-sensitive |",
        "|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for (case, who), g in table.groupby(["case", "model"], sort=False):
        moves = [g.loc[g["scale"] == s] for s in SCALES]
        cells = [("base" if m["identical"].iloc[0] else f"{100 * m['max_move'].iloc[0]:.1f} pts") for m in moves]
        flag = "no"
        if g["tremble_sensitive"].any():
            flag = "**yes**" if (g["tremble_sensitive"] & g["beyond_noise"]).any() else "yes (within noise)"
        lines.append(f"| {case} | {g['split'].iloc[0]} | {MODELS[who]} | {g['runs'].iloc[0]} | "
                     + " | ".join(cells) + f" | {flag} |")  # fmt: skip
    flags = table.assign(clear=table["tremble_sensitive"] & table["beyond_noise"])
    per_model = flags.groupby(["model", "case"])[["tremble_sensitive", "clear"]].any().groupby(level=0)
    check = table.drop_duplicates(["case", "model"])["base_reproduces_frozen"].dropna().astype(bool)
    if len(check):
        lines += ["", f"The base runs reproduce the frozen run's shares (outcomes.csv) in {int(check.sum())} of "
                  f"{len(check)} case-models run at its runs per case."]  # fmt: skip
    lines += ["", "Tremble-sensitive cases: " + "; ".join(
        f"{MODELS[w]} {int(g['tremble_sensitive'].sum())} of {len(g)} ({int(g['clear'].sum())} beyond noise)"
        for w, g in per_model) + "."]  # fmt: skip
    return "\n".join(lines) + "\n"


def append_section(tables: Path, text: str) -> None:
    """Replace the section at the end of tables.md (or add it): the evaluation's own tables are left as they are."""
    old = tables.read_text() if tables.exists() else ""
    head = old.split("\n" + SECTION)[0].rstrip("\n")
    write_text(tables, (head + "\n\n" if head else "") + text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frozen", required=True, help="the committed frozen hash (8+ characters)")
    ap.add_argument("--split", choices=("train", "test"), required=True)
    ap.add_argument("--runs", type=int, default=250, help="runs per case, model and scale (the first of the seeds)")
    ap.add_argument("--cases", default="", help="comma-separated case names of the split (default: all of it)")
    ap.add_argument("--models", default="model,handset", help="model (quantal), handset, or both")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--library", type=Path, default=Path("scenarios/library"))
    ap.add_argument("--out", type=Path, default=Path("evaluation/library"))
    ap.add_argument("--registry", type=Path, default=Path("calibration/frozen.json"))
    a = ap.parse_args(argv)
    models = [m for m in a.models.split(",") if m]
    if a.runs < 1 or not models or any(m not in MODELS for m in models):
        print(f"--runs >= 1 and --models from {list(MODELS)} expected", file=sys.stderr)
        return 2
    try:
        digest, seed, cases = checked(a.library, a.registry, a.frozen)
    except (FrozenError, ValueError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    names = [n for n in a.cases.split(",") if n]
    chosen = [c for c in cases if c.split == a.split and (not names or c.name in names)]
    unknown = sorted(set(names) - {c.name for c in chosen})
    if unknown:
        print(f"--cases: {unknown} are not {a.split} cases of {a.library}", file=sys.stderr)
        return 2
    csv, measured = a.out / "tremble.csv", a.out / "outcomes.csv"
    kept = pd.read_csv(csv) if csv.exists() else pd.DataFrame()
    frozen = {r["case"]: r for r in pd.read_csv(measured).to_dict(orient="records")} if measured.exists() else {}
    steps = [(c, m) for c in chosen for m in models]
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:  # fmt: skip
            task = bar.add_task("tremble", total=len(steps))
            for case, who in steps:
                bar.update(task, description=f"{case.name} ({MODELS[who]})")
                done = (kept["case"] == case.name) & (kept["model"] == who) & (kept["runs"] == a.runs) \
                    & (kept["frozen"] == digest) if len(kept) else None  # fmt: skip
                if done is None or not done.any():
                    rows = case_rows(case, who, a.runs, seed, a.workers, frozen.get(case.name))
                    rows = pd.DataFrame(rows).assign(frozen=digest)
                    if len(kept):
                        kept = kept[~((kept["case"] == case.name) & (kept["model"] == who))]
                    kept = pd.concat([kept, rows], ignore_index=True)
                    kept.to_csv(csv, index=False, float_format="%.6g", lineterminator="\n")
                bar.advance(task)
    finally:
        shutdown_pools()
    append_section(a.out / "tables.md", section(kept, digest))
    print(f"{csv}: {len(kept)} rows; section '{SECTION[3:]}' in {a.out / 'tables.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
