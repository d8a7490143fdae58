"""Who may open which page of a class session: each seat's own unguessable token, and the instructor's.

Tokens come from `secrets` (not the model's generator: they never touch a draw), are compared in constant time,
and are never shown on a seat's page. A wrong, missing or another seat's token gets a refusal in words.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable


class SeatAccess:
    """The tokens of a session's seats and of its instructor, and the checks the pages make with them."""

    def __init__(
        self, seats: Iterable[str], tokens: dict[str, str] | None = None, instructor_token: str | None = None
    ) -> None:
        self.seat_tokens = {a: (tokens or {}).get(a) or secrets.token_urlsafe(16) for a in seats}
        self.instructor_token = instructor_token or secrets.token_urlsafe(16)

    def seat_refusal(self, actor_id: str, token: str) -> str | None:
        """Why a seat's page must not open with this token (None: it may): each seat has its own token."""
        expected = self.seat_tokens.get(actor_id)
        if expected is None:
            return f"there is no seat {actor_id!r} in this session: ask the instructor for your seat's link"
        if not token:
            return f"this link has no token for seat {actor_id}: open the full link the instructor gave your team"
        if not secrets.compare_digest(token.encode(), expected.encode()):
            return f"this token does not open seat {actor_id}: open the link the instructor gave your own team"
        return None

    def instructor_refusal(self, token: str) -> str | None:
        """Why the instructor's console must not open with this token (None: it may)."""
        if not token or not secrets.compare_digest(token.encode(), self.instructor_token.encode()):
            return "this is not the instructor's link for this session (its token is missing or wrong)"
        return None
