"""The terminal's grammar for a game: what a player may type at the `play` prompt, parsed into a `Command`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .game import ChoiceError

if TYPE_CHECKING:
    from .game import Game


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed line of player input."""

    kind: Literal["option", "hold", "model", "auto", "wait", "quit", "help"]
    option: int | None = None
    days: int | None = None


HELP = (
    "type an option's number and Enter; Enter alone holds for the day; "
    "m lets the model decide today; a lets the model play you from now on to the end; "
    "w holds until another actor does something (w 5: up to 5 days; waiting "
    "always stops on news that involves you); "
    "q stops the game (what was played is saved); ? shows this help"
)


def parse_command(text: str, game: Game) -> Command:
    """Read one line of player input; raise ChoiceError saying what is allowed if it is not on the list."""
    words = text.strip().lower().split()
    if not words:
        return Command("hold")
    head = words[0]
    if len(words) == 1 and _number(head):
        game.check_option(int(head))
        return Command("option", option=int(head))
    if head in ("h", "hold") and len(words) == 1:
        return Command("hold")
    if head in ("m", "model") and len(words) == 1:
        return Command("model")
    if head in ("a", "auto") and len(words) == 1:
        return Command("auto")
    if head in ("q", "quit", "exit") and len(words) == 1:
        return Command("quit")
    if head in ("?", "help") and len(words) == 1:
        return Command("help")
    if head in ("w", "wait"):
        if len(words) == 1:
            return Command("wait")
        if len(words) == 2 and _number(words[1]) and int(words[1]) > 0:
            return Command("wait", days=int(words[1]))
        raise ChoiceError(f"{text.strip()!r}: w alone, or w and a number of days (w 5)")
    n = len(game.actor.options)
    raise ChoiceError(
        f"{text.strip()!r} is not on the list: type an option's number (0-{n - 1}), Enter to hold, "
        "m to let the model decide, a to let it play to the end, w to wait, q to stop (? for help)"
    )


def _number(word: str) -> bool:
    """ASCII digits only ('²' and '①' are digits to str.isdigit but not to int), and a sane length."""
    return word.isascii() and word.isdigit() and len(word) <= 9
