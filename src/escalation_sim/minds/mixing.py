"""The posterior mixture of a belief's types (minds/beliefs.py `answer`), memoised by what it mixes.

Why: a forecast imagines the other's answer to each option of the believer, in two branches, and mixes every
doctrine's channels by the posterior; most of those channels are memoised splits repeated from an earlier
imagined state (minds/policy.memo_channels), and 4 in 5 of a learned jan2020 run's mixtures mix the very same
splits with the same weights as one already made in the run. The mixture is a pure function of the groups'
weights and the splits, so it is kept by their identity: the same objects give the same sums, bit for bit. The
memo holds the objects it is keyed by, so an identity is not reused while its entry lives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..rules import Rule

Entries = list[tuple[int, float]]  # (option index, probability)
Sparse = tuple[list[float], list[float], Entries, Entries, Entries, Entries]  # deeds, words; hostile, calm of each
Groups = list[tuple["Rule", float, float, float]]  # (doctrine, resolve, weight, weight x resolve): beliefs.groups
Mixed = tuple[list[float], list[float]]  # deeds, words
MAX_MIXES = 4096  # per belief: a memo this full is emptied


class ByIdentity(dict):
    """A memo keyed by the identities of the objects its entries hold. A copied or unpickled one starts empty: the
    objects its keys name are not the copy's (and a particle's copy would otherwise copy the whole memo)."""

    def __deepcopy__(self, memo: dict) -> ByIdentity:
        return type(self)()

    def __reduce__(self) -> tuple[type, tuple]:
        return type(self), ()


class Mixes:
    """One belief's mixtures by (groups, splits) identity."""

    __slots__ = ("kept",)

    def __init__(self) -> None:
        self.kept: dict[tuple[int, ...], tuple[Groups, list[Sparse], Mixed]] = ByIdentity()

    def mix(self, groups: Groups, splits: list[Sparse], n: int, hold: int) -> Mixed:
        """`mixture(...)`, the same lists for the same groups and splits: the caller must not change them."""
        key = (id(groups), *map(id, splits))
        entry = self.kept.get(key)
        if entry is not None and entry[0] is groups and all(a is b for a, b in zip(entry[1], splits, strict=True)):
            return entry[2]
        out = mixture(groups, splits, n, hold)
        if len(self.kept) >= MAX_MIXES:
            self.kept.clear()
        self.kept[key] = (groups, splits, out)
        return out


def mixture(groups: Groups, splits: list[Sparse], n: int, hold: int) -> Mixed:
    """Each group's channels over `n` options weighted by its posterior weight; a type of resolve r plays its
    doctrine's hostile options with r times their probability and holds with the rest (added to `hold` last)."""
    deeds_out, words_out = [0.0] * n, [0.0] * n
    moved = [0.0, 0.0]
    for (_, _, weight, carried), split in zip(groups, splits, strict=True):
        lost = weight - carried
        sparse = split[2:]
        for c, (out, hostile, calm) in enumerate(((deeds_out, *sparse[:2]), (words_out, *sparse[2:]))):
            for i, q in hostile:  # the non-zero ones, in option order, as `moved` adds up
                out[i] += carried * q
                moved[c] += lost * q
            for i, q in calm:
                out[i] += weight * q
    deeds_out[hold] += moved[0]
    words_out[hold] += moved[1]
    return deeds_out, words_out
