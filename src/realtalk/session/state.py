"""The session's lifecycle state machine: one enum and one transition table.

::

    CONNECTING ──► CONNECTED ──► RECONNECTING ──► CONNECTED
         │              │               │
         └──────────────┴───────────────┴──────► CLOSED

An illegal transition raises :class:`RuntimeError` at once: it is a realtalk bug,
never a user error.
"""

from __future__ import annotations

import enum

__all__ = ["SessionStatus", "StatusMachine"]


class SessionStatus(enum.Enum):
    """Where a session is in its life."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


_ALLOWED: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.CONNECTING: frozenset({SessionStatus.CONNECTED, SessionStatus.CLOSED}),
    SessionStatus.CONNECTED: frozenset({SessionStatus.RECONNECTING, SessionStatus.CLOSED}),
    SessionStatus.RECONNECTING: frozenset({SessionStatus.CONNECTED, SessionStatus.CLOSED}),
    SessionStatus.CLOSED: frozenset(),
}


class StatusMachine:
    """Holds the current :class:`SessionStatus` and enforces the transition table."""

    __slots__ = ("_status",)

    def __init__(self) -> None:
        self._status = SessionStatus.CONNECTING

    @property
    def status(self) -> SessionStatus:
        """The current status."""
        return self._status

    def to(self, new: SessionStatus) -> None:
        """Move to ``new``.

        Raises:
            RuntimeError: The transition is not in the table.
        """
        if new not in _ALLOWED[self._status]:
            raise RuntimeError(f"illegal session transition {self._status.name} -> {new.name}")
        self._status = new
