"""Draw the crisis library's new cases from ICB v14 by the rule in scenarios/library/README.md, and print them.

Why a script: the selection has to be reproducible and committed before any case is written, so that nobody
(including the person writing the cases) can pick crises the model happens to get right. Run it with the
interpreter: `python3 tools/draw_library.py` (standard library only). It reads the shared ICB
subset only; crises absent from that subset are never looked up.

The rule, in short (the README gives it in full, with reasons):
- population: ICB v14 crises (icb1) triggered in 1945 or later with at least one state crisis actor (icb2 row),
  minus the reserved crises and the crises already in the library (EXCLUDED below, each with its reason);
- strata: ICB violence (`viol` 1-4) x era (Cold War, trigger 1945-1989; after, 1990-2017): 8 strata;
- allocation: N_DRAW cases in proportion to stratum size (largest remainder), at least one per non-empty stratum;
- order inside a stratum: a seeded shuffle (Python's `random.Random(SEED)`, Mersenne Twister, stable across
  Python 3 versions); the first k of each stratum are drawn, and the rest is the replacement order (used only
  for a crisis that cannot be sourced, the replacement and its reason written in the README);
- split: a second seeded shuffle of the drawn list (`random.Random(SEED + 1)`); its first N_TEST cases are test,
  the rest train.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ICB = Path(__file__).resolve().parents[2] / "shared" / "data" / "icb"
if not ICB.exists():  # run from a worktree or from main: both sit beside /work/shared
    ICB = Path("/work/shared/data/icb")
SEED = 20261207  # the date the rule was written (2026-12-07); chosen before any draw was seen
N_DRAW = 17  # the minimum: 13 + 17 = 30 cases
N_TEST = 5  # 5 of the 13 existing are test; 5 + 5 = 10 of 30 (a third)
FIRST_YEAR = 1945
ERA_BREAK = 1990  # the end of the Cold War (ICB's own `period` changes there too)

# crisno -> why it is out. Reserved crises (docs: common rules; never encoded) and crises already in the library.
EXCLUDED = {
    409: "reserved: Israel-Hezbollah (Operation Accountability, 1993)",
    336: "in the library: falklands1982",
    431: "in the library: kargil1999",
    458: "in the library: georgia2008",
    482: "in the library: uri2016",
    486: "in the library: syria2017",
}
# Names that mark a reserved crisis if one were in the file (none but 409 is, checked by the test).
RESERVED_WORDS = ("HEZBOLLAH", "HIZBALLAH", "LEBANON WAR II", "ISRAEL-IRAN", "CHEONAN", "YEONPYEONG", "RED SEA CRISIS")


def read(name: str) -> list[dict[str, str]]:
    """One ICB file as rows of strings (the files are plain CSV: no quoting, CRLF)."""
    with open(ICB / name, newline="", encoding="ascii") as handle:
        return list(csv.DictReader(handle))


def population() -> list[dict[str, str]]:
    """Crises that may be drawn: 1945 on, at least one state crisis actor, not excluded, not reserved."""
    actors = {row["crisno"] for row in read("icb2v14_shared.csv") if row["cracid"].strip()}
    out = []
    for row in read("icb1v14_shared.csv"):
        number = int(row["crisno"])
        if int(row["yrtrig"]) < FIRST_YEAR or row["crisno"] not in actors or number in EXCLUDED:
            continue
        if any(word in row["crisname"].upper() for word in RESERVED_WORDS):
            continue
        out.append(row)
    return out


def stratum(row: dict[str, str]) -> tuple[int, str]:
    """(ICB violence level 1-4, era)."""
    era = "cold_war" if int(row["yrtrig"]) < ERA_BREAK else "after"
    return int(row["viol"]), era


def allocate(sizes: dict[tuple[int, str], int], total: int) -> dict[tuple[int, str], int]:
    """Proportional allocation by largest remainder, at least one per non-empty stratum."""
    n = sum(sizes.values())
    quota = {k: total * v / n for k, v in sizes.items()}
    alloc = {k: max(1, int(q)) for k, q in quota.items()}
    order = sorted(sizes, key=lambda k: (-(quota[k] - int(quota[k])), k))
    i = 0
    while sum(alloc.values()) < total:
        alloc[order[i % len(order)]] += 1
        i += 1
    while sum(alloc.values()) > total:  # only if the minimum of one overshot: take from the largest
        big = max((k for k in alloc if alloc[k] > 1), key=lambda k: (alloc[k] - quota[k], k))
        alloc[big] -= 1
    return alloc


def draw(seed: int = SEED) -> tuple[list[dict[str, str]], dict[tuple[int, str], list[dict[str, str]]]]:
    """The drawn crises (stratum order, then permutation order) and each stratum's full permuted order."""
    rng = random.Random(seed)
    strata: dict[tuple[int, str], list[dict[str, str]]] = {}
    for row in population():
        strata.setdefault(stratum(row), []).append(row)
    keys = sorted(strata)
    permuted = {}
    for key in keys:  # one shuffle per stratum, in sorted stratum order: the draw depends on the seed only
        rows = sorted(strata[key], key=lambda r: int(r["crisno"]))
        rng.shuffle(rows)
        permuted[key] = rows
    alloc = allocate({k: len(v) for k, v in permuted.items()}, N_DRAW)
    drawn = [row for key in keys for row in permuted[key][: alloc[key]]]
    return drawn, permuted


def splits(drawn: list[dict[str, str]], seed: int = SEED) -> dict[str, str]:
    """crisno -> train/test: the first N_TEST of a second seeded shuffle are test."""
    order = list(range(len(drawn)))
    random.Random(seed + 1).shuffle(order)
    return {drawn[i]["crisno"]: ("test" if rank < N_TEST else "train") for rank, i in enumerate(order)}


def main() -> int:
    drawn, permuted = draw()
    split = splits(drawn)
    print(f"ICB v14 shared subset; seed {SEED}; population {sum(len(v) for v in permuted.values())} crises")
    print("drawn:")
    print("| crisno | ICB name | trigger year | viol | era | split |")
    print("|---|---|---|---|---|---|")
    for row in drawn:
        viol, era = stratum(row)
        print(f"| {row['crisno']} | {row['crisname']} | {row['yrtrig']} | {viol} | {era} | {split[row['crisno']]} |")
    print("replacement order (per stratum, after the drawn ones):")
    taken = {row["crisno"] for row in drawn}
    for key, rows in permuted.items():
        rest = [f"{r['crisno']} {r['crisname']}" for r in rows if r["crisno"] not in taken][:5]
        print(f"  viol {key[0]}, {key[1]} (n={len(rows)}): " + "; ".join(rest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
