"""Sessions against raw WebSocket servers on loopback, byte by byte.

* A server that breaks the WebSocket protocol after the setup: realtalk's client closes
  with the matching code (1002, 1007, 1009), the session does not retry what a
  reconnect cannot fix, and the stream ends with ``Closed(code, reason)``: no crash,
  no hang, no retry loop, whether or not the server finishes the closing handshake.
* A server that stops answering keepalive pings: a loss the session recovers from.
* A burst far larger than the ring in one socket write: a reader loses nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable

import pytest

import realtalk
from realtalk.events import Closed, Lagged, OutputTranscript, Reconnecting, TurnComplete
from realtalk.transport.frames import accept_key

KEY = re.compile(rb"(?im)^sec-websocket-key:\s*(\S+)\s*$")
SETUP_COMPLETE = b'{"setupComplete":{}}'

AfterSetup = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def server_frame(payload: bytes, *, opcode: int = 0x1, first: int | None = None) -> bytes:
    """An unmasked server frame (any length)."""
    head = bytes((first if first is not None else 0x80 | opcode,))
    n = len(payload)
    if n < 126:
        return head + bytes((n,)) + payload
    if n < 1 << 16:
        return head + bytes((126,)) + n.to_bytes(2, "big") + payload
    return head + bytes((127,)) + n.to_bytes(8, "big") + payload


async def raw_server(after_setup: AfterSetup) -> tuple[asyncio.Server, str]:
    """A server that accepts the upgrade, answers the setup, then runs ``after_setup``
    and hangs up."""

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
        writer.write(server_frame(SETUP_COMPLETE))
        try:
            await after_setup(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def until_dropped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read and ignore everything (pings included) until the client drops the socket."""
    while await reader.read(65536):
        pass


async def serve_then(violation: bytes, *, hang_up: bool) -> tuple[asyncio.Server, str]:
    """A server that sends ``violation`` after the setup; then it hangs up, or
    (``hang_up=False``) never finishes the closing handshake."""

    async def after_setup(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(violation)
        if not hang_up:
            await until_dropped(reader, writer)

    return await raw_server(after_setup)


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
    server, url = await raw_server(until_dropped)
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


async def test_a_burst_far_larger_than_the_ring_loses_nothing() -> None:
    count = 5000
    burst = b"".join(
        server_frame(
            json.dumps({"serverContent": {"outputTranscription": {"text": f"{i} "}}}).encode()
        )
        for i in range(count)
    ) + server_frame(b'{"serverContent":{"turnComplete":true}}')

    async def after_setup(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # the client's text: then everything in one write
        writer.write(burst)
        await until_dropped(reader, writer)

    server, url = await raw_server(after_setup)
    try:
        session = await realtalk.connect(
            "gemini", model="gemini-test", url=url, ring_size=64, close_timeout=0.05
        )
        events = []
        try:
            await session.send_text("go")
            async with asyncio.timeout(10):  # a guard against a hang, not a timing check
                async for event in session.events():
                    events.append(event)
                    if isinstance(event, TurnComplete):
                        break
        finally:
            await session.close()
        assert not any(isinstance(e, Lagged) for e in events)
        texts = [e.text for e in events if isinstance(e, OutputTranscript)]
        assert texts == [f"{i} " for i in range(count)]
    finally:
        server.close()
        await server.wait_closed()
