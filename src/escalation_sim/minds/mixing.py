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


class Sparse:
    """A doctrine's split (deeds, words: `split[0]`, `split[1]`) with, per channel, its non-zero hostile and calm
    entries (index, probability) in option order: what `mixture` adds up. The entries are found when first asked
    for: a believer's likelihood of a day reads only the two channels (measured on jan2020: 5 in 6 of those splits
    are new, and finding their entries was half the cost of learning). Shared, read only."""

    __slots__ = ("_entries", "channels", "hostile")

    def __init__(self, split: tuple[list[float], list[float]], hostile: list[bool]) -> None:
        self.channels = split
        self.hostile = hostile  # per option: whether it is hostile (the other's menu, never changed)
        self._entries: tuple[Entries, Entries, Entries, Entries] | None = None

    def __getitem__(self, channel: int) -> list[float]:
        return self.channels[channel]

    def __len__(self) -> int:
        return 2

    def __eq__(self, other: object) -> bool:  # the entries are the channels' own
        return isinstance(other, Sparse) and self.channels == other.channels

    __hash__ = None  # type: ignore[assignment]  # compared by value, kept by identity (`Mixes`)

    def entries(self) -> tuple[Entries, Entries, Entries, Entries]:
        """(hostile, calm) of the deeds channel, then of the words channel (a channel is zero on the other's)."""
        out = self._entries
        if out is None:
            hostile = self.hostile
            found: list[Entries] = []
            for probs in self.channels:
                nonzero = [(i, q) for i, q in enumerate(probs) if q]
                found += ([(i, q) for i, q in nonzero if hostile[i]], [(i, q) for i, q in nonzero if not hostile[i]])
            out = self._entries = tuple(found)  # type: ignore[assignment]
        return out  # type: ignore[return-value]


class Mixes:
    """One belief's mixtures by (groups, splits) identity."""

    __slots__ = ("kept",)

    def __init__(self) -> None:
        self.kept: dict[tuple[int, ...], tuple[Groups, list[Sparse], Mixed]] = ByIdentity()

    def mix(self, groups: Groups, splits: list[Sparse], n: int, hold: int) -> Mixed:
        """`mixture(...)`, the same lists for the same groups and splits: the caller must not change them."""
        key = (id(groups), *map(id, splits))
        entry = self.kept.get(key)
        if entry is not None:  # the entry holds the objects its key names, alive: these are they (no id reused)
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
        sparse = split.entries()
        for c, (out, hostile, calm) in enumerate(((deeds_out, *sparse[:2]), (words_out, *sparse[2:]))):
            for i, q in hostile:  # the non-zero ones, in option order, as `moved` adds up
                out[i] += carried * q
                moved[c] += lost * q
            for i, q in calm:
                out[i] += weight * q
    deeds_out[hold] += moved[0]
    words_out[hold] += moved[1]
    return deeds_out, words_out
