"""What is in play between days, as typed records (actors by index): threats and closures (`SignalBook`), orders
on their way (`Order`), blame still under investigation (`Blame`). The mechanics modules fill and empty them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scenario.signalling import ThreatTerms


@dataclass(slots=True)
class Threat:
    """A public threat of `sender` against `target` (actor indices), with its terms and its state."""

    sender: int
    target: int
    terms: ThreatTerms
    window: int
    issued: int
    live: bool = False  # its condition met (or deadline passed): force is owed within the window


@dataclass(slots=True)
class SignalBook:
    """The signals in play in one run: threats by (sender, target), closures, messages still on their way."""

    threats: dict[tuple[int, int], Threat] = field(default_factory=dict)
    closures: dict[tuple[int, int], int] = field(default_factory=dict)  # (author, other) -> last day it binds
    inbox: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # day -> (sender, receiver, kind)


@dataclass(frozen=True, slots=True)
class Line:
    """One direction of a private channel, from one actor index to another (mechanics/channels.py)."""

    channel_id: str
    sender: int
    receiver: int
    kinds: frozenset[str]
    delay_days: int
    reliability: float
    via: str
    host: int  # index of the actor carrying the line (a host's prime minister), or -1


@dataclass(slots=True)
class Order:
    """A sponsor's private order on its way to a proxy (mechanics/proxies.py)."""

    due: int  # model day it arrives
    sponsor: int  # actor indices, as a SignalBook's threats
    proxy: int
    kind: int  # RESTRAIN or ATTACK
    aim: int  # actor index of the adversary to attack (ATTACK), or NO_TARGET


@dataclass(slots=True)
class Blame:
    """An act laid at a culprit's door in the observer's memory (mechanics/perception.blame); queued while the
    observer's investigation runs (`due`: the day it concludes)."""

    observer: int  # actor indices
    culprit: int
    share: float  # severity laid at the culprit's door
    rung: int
    own_killed: int
    p: float  # the observer's belief that the culprit did it
    hit_self: bool  # the act hit the observer itself (not only its proxy)
    key: str  # the ladder action
    verbal: bool = False
    due: int = 0
