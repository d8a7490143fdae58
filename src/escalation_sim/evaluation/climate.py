"""Climatology for each library case, from the train split: the frequencies of the outcome classes (for the
ranked probability score of outcomes.csv) and the pooled daily frequencies of acting and of each action (the
`climatology` record baseline of scores.csv, `score/climatology.py`).

A train case is never its own climatology: its climatology is fitted on the other train cases (leave one out);
a test case's on the whole train split. So the climatology column is out of sample for every case.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario import Scenario
from ..score.baselines import Parts
from ..score.climatology import Pool, climatology_parts, pool_of, record_of
from . import metrics


@dataclass
class Climate:
    """The train split's counts, per train case so that one can be left out."""

    classes: dict[str, str]  # train case -> observed class
    pools: dict[str, Pool]  # train case -> its record's counts

    @classmethod
    def of(cls, cases: list[Scenario]) -> Climate:
        train = [c for c in cases if c.split == "train"]
        return cls({c.name: str(c.observed_outcome) for c in train}, {c.name: pool_of(c) for c in train})

    def class_shares(self, case: str) -> dict[str, float]:
        """The observed class frequencies of the train split without `case`."""
        return metrics.class_frequencies([k for name, k in self.classes.items() if name != case])

    def pool(self, case: str) -> Pool:
        out = Pool()
        for name, pool in self.pools.items():
            if name != case:
                out = out + pool
        return out

    def record_parts(self, case: Scenario) -> Parts:
        """The case's record scored by the pooled counts of the train split without it."""
        return climatology_parts(case, record_of(case), self.pool(case.name))


def total(parts: Parts) -> float:
    return sum(p["timing"] + p["choice"] for p in parts.values())
