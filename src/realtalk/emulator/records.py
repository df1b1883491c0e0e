"""What tests can inspect: one :class:`ConnectionRecord` per accepted connection.

A record shows the server's view of a connection: the opening request, the
decoded setup, every client message received (:class:`LogEntry`: index, kind,
text), the kinds of server messages sent, the conversation history and how the
connection ended.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from realtalk.emulator.conversation import Conversation, Entry
from realtalk.protocol.gemini import wire
from realtalk.transport.base import Request

__all__ = ["ConnectionRecord", "IssuedHandle", "LogEntry"]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One client message as the emulator understood it.

    Attributes:
        index: Per-connection index; the setup is 0, then 1, 2, ...
        kind: ``setup``, ``client_content``, ``audio``, ``video``, ``text``,
            ``activity_start``, ``activity_end``, ``audio_stream_end``,
            ``tool_response``, ``context_update`` or ``empty``.
        text: The text carried (setup: the model; client content: its texts joined
            by newlines; tool response: ``NAME {json}`` per response), else None.
        size: Bytes of audio or video data.
    """

    index: int
    kind: str
    text: str | None = None
    size: int = 0


@dataclass(frozen=True, slots=True)
class IssuedHandle:
    """One resumable handle the connection issued, and what it covers.

    Attributes:
        handle: The handle sent in ``sessionResumptionUpdate.newHandle``.
        consumed: Index of the last client message of this connection included in
            the state the handle captures (what transparent mode reports as
            ``lastConsumedClientMessageIndex``; recorded in both modes).
    """

    handle: str
    consumed: int


@dataclass(eq=False)
class ConnectionRecord:
    """The emulator's view of one connection (live: it fills in while the connection runs).

    Attributes:
        number: Order of acceptance within the emulator, from 0.
        request: The opening request (path, query, headers).
        platform: ``ai_studio`` or ``vertex`` once the path is recognised.
        setup: The decoded setup message, once received and valid.
        resumed_from: The resumption handle used by the setup, if any.
        log: Client messages received, in order.
        sent: Kinds of server messages sent, in order (``setupComplete``,
            ``modelTurn``, ``outputTranscription``, ``turnComplete``, ``toolCall``, ...).
        issued: The resumable handles issued on this connection, in order, each
            with the index of the last client message it covers.
        conversation: The conversation state (history) once the setup is accepted.
        close_code: The code the connection ended with (1006 for a drop).
        close_reason: The reason sent or received with it.
        error: An unexpected exception inside the emulator (closed with 1011).
    """

    number: int
    request: Request
    platform: str | None = None
    setup: wire.Setup | None = None
    resumed_from: str | None = None
    log: list[LogEntry] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    issued: list[IssuedHandle] = field(default_factory=list)
    conversation: Conversation | None = None
    close_code: int | None = None
    close_reason: str = ""
    error: BaseException | None = None
    _done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def done(self) -> bool:
        """Whether the connection has ended."""
        return self._done.is_set()

    @property
    def history(self) -> list[Entry]:
        """The conversation history as the server holds it (empty before setup)."""
        return [] if self.conversation is None else list(self.conversation.history)

    def texts(self) -> list[str]:
        """Texts of the client messages received (``text`` and ``client_content`` kinds)."""
        return [e.text for e in self.log if e.kind in ("text", "client_content") and e.text]

    def kinds(self) -> list[str]:
        """Kinds of the client messages received, in order."""
        return [e.kind for e in self.log]

    async def wait_closed(self) -> None:
        """Wait until the connection has ended. Safe to cancel."""
        await self._done.wait()

    def _finish(self, code: int | None, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self._done.set()
