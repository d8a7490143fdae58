"""Private channels (docs/model.md section 5a): messages that reach one actor, late or never, and cost nothing.

A scenario's `channels:` gives each line's ends, what it carries, its delay in days and its reliability. A
message is sent on the fastest open line carrying its kind (the most reliable among equally fast ones); it is
delivered with the line's reliability (one draw from `model.random`) `delay_days` later. A delay of 0 means
within hours: a warning sent with a strike arrives in time to shelter; any longer and it arrives after it.
Private messages carry no audience cost (Carson 2018; Yarhi-Milo 2014): only the receiver learns of them, and it
learns through `signals.receive`, the one hook through which messages enter an actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scenario.signalling import Channel
from ..state.ledgers import Line

if TYPE_CHECKING:
    from ..state.world import World


@dataclass(frozen=True, slots=True)
class Sent:
    """What became of a message: the line it took (None if there was none), delivered or lost, when it arrives."""

    line: Line | None
    delivered: bool
    day: int

    def describe(self) -> str:
        if self.line is None:
            return "no open channel"
        how = f"via {self.line.channel_id}" + (f" ({self.line.via})" if self.line.via else "")
        if not self.delivered:
            return f"{how}: lost"
        return f"{how}: arrives " + ("within hours" if self.line.delay_days == 0 else f"in {self.line.delay_days} d")


def build_lines(channels: dict[str, Channel], ids: list[str]) -> dict[tuple[int, int], list[Line]]:
    """Open lines by (sender, receiver) index, fastest first, then most reliable, then by id (deterministic)."""
    lines: dict[tuple[int, int], list[Line]] = {}
    for key, ch in sorted(channels.items()):
        if not ch.open:
            continue
        ends = [(ch.sender, ch.receiver)] + ([(ch.receiver, ch.sender)] if ch.two_way else [])
        for a, b in ends:
            host = ids.index(ch.host) if ch.host is not None else -1
            line = Line(
                key, ids.index(a), ids.index(b), frozenset(ch.kinds), ch.delay_days, ch.reliability, ch.via, host
            )
            lines.setdefault((line.sender, line.receiver), []).append(line)
    for options in lines.values():
        options.sort(key=lambda ln: (ln.delay_days, -ln.reliability, ln.channel_id))
    return lines


def route(
    lines: dict[tuple[int, int], list[Line]], sender: int, receiver: int, kind: str, host: int = -1
) -> Line | None:
    """The line a message of this kind takes from sender to receiver, or None if no open line carries it; with
    `host`, only a line that host carries (a host relaying its partner's message)."""
    for line in lines.get((sender, receiver), ()):
        if kind in line.kinds and (host < 0 or line.host == host):
            return line
    return None


def send(model: World, sender: int, receiver: int, kind: str, host: int = -1) -> Sent:
    """Send a message: pick the line, draw its delivery from `model.random`, and give the day it arrives."""
    line = route(model.lines, sender, receiver, kind, host)
    if line is None:
        return Sent(None, False, model.day)
    delivered = model.random.random() < line.reliability
    return Sent(line, delivered, model.day + line.delay_days)
