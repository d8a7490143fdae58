"""Read ICB v14 files (the shipped shared subset, or any CSVs with the same columns) and check them.

Why checks here: `icb predict` takes any CSV a user hands it. A missing column or a word where a code belongs must
stop the command with the file, the column and what was expected (docs/icb.md), not fail deep in the mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

# Columns the mapping and the validation read. Outcome columns are needed only to score (cross-validation).
CRISIS_COLUMNS = (
    "crisno",
    "crisname",
    "break",
    "trigent",
    "yrtrig",
    "motrig",
    "datrig",
    "gravcr",
    "noactr",
    "gpinv",
    "protrac",
    "geog",
)
ACTOR_COLUMNS = (
    "crisno",
    "cracno",
    "cracid",
    "actor",
    "triggr",
    "trigent",
    "gravty",
    "powsta",
    "regime",
    "nuclear",
    "age",
    "territ",
    "yrtrig",
    "motrig",
    "datrig",
)
OUTCOME_COLUMNS = ("sevviosy", "crismg", "forout", "brexit")
TEXT_COLUMNS = {"crisname", "actor", "icb1", "icb2"}
SHIPPED = "data/icb"


class IcbDataError(ValueError):
    """A file that is not in the ICB v14 format: the message names the file, the column and what was expected."""


@dataclass(frozen=True)
class IcbData:
    """The crisis-level (ICB1) and actor-level (ICB2) tables, keyed by `crisno`."""

    crises: pd.DataFrame
    actors: pd.DataFrame
    sources: tuple[str, str]

    @cached_property
    def _actor_rows(self) -> dict[int, pd.DataFrame]:
        """Each crisis's actor rows (sorted by cracno), split once: filtering the ~100-column table per crisis
        was most of the mapping's time (icb predict's profile, docs/icb.md section 6); only the columns it reads."""
        ordered = self.actors[list(ACTOR_COLUMNS)].sort_values(["crisno", "cracno"], kind="stable")
        return {int(k): rows for k, rows in ordered.groupby("crisno", sort=False)}

    @cached_property
    def _crisis_rows(self) -> dict[int, pd.Series]:
        return {int(row["crisno"]): row for _, row in self.crises.iterrows()}

    def only(self, crisnos: Iterable[int]) -> IcbData:
        """The same data restricted to the given crises (both tables), for a quick run over a few of them."""
        keep = set(int(c) for c in crisnos)
        crises = self.crises[self.crises["crisno"].isin(keep)].reset_index(drop=True)
        return IcbData(crises, self.actors[self.actors["crisno"].isin(keep)].reset_index(drop=True), self.sources)

    def actors_of(self, crisno: int) -> pd.DataFrame:
        found = self._actor_rows.get(int(crisno))
        return found if found is not None else self.actors.iloc[0:0]

    def crisis(self, crisno: int) -> pd.Series:
        row = self._crisis_rows.get(int(crisno))
        if row is None:
            raise KeyError(f"crisis {crisno} is not in {self.sources[0]}")
        return row


def shipped_paths() -> tuple[Path, Path]:
    """The shared subset shipped in the package (data/icb/, with its README and NOTICE)."""
    root = resources.files("escalation_sim").joinpath(SHIPPED)
    return Path(str(root.joinpath("icb1v14_shared.csv"))), Path(str(root.joinpath("icb2v14_shared.csv")))


def read_table(path: Path | str, required: tuple[str, ...], what: str) -> pd.DataFrame:
    """Read one CSV and check it has `required` columns, numeric (or empty) where codes belong."""
    path = Path(path)
    if not path.is_file():
        raise IcbDataError(f"{path}: no such file (expected an {what} CSV of the ICB v14 format)")
    try:
        frame = pd.read_csv(path, skipinitialspace=True, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise IcbDataError(
            f"{path}: cannot be read as CSV ({exc}); expected an {what} CSV of the ICB v14 format"
        ) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise IcbDataError(
            f"{path}: missing column(s) {', '.join(missing)}; expected an {what} CSV with the ICB v14 "
            f"columns (at least: {', '.join(required)})"
        )
    for column in required:
        if column in TEXT_COLUMNS:
            continue
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() & frame[column].notna() & (frame[column].astype(str).str.strip() != "")
        if bad.any():
            row = int(bad.idxmax())
            raise IcbDataError(
                f"{path}: column {column}, data row {row + 1}: expected a numeric ICB code, got "
                f"{frame.at[row, column]!r}"
            )
        frame[column] = numbers
    if frame["crisno"].isna().any():
        row = int(frame["crisno"].isna().idxmax())
        raise IcbDataError(f"{path}: column crisno, data row {row + 1}: expected a crisis number, found it empty")
    frame["crisno"] = frame["crisno"].astype(int)
    return frame


def load(icb1: Path | str | None = None, icb2: Path | str | None = None, outcomes: bool = False) -> IcbData:
    """Both tables; the shipped subset when no paths are given. `outcomes`: also require the scored columns."""
    if (icb1 is None) != (icb2 is None):
        raise IcbDataError("give both files (ICB1 crisis level and ICB2 actor level) or neither")
    if icb1 is None:
        icb1, icb2 = shipped_paths()
    assert icb2 is not None
    crisis_cols = CRISIS_COLUMNS + (OUTCOME_COLUMNS if outcomes else ())
    crises = read_table(icb1, crisis_cols, "ICB1 (crisis-level)")
    actors = read_table(icb2, ACTOR_COLUMNS, "ICB2 (actor-level)")
    if crises["crisno"].duplicated().any():
        dup = int(crises.loc[crises["crisno"].duplicated(), "crisno"].iloc[0])
        raise IcbDataError(f"{icb1}: column crisno: expected one row per crisis, crisis {dup} appears twice")
    return IcbData(crises.reset_index(drop=True), actors.reset_index(drop=True), (str(icb1), str(icb2)))
