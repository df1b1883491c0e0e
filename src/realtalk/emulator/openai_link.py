"""The sending side of one emulated OpenAI connection, and its connection record.

:class:`OpenAILink` stamps every server event with a fresh ``event_id`` (§2),
encodes it with the protocol layer's server-role encoder and sends it as one text
frame, one at a time. :class:`OpenAIConnectionRecord` is the
:class:`~realtalk.emulator.records.ConnectionRecord` of an OpenAI connection
(``platform="openai"``): its ``log`` has one entry per client event, ``kind`` being
the event ``type``, and ``sent`` the ``type`` of every server event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from realtalk.emulator.records import ConnectionRecord
from realtalk.emulator.state import ConnectionState, StateMachine
from realtalk.protocol.openai import encode_server, wire
from realtalk.transport.base import Connection

__all__ = ["OpenAIConnectionRecord", "OpenAILink"]


@dataclass(eq=False)
class OpenAIConnectionRecord(ConnectionRecord):
    """The emulator's view of one OpenAI Realtime connection.

    Besides the :class:`~realtalk.emulator.records.ConnectionRecord` fields
    (``log`` kinds are client event types such as ``session.update`` or
    ``input_audio_buffer.append``, whose ``size`` is the audio bytes; ``text`` is the
    text of a created message or ``CALL_ID OUTPUT`` of a function output):

    Attributes:
        model: The model from the ``?model=`` query (None for a transcription
            session opened without one).
        session: The effective session configuration, as last sent to the client.
        errors: ``(code, message)`` of every ``error`` event sent, in order.
        machine: The connection's state machine (see :attr:`state`).
    """

    model: str | None = None
    session: wire.Session | None = None
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    machine: StateMachine = field(default_factory=StateMachine, repr=False)

    @property
    def state(self) -> ConnectionState:
        """Where the connection stands: IDLE, GENERATING (a default response runs),
        TOOL_WAIT (the last response made function calls), CLOSED."""
        return self.machine.state

    def texts(self) -> list[str]:
        """Texts of the messages the client created (``conversation.item.create``)."""
        return [e.text for e in self.log if e.kind == "conversation.item.create" and e.text]


class OpenAILink:
    """Sends server events on one connection, one frame at a time.

    Args:
        conn: The connection.
        record: Where the sent event types (and errors) are recorded.
        new_id: Makes ``event_...`` ids.
    """

    def __init__(
        self, conn: Connection, record: OpenAIConnectionRecord, new_id: Callable[[str], str]
    ) -> None:
        self._conn = conn
        self._record = record
        self._new_id = new_id
        self._lock = asyncio.Lock()

    async def send(
        self, event: wire.ServerEventBase, on_sent: Callable[[], None] | None = None
    ) -> None:
        """Stamp, encode and send one event. Safe to cancel (a frame goes whole or not at all).

        Args:
            event: The event (its ``event_id`` is overwritten).
            on_sent: Called once the frame is out, even if the send is then cancelled.

        Raises:
            ConnectionClosed: The connection is closed.
        """
        event.event_id = self._new_id("event")
        if isinstance(event, wire.ErrorEvent):
            code = event.error.code if isinstance(event.error.code, str) else None
            self._record.errors.append((code, event.error.message))
        await self.send_raw(encode_server(event), wire.event_type(event), on_sent)

    async def send_raw(
        self, data: bytes, kind: str = "raw", on_sent: Callable[[], None] | None = None
    ) -> None:
        """Send bytes as one text frame (also for faults such as malformed JSON)."""
        async with self._lock:
            try:
                await self._conn.send(data, text=True)
            except asyncio.CancelledError:
                self._sent(kind, on_sent)  # transports write a frame whole before suspending
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
