"""The per-connection state machine of the Gemini emulator.

::

    AWAIT_SETUP ──setup ok──► SEEDING ──clientContent(turnComplete)──► IDLE
         │                      (only with historyConfig.initialHistoryInClientContent)
         └──────setup ok───────────────────────────────────────────────► IDLE
    IDLE ──model turn starts──► GENERATING ──turn ends / interrupted──► IDLE
    GENERATING ──blocking toolCall sent──► TOOL_WAIT ──results in──► GENERATING
    TOOL_WAIT ──interrupted──► IDLE
    any state ──► CLOSED

An illegal transition raises :class:`IllegalTransition` at once (a bug in the
emulator, reported as a 1011 close).
"""

from __future__ import annotations

import enum

__all__ = ["ConnectionState", "IllegalTransition", "StateMachine"]


class ConnectionState(enum.Enum):
    """Where one emulated connection stands."""

    AWAIT_SETUP = "await_setup"
    SEEDING = "seeding"
    IDLE = "idle"
    GENERATING = "generating"
    TOOL_WAIT = "tool_wait"
    CLOSED = "closed"


_S = ConnectionState
_TRANSITIONS: dict[ConnectionState, frozenset[ConnectionState]] = {
    _S.AWAIT_SETUP: frozenset({_S.SEEDING, _S.IDLE, _S.CLOSED}),
    _S.SEEDING: frozenset({_S.IDLE, _S.CLOSED}),
    _S.IDLE: frozenset({_S.GENERATING, _S.CLOSED}),
    _S.GENERATING: frozenset({_S.IDLE, _S.TOOL_WAIT, _S.CLOSED}),
    _S.TOOL_WAIT: frozenset({_S.GENERATING, _S.IDLE, _S.CLOSED}),
    _S.CLOSED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """The emulator tried a transition the table does not allow."""


class StateMachine:
    """Holds the current :class:`ConnectionState` and enforces the transition table."""

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state = ConnectionState.AWAIT_SETUP

    def to(self, new: ConnectionState) -> None:
        """Move to ``new``.

        Raises:
            IllegalTransition: The table has no edge from the current state to ``new``.
        """
        if new not in _TRANSITIONS[self.state]:
            raise IllegalTransition(f"{self.state.name} -> {new.name}")
        self.state = new

    @property
    def busy(self) -> bool:
        """Whether a model turn is in progress."""
        return self.state in (ConnectionState.GENERATING, ConnectionState.TOOL_WAIT)
