"""One connection of a session ("link"): opening it and completing the handshake.

A session lives across several links (reconnects, goAway hops). Each link has a
number (1, 2, ...); events read from a link that is no longer the session's
current link are discarded, so late events of a superseded connection are never
delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from realtalk.errors import ConnectError, ConnectionClosed, SetupError
from realtalk.protocol.endpoint import redact_url
from realtalk.protocol.events import Event, SetupComplete
from realtalk.transport.base import Connection, Connector

__all__ = [
    "Endpoint",
    "Frames",
    "Link",
    "ProviderProtocol",
    "Recorder",
    "connect_link",
    "handshake",
    "open_link",
]


#: One encoded client message, or several to send in order (one WebSocket message each).
Frames = bytes | list[bytes]


class Endpoint(Protocol):
    """Where to connect: any provider's endpoint type has these."""

    @property
    def url(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class ProviderProtocol(Protocol):
    """What the runner needs from a provider's Sans-I/O protocol object."""

    @property
    def endpoint(self) -> Endpoint: ...

    @property
    def endpoint_for(self) -> Callable[[str | None], Endpoint] | None: ...

    @property
    def text_frames(self) -> bool: ...

    @property
    def input_rate(self) -> int:
        """The sample rate microphone audio is expected at (``send_audio``'s default)."""
        ...

    @property
    def resumption_enabled(self) -> bool: ...

    def opening_frames(self, handle: str | None = None) -> list[bytes]: ...

    def handshake_event(self, event: Event) -> tuple[bool, list[bytes]]: ...

    def decode(self, data: str | bytes) -> tuple[Event, ...]: ...

    # Each command returns the encoded client message (validating its arguments).
    def audio(self, pcm: bytes, rate: int) -> Frames: ...

    def audio_base64(self, data: str | bytes, rate: int) -> Frames: ...

    def video(self, data: bytes, mime: str) -> Frames: ...

    def text(self, text: str) -> Frames: ...

    def client_content(self, turns: object, turn_complete: bool) -> Frames: ...

    def activity_start(self) -> Frames: ...

    def activity_end(self) -> Frames: ...

    def audio_stream_end(self) -> Frames: ...

    def tool_response(self, responses: object) -> tuple[Frames, list[str]]: ...

    def raw(self, message: object) -> Frames: ...

    # The contract's provider-neutral commands; None means "nothing to send" on this
    # provider (each protocol documents why).
    def commit_audio(self) -> Frames | None: ...

    def clear_audio(self) -> Frames | None: ...

    def create_response(self) -> Frames: ...

    def interrupt(self) -> Frames | None: ...

    def truncate(self, item_id: str, content_index: int, audio_end_ms: int) -> Frames | None: ...

    # Configuration changes: frames applying an update now, or None when it needs a
    # new setup, which ``reconfigure`` then installs for the next connection.
    def context_update(self, update: object) -> Frames | None: ...

    def reconfigure(self, update: object) -> None: ...

    def instructions_update(self, text: str) -> object: ...

    def restoration(self) -> tuple[list[bytes], bool] | None:
        """Frames rebuilding the conversation on a fresh connection, and whether that
        restores it completely; None when the provider cannot (or need not)."""
        ...

    def restoration_sent(self) -> None: ...


class Recorder(Protocol):
    """Receives every frame and lifecycle step (see :mod:`realtalk.session.recording`)."""

    def connection_opened(self, conn_no: int, url: str) -> None: ...

    def sent(self, conn_no: int, data: bytes | str, text: bool) -> None: ...

    def received(self, conn_no: int, data: bytes | str) -> None: ...

    def connection_closed(
        self, conn_no: int, code: int | None, reason: str = "", *, by_client: bool | None = None
    ) -> None: ...

    def close(self) -> None: ...

    def add_secrets(self, secrets: list[str]) -> None: ...


#: Returns a fresh credential (API key, ephemeral or access token) before each connect.
TokenProvider = Callable[[], Awaitable[str]]


@dataclass(eq=False)
class Link:
    """One open, set-up connection of a session."""

    number: int
    conn: Connection
    session_id: str | None = None
    early_events: list[Event] = field(default_factory=list)  # received before setupComplete
    reader: asyncio.Task[None] | None = None


async def connect_link(
    number: int,
    protocol: ProviderProtocol,
    connector: Connector,
    recorder: Recorder | None,
    token_provider: TokenProvider | None = None,
) -> Connection:
    """Open the WebSocket of link ``number`` (no setup yet).

    With a ``token_provider``, a fresh credential is fetched first and the
    endpoint rebuilt with it (every connect and reconnect).

    Raises:
        ConnectError: The connection could not be opened, or the provider failed.
    """
    endpoint = protocol.endpoint
    if token_provider is not None and protocol.endpoint_for is not None:
        try:
            token = await token_provider()
        except Exception as exc:
            raise ConnectError(f"token provider failed: {type(exc).__name__}") from None
        if not isinstance(token, str) or not token:
            raise ConnectError("token provider returned no token")
        if recorder is not None:
            recorder.add_secrets([token])
        endpoint = protocol.endpoint_for(token)
    conn = await connector(endpoint.url, endpoint.headers)
    if recorder is not None:
        recorder.connection_opened(number, redact_url(endpoint.url))
    return conn


async def handshake(
    number: int,
    conn: Connection,
    protocol: ProviderProtocol,
    handle: str | None,
    setup_timeout: float,
    recorder: Recorder | None,
) -> Link:
    """Send the setup (resuming with ``handle`` if given) and wait until it completes.

    Raises:
        SetupError: The server closed the connection instead (code and reason), or
            did not answer within ``setup_timeout`` seconds (code None).
    """
    text = protocol.text_frames
    link = Link(number, conn)
    try:
        for frame in protocol.opening_frames(handle):
            await conn.send(frame, text=text)
            if recorder is not None:
                recorder.sent(number, frame, text)
        async with asyncio.timeout(setup_timeout):
            while True:
                data = await conn.recv()
                if recorder is not None:
                    recorder.received(number, data)
                for event in protocol.decode(data):
                    done, frames = protocol.handshake_event(event)
                    for frame in frames:
                        await conn.send(frame, text=text)
                    if done:
                        if isinstance(event, SetupComplete):
                            link.session_id = event.session_id
                        return link
                    link.early_events.append(event)
    except ConnectionClosed as exc:
        raise SetupError(exc.reason or "connection closed during setup", code=exc.code) from None
    except TimeoutError:
        raise SetupError(f"no setup response within {setup_timeout} s") from None


async def open_link(
    number: int,
    protocol: ProviderProtocol,
    connector: Connector,
    handle: str | None,
    setup_timeout: float,
    recorder: Recorder | None,
) -> Link:
    """Connect and hand-shake in one step; the connection is aborted on failure.

    Raises:
        ConnectError: The connection could not be opened.
        SetupError: The handshake failed.
    """
    conn = await connect_link(number, protocol, connector, recorder)
    try:
        return await handshake(number, conn, protocol, handle, setup_timeout, recorder)
    except BaseException:
        conn.abort()
        raise
