"""What the emulator remembers about one conversation (a session, across connections).

A :class:`Conversation` is the mutable state of a session: its history and its
turn counters. :meth:`Conversation.snapshot` freezes it into a
:class:`Snapshot`, which is what a resumption handle points to; resuming
builds a new :class:`Conversation` from the snapshot (gemini-live.md §6.8).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Conversation", "Entry", "Snapshot"]

Role = Literal["user", "model", "tool"]
EntryKind = Literal["text", "audio", "tool_call", "tool_response", "system"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of conversation history.

    Attributes:
        role: Who contributed it.
        kind: What it is (text, an audio turn, a function call or response).
        text: The text, the audio turn's transcript, or a call's ``NAME {json}``.
        seconds: Duration of an audio entry (0.0 otherwise).
    """

    role: Role
    kind: EntryKind
    text: str
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A frozen conversation state, as captured by a resumption handle."""

    session_id: str
    model: str
    history: tuple[Entry, ...]
    user_turns: int
    audio_turns: int


@dataclass(slots=True)
class Conversation:
    """The live state of one conversation.

    Attributes:
        session_id: Stable id of the session (kept across resumption).
        model: The model name given in the first setup.
        history: Everything said so far, oldest first.
        user_turns: Completed user turns so far (the next turn is ``user_turns + 1``).
        audio_turns: Completed user turns that came from audio.
    """

    session_id: str
    model: str
    history: list[Entry] = field(default_factory=list)
    user_turns: int = 0
    audio_turns: int = 0

    @classmethod
    def new(cls, model: str) -> Conversation:
        """Start an empty conversation with a fresh session id."""
        return cls(session_id=f"session-{secrets.token_hex(8)}", model=model)

    @classmethod
    def restore(cls, snapshot: Snapshot) -> Conversation:
        """Continue a conversation from a snapshot."""
        return cls(
            session_id=snapshot.session_id,
            model=snapshot.model,
            history=list(snapshot.history),
            user_turns=snapshot.user_turns,
            audio_turns=snapshot.audio_turns,
        )

    def snapshot(self) -> Snapshot:
        """Freeze the current state."""
        return Snapshot(
            session_id=self.session_id,
            model=self.model,
            history=tuple(self.history),
            user_turns=self.user_turns,
            audio_turns=self.audio_turns,
        )

    def add(self, role: Role, kind: EntryKind, text: str, seconds: float = 0.0) -> None:
        """Append one entry to the history."""
        self.history.append(Entry(role, kind, text, seconds))

    def texts(self, role: Role | None = None) -> list[str]:
        """Return the text of every entry, optionally only those of one role."""
        return [e.text for e in self.history if role is None or e.role == role]
