"""The session runner: owns the connection, the reader task and the event ring.

One :class:`Runner` per session, shared by every :class:`~realtalk.Session`
handle (clones included). It opens the connection and completes the handshake
in :meth:`Runner.open` (errors are raised to the caller), then a single task
reads frames, decodes them with the provider protocol and appends the events to
the ring. When the connection ends, for whatever reason, the runner publishes
:class:`~realtalk.protocol.events.Closed` and closes the ring, so every cursor
drains and ends.

Reconnection is not done here yet: a lost connection ends the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Protocol

from realtalk.errors import ConnectError, ConnectionClosed, SessionClosed, SetupError
from realtalk.protocol.events import Closed, Connected, Connecting, Event, SetupComplete
from realtalk.protocol.gemini.endpoints import Endpoint
from realtalk.session.options import SessionOptions
from realtalk.session.ring import EventRing
from realtalk.session.state import SessionStatus, StatusMachine
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Connector

__all__ = ["ProviderProtocol", "Runner"]


class ProviderProtocol(Protocol):
    """What the runner needs from a provider's Sans-I/O protocol object."""

    endpoint: Endpoint
    text_frames: bool

    def opening_frames(self) -> list[bytes]: ...

    def handshake_event(self, event: Event) -> tuple[bool, list[bytes]]: ...

    def decode(self, data: str | bytes) -> tuple[Event, ...]: ...

    # Each command returns the encoded client message (validating its arguments).
    def audio(self, pcm: bytes, rate: int) -> bytes: ...

    def audio_base64(self, data: str | bytes, rate: int) -> bytes: ...

    def video(self, data: bytes, mime: str) -> bytes: ...

    def text(self, text: str) -> bytes: ...

    def client_content(self, turns: object, turn_complete: bool) -> bytes: ...

    def activity_start(self) -> bytes: ...

    def activity_end(self) -> bytes: ...

    def audio_stream_end(self) -> bytes: ...

    def tool_response(self, responses: object) -> bytes: ...

    def raw(self, message: object) -> bytes: ...


class Runner:
    """Owns one session's connection and reader task.

    Args:
        protocol: The provider protocol (setup, decode).
        options: Validated session options.
        connector: Opens the connection.
    """

    def __init__(
        self, protocol: ProviderProtocol, options: SessionOptions, connector: Connector
    ) -> None:
        self.protocol = protocol
        self.options = options
        self.ring = EventRing(options.ring_size)
        self.state = StatusMachine()
        self.session_id: str | None = None
        self._connector = connector
        self._conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._closed_event: Closed | None = None

    @property
    def status(self) -> SessionStatus:
        return self.state.status

    # -- opening ----------------------------------------------------------------------
    async def open(self) -> None:
        """Connect, complete the handshake and start the reader.

        Raises:
            ConnectError: The connection could not be opened.
            SetupError: The server refused the setup or did not answer in time.
        """
        self.ring.publish(Connecting(attempt=0))
        endpoint = self.protocol.endpoint
        try:
            conn = await self._connector(endpoint.url, endpoint.headers)
        except ConnectError as exc:
            self._finish(None, str(exc))
            raise
        try:
            session_id = await self._handshake(conn)
        except BaseException as exc:
            conn.abort()
            code = exc.code if isinstance(exc, SetupError) else None
            reason = exc.reason if isinstance(exc, SetupError) else type(exc).__name__
            self._finish(code, reason)
            raise
        self._conn = conn
        self.session_id = session_id or uuid.uuid4().hex
        self.state.to(SessionStatus.CONNECTED)
        self.ring.publish(Connected(session_id=self.session_id))
        self._task = asyncio.get_running_loop().create_task(self._run(conn))

    async def _handshake(self, conn: Connection) -> str | None:
        protocol = self.protocol
        timeout = self.options.setup_timeout
        try:
            for frame in protocol.opening_frames():
                await conn.send(frame, text=protocol.text_frames)
            async with asyncio.timeout(timeout):
                while True:
                    data = await conn.recv()
                    for event in protocol.decode(data):
                        done, frames = protocol.handshake_event(event)
                        for frame in frames:
                            await conn.send(frame, text=protocol.text_frames)
                        if done:
                            return event.session_id if isinstance(event, SetupComplete) else None
                        self.ring.publish(event)
        except ConnectionClosed as exc:
            raise SetupError(
                exc.reason or "connection closed during setup", code=exc.code
            ) from None
        except TimeoutError:
            raise SetupError(f"no setup response within {timeout} s") from None

    # -- running ----------------------------------------------------------------------
    async def _run(self, conn: Connection) -> None:
        code: int | None = ABNORMAL_CLOSURE
        reason = ""
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._read(conn))
        except* ConnectionClosed as group:
            exc = group.exceptions[0]
            assert isinstance(exc, ConnectionClosed)
            code, reason = exc.code, exc.reason
        finally:
            if conn.close_code is not None and code == ABNORMAL_CLOSURE and not reason:
                code, reason = conn.close_code, conn.close_reason
            self._finish(code, reason)

    async def _read(self, conn: Connection) -> None:
        decode = self.protocol.decode
        ring = self.ring
        while True:
            data = await conn.recv()
            events = decode(data)
            if events:
                ring.publish_many(events)

    def _finish(self, code: int | None, reason: str) -> None:
        if self._closed_event is not None:
            return
        self._closed_event = Closed(code, reason)
        self.state.to(SessionStatus.CLOSED)
        self.ring.publish(self._closed_event)
        self.ring.close()

    # -- sending ----------------------------------------------------------------------
    async def send(self, frame: bytes) -> None:
        """Send one encoded client message.

        Raises:
            SessionClosed: The session is closed or closing, or the connection
                dropped while sending.
        """
        conn = self._conn
        if conn is None or self._closing or self._closed_event is not None:
            raise SessionClosed()
        try:
            await conn.send(frame, text=self.protocol.text_frames)
        except ConnectionClosed as exc:
            raise SessionClosed(f"session is closed: connection closed ({exc.code})") from None

    # -- closing ----------------------------------------------------------------------
    async def close(self) -> None:
        """Close the connection (1000) and wait for the runner to finish. Idempotent.

        Cancelling the caller is safe: the close frame is already on its way and
        the reader still ends the session.
        """
        if not self._closing:
            self._closing = True
            if self._conn is not None and self._closed_event is None:
                with contextlib.suppress(ConnectionClosed):
                    await self._conn.close(1000, "")
        if self._task is not None:
            await asyncio.shield(self._task)
