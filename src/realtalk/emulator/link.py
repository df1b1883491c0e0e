"""The sending side of one emulated connection: encoding, frame type, stalls, records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from realtalk.emulator.records import ConnectionRecord
from realtalk.protocol.gemini import codec, wire
from realtalk.transport.base import Connection

__all__ = ["Link", "message_kind"]

_CONTENT_KINDS = (
    "model_turn",
    "input_transcription",
    "output_transcription",
    "interrupted",
    "generation_complete",
    "turn_complete",
)
_MESSAGE_KINDS = (
    "setup_complete",
    "tool_call",
    "tool_call_cancellation",
    "go_away",
    "session_resumption_update",
    "voice_activity",
    "usage_metadata",
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def message_kind(message: wire.ServerMessage) -> str:
    """Name a server message by its main field (``modelTurn``, ``toolCall``, ...)."""
    content = message.server_content
    if content is not None:
        for name in _CONTENT_KINDS:
            if getattr(content, name) is not None:
                return _camel(name)
        return "serverContent"
    for name in _MESSAGE_KINDS:
        if getattr(message, name) is not None:
            return _camel(name)
    return "empty"


class Link:
    """Sends server messages on one connection, one at a time.

    Args:
        conn: The connection.
        record: Where the kinds of sent messages are recorded.
        text_frames: Send text frames instead of binary ones (gemini-live.md §2.1).
    """

    def __init__(self, conn: Connection, record: ConnectionRecord, text_frames: bool) -> None:
        self._conn = conn
        self._record = record
        self._text = text_frames
        self._lock = asyncio.Lock()

    async def send(
        self, message: wire.ServerMessage, on_sent: Callable[[], None] | None = None
    ) -> None:
        """Encode and send one message. Safe to cancel (a frame is sent whole or not at all).

        Args:
            message: The message.
            on_sent: Called once the frame is out, even when the send is cancelled
                after that point (what the client received must be what the
                conversation history says was said).

        Raises:
            ConnectionClosed: The connection is closed.
        """
        await self.send_raw(codec.encode_server(message), message_kind(message), on_sent)

    async def send_raw(
        self, data: bytes, kind: str = "raw", on_sent: Callable[[], None] | None = None
    ) -> None:
        """Send bytes as one frame (for faults such as malformed JSON); see :meth:`send`."""
        async with self._lock:
            try:
                await self._conn.send(data.decode("utf-8", "replace") if self._text else data)
            except asyncio.CancelledError:
                # Transports write a frame whole before they first suspend (the memory
                # pair delivers it, websockets hands it to the socket): cancelled in
                # there, the frame is out.
                self._sent(kind, on_sent)
                raise
            self._sent(kind, on_sent)

    def _sent(self, kind: str, on_sent: Callable[[], None] | None) -> None:
        self._record.sent.append(kind)
        if on_sent is not None:
            on_sent()

    async def stall(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (every other sender waits). Safe to cancel."""
        async with self._lock:
            await asyncio.sleep(seconds)
