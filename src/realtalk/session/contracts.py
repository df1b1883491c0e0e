"""The provider-agnostic contracts: ``RealtimeSession`` (seed 003) and ``SessionWriter``
(seed 004), as :class:`typing.Protocol` classes so applications can write fakes.

:class:`realtalk.Session` satisfies both, for every provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from realtalk.protocol.events import Event

__all__ = [
    "Applied",
    "ContextMutationOutcome",
    "RealtimeSession",
    "RequiresResumption",
    "SessionWriter",
]


@dataclass(frozen=True, slots=True)
class Applied:
    """The configuration change took effect on the open connection."""


@dataclass(frozen=True, slots=True)
class RequiresResumption:
    """The provider cannot change this on an open connection.

    Pass ``config`` to ``session.apply(config)``: the session then switches to a new
    connection with it (make-before-break, resuming the conversation).
    """

    config: Any


ContextMutationOutcome = Applied | RequiresResumption


@runtime_checkable
class RealtimeSession(Protocol):
    """One live session with any provider (seed 003's contract)."""

    @property
    def session_id(self) -> str | None: ...

    @property
    def is_connected(self) -> bool: ...

    async def send_audio(self, pcm: bytes, *, rate: int | None = None) -> None: ...

    async def send_audio_base64(self, data: str | bytes, *, rate: int | None = None) -> None: ...

    async def send_text(self, text: str) -> None: ...

    async def send_tool_response(self, responses: Any) -> None: ...

    async def commit_audio(self) -> None: ...

    async def clear_audio(self) -> None: ...

    async def create_response(self) -> None: ...

    async def interrupt(self) -> None: ...

    async def send_event(self, event: Any) -> None: ...

    async def next_event(self) -> Event | None: ...

    def events(self) -> AsyncIterator[Event]: ...

    async def close(self) -> None: ...

    async def mutate_context(self, update: Any) -> ContextMutationOutcome: ...


@runtime_checkable
class SessionWriter(Protocol):
    """The write side of a session (seed 004's contract)."""

    async def send_audio(self, pcm: bytes, *, rate: int | None = None) -> None: ...

    async def send_text(self, text: str) -> None: ...

    async def send_tool_response(self, responses: Any) -> None: ...

    async def send_client_content(self, turns: Any, *, turn_complete: bool = True) -> None: ...

    async def send_video(self, frame: bytes, *, mime: str = "image/jpeg") -> None: ...

    async def update_instruction(self, instruction: str) -> None: ...

    async def signal_activity_start(self) -> None: ...

    async def signal_activity_end(self) -> None: ...

    async def disconnect(self) -> None: ...
