"""A server that breaks the WebSocket protocol ends the session with the reason, cleanly.

A raw loopback server accepts the upgrade, answers the setup, then sends something
RFC 6455 forbids. realtalk's client closes with the matching code (1002, 1007, 1009),
the session does not retry what a reconnect cannot fix, and the stream ends with
``Closed(code, reason)``: no crash, no hang, no retry loop. A server that stops
answering keepalive pings is a loss the session recovers from (``Reconnecting``).
"""

from __future__ import annotations

import asyncio
import re

import pytest

import realtalk
from realtalk.events import Closed, Reconnecting
from realtalk.transport.frames import accept_key

KEY = re.compile(rb"(?im)^sec-websocket-key:\s*(\S+)\s*$")
SETUP_COMPLETE = b'{"setupComplete":{}}'


def server_frame(payload: bytes, *, opcode: int = 0x1, first: int | None = None) -> bytes:
    head = first if first is not None else 0x80 | opcode
    assert len(payload) < 126
    return bytes((head, len(payload))) + payload


async def serve_then(violation: bytes, *, hang_up: bool) -> tuple[asyncio.Server, str]:
    """A server whose every connection gets the setup answered, then ``violation``;
    then it hangs up, or (``hang_up=False``) keeps the socket open until the client
    drops it (it never finishes the closing handshake)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        found = KEY.search(head)
        assert found is not None
        accept = accept_key(found.group(1).decode()).encode()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        await reader.read(1)  # the setup's first byte: the client is set up
        writer.write(server_frame(SETUP_COMPLETE) + violation)
        try:
            if not hang_up:
                await reader.read()  # until the client drops the connection
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"ws://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("violation", "code", "reason"),
    [
        (bytes((0x81, 0x82)) + b"abcd" + b"xx", 1002, "masked server frame"),
        (server_frame(b"{}", first=0xC1), 1002, "reserved bits set"),
        (server_frame(b'{"x":"\xff"}'), 1007, "invalid UTF-8"),
        (bytes((0x82, 127)) + (1 << 40).to_bytes(8, "big"), 1009, "message over"),
    ],
    ids=["masked", "rsv", "utf8", "too-big"],
)
@pytest.mark.parametrize("hang_up", [True, False], ids=["hangs-up", "stays-open"])
async def test_a_protocol_violation_ends_the_session_with_its_code(
    violation: bytes, code: int, reason: str, hang_up: bool
) -> None:
    server, url = await serve_then(violation, hang_up=hang_up)
    try:
        # a short close_timeout: the stays-open server never ends the closing handshake
        session = await realtalk.connect("gemini", model="gemini-test", url=url, close_timeout=0.05)
        events = []
        async with asyncio.timeout(10):  # a guard against a hang, not a timing check
            async for event in session.events():
                events.append(event)
        closed = events[-1]
        assert isinstance(closed, Closed)
        assert closed.code == code and reason in closed.reason
        assert not any(isinstance(e, Reconnecting) for e in events)
        with pytest.raises(realtalk.SessionClosed):
            await session.send_text("anyone there?")
    finally:
        server.close()
        await server.wait_closed()


async def test_a_server_that_stops_answering_pings_is_left_and_the_session_reconnects() -> None:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        head = await reader.readuntil(b"\r\n\r\n")
        found = KEY.search(head)
        assert found is not None
        accept = accept_key(found.group(1).decode()).encode()
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        await reader.read(1)
        writer.write(server_frame(SETUP_COMPLETE))
        try:
            while await reader.read(65536):  # pings arrive and are never answered
                pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        session = await realtalk.connect(
            "gemini", model="gemini-test", url=url, ping_interval=0.02, ping_timeout=0.05
        )
        try:
            async with asyncio.timeout(10):  # a guard against a hang, not a timing check
                while not isinstance(event := await session.next_event(), Reconnecting):
                    assert event is not None
        finally:
            await session.close()
        assert "1006" in event.cause and "keepalive" in event.cause
    finally:
        server.close()
        await server.wait_closed()
