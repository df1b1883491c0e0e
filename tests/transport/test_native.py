"""realtalk's own WebSocket client (``realtalk.transport.native``) over real sockets.

A scripted raw server on 127.0.0.1 (``asyncio.start_server``) checks the upgrade
request the client sends and answers it with correct or broken responses, then trades
raw frames with the client. Covers: the request line and headers; masked client
frames and the frame type chosen by ``send``; frames that arrive with the 101 response;
refused and malformed upgrades, timeouts, unreachable ports and bad arguments as
:class:`ConnectError` / :class:`ValueError`; pings, pongs and ``latency``; closing
handshakes from either side, close timeouts, dropped connections and ``abort``;
protocol errors from the server (1002, 1007, 1009); keepalive pings and their timeout;
flow control in both directions; ``recv_many`` batches; concurrent senders; one
reader at a time; option validation; TLS against the emulator and
against :func:`realtalk.transport.serve`; delegation to the proxy-aware connector.

Waits are guarded by generous timeouts against hangs; no test asserts on durations.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from realtalk.emulator import Emulator
from realtalk.emulator.tls import make_tls
from realtalk.errors import ConnectError, ConnectionClosed
from realtalk.transport import Connection, PushReceiver, Request, serve
from realtalk.transport.frames import (
    BINARY,
    CLOSE,
    PING,
    PONG,
    TEXT,
    accept_key,
    apply_mask,
    close_payload,
    parse_close,
)
from realtalk.transport.handshake import client_request, proxied
from realtalk.transport.native import NativeConnection, NativeConnector

WAIT = 5.0  # generous guard against hangs; never a timing assertion
GEMINI_MODEL = "models/gemini-2.5-flash-native-audio-preview-09-2025"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the native client in charge whatever the environment says about proxies."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name, raising=False)


# -- frames -----------------------------------------------------------------------------
def frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None) -> bytes:
    """A frame as a server sends it: unmasked unless ``mask`` is given."""
    n = len(payload)
    first = bytes(((0x80 if fin else 0) | opcode,))
    mask_bit = 0x80 if mask is not None else 0
    if n < 126:
        header = first + bytes((mask_bit | n,))
    elif n < 0x10000:
        header = first + bytes((mask_bit | 126,)) + n.to_bytes(2, "big")
    else:
        header = first + bytes((mask_bit | 127,)) + n.to_bytes(8, "big")
    if mask is None:
        return header + payload
    return header + mask + apply_mask(payload, mask)


@dataclass(frozen=True)
class ClientFrame:
    """One frame read from the client, unmasked."""

    first: int
    masked: bool
    payload: bytes

    @property
    def opcode(self) -> int:
        return self.first & 0x0F


# -- the scripted server ----------------------------------------------------------------
def response(
    headers: dict[str, str],
    status: str = "HTTP/1.1 101 Switching Protocols",
    **fields: str | None,
) -> bytes:
    """An upgrade response to a request with ``headers``; ``fields`` override (None drops)."""
    values: dict[str, str | None] = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Accept": accept_key(headers["sec-websocket-key"]),
    }
    values.update({name.replace("_", "-"): value for name, value in fields.items()})
    lines = [status] + [f"{k}: {v}" for k, v in values.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Peer:
    """The server end of one connection, driven by the test."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str):
        self.reader = reader
        self.writer = writer
        lines = head.split("\r\n")
        self.request_line = lines[0]
        self.header_lines = [line for line in lines[1:] if line]
        self.headers = {}
        for line in self.header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def header_count(self, name: str) -> int:
        return sum(line.lower().startswith(name.lower() + ":") for line in self.header_lines)

    async def send(self, *frames: bytes) -> None:
        self.writer.write(b"".join(frames))
        await self.writer.drain()

    async def read_frame(self) -> ClientFrame:
        async with asyncio.timeout(WAIT):
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(await self.reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await self.reader.readexactly(8), "big")
            key = await self.reader.readexactly(4) if second & 0x80 else b""
            payload = await self.reader.readexactly(length)
        if key:
            payload = apply_mask(payload, key)
        return ClientFrame(first, bool(second & 0x80), payload)

    async def read_message(self) -> ClientFrame:
        """The next non-control frame; pings are answered, pongs skipped."""
        while True:
            got = await self.read_frame()
            if got.opcode == PING:
                await self.send(frame(PONG, got.payload))
            elif got.opcode != PONG:
                return got

    async def read_eof(self) -> bytes:
        """Everything the client sends until it closes TCP."""
        async with asyncio.timeout(WAIT):
            return await self.reader.read()

    def drop(self) -> None:
        self.writer.close()


Respond = Callable[[dict[str, str]], bytes]


class RawServer:
    """A TCP server that answers upgrades with :attr:`respond` and hands out :class:`Peer`s.

    ``respond=None`` reads the request and never answers; ``hang_up`` closes the
    connection right after the response; ``extra`` is written in the same write.
    """

    def __init__(self) -> None:
        self.respond: Respond | None = response
        self.extra = b""
        self.hang_up = False
        self.port = 0
        self._peers: asyncio.Queue[Peer] = asyncio.Queue()
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def url(self, target: str = "/") -> str:
        return f"ws://127.0.0.1:{self.port}{target}"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            peer = Peer(reader, writer, head.decode("latin-1"))
            if self.respond is not None:
                writer.write(self.respond(peer.headers) + self.extra)
                await writer.drain()
            if self.hang_up:
                writer.close()
            self._peers.put_nowait(peer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    async def peer(self) -> Peer:
        async with asyncio.timeout(WAIT):
            return await self._peers.get()

    async def aclose(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for writer in self._writers:
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


Connect = Callable[..., Awaitable[tuple[NativeConnection, Peer]]]


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    server = RawServer()
    await server.start()
    yield server
    await server.aclose()


@pytest.fixture
async def connect(raw: RawServer) -> AsyncIterator[Connect]:
    """Open a client to ``raw`` (keepalive off unless asked); returns it and its peer."""
    opened: list[NativeConnection] = []

    async def open_(
        target: str = "/", headers: dict[str, str] | None = None, **options: Any
    ) -> tuple[NativeConnection, Peer]:
        options.setdefault("ping_interval", None)
        conn = await NativeConnector(**options)(raw.url(target), headers or {})
        assert isinstance(conn, NativeConnection)
        opened.append(conn)
        return conn, await raw.peer()

    yield open_
    for conn in opened:
        conn.abort()
        await conn.close()  # returns once the transport is gone


async def recv(conn: Connection) -> str | bytes:
    async with asyncio.timeout(WAIT):
        return await conn.recv()


async def recv_closed(conn: Connection) -> ConnectionClosed:
    with pytest.raises(ConnectionClosed) as info:
        await recv(conn)
    return info.value


async def until(predicate: Callable[[], bool]) -> None:
    """Wait for a state the code under test reaches on its own (it offers no event)."""
    async with asyncio.timeout(WAIT):
        while not predicate():  # noqa: ASYNC110 - polling private state, nothing to await
            await asyncio.sleep(0.005)


async def closed_port() -> int:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return port


# -- options ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"max_queue": 0},
        {"max_queue": True},
        {"max_message_size": 0},
        {"max_message_size": 1.5},
        {"ping_interval": 0},
        {"ping_timeout": -1.0},
        {"connect_timeout": 0},
        {"connect_timeout": None},
        {"close_timeout": "5"},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        NativeConnector(**options)


def test_keepalive_can_be_disabled() -> None:
    connector = NativeConnector(ping_interval=None, ping_timeout=None)
    assert (connector.ping_interval, connector.ping_timeout) == (None, None)


# -- the opening handshake --------------------------------------------------------------
async def test_upgrade_request_line_and_headers(raw: RawServer, connect: Connect) -> None:
    _, peer = await connect("/live/v1?key=abc&x=1", {"X-Custom": "yes", "Authorization": "t"})
    assert peer.request_line == "GET /live/v1?key=abc&x=1 HTTP/1.1"
    headers = peer.headers
    assert headers["host"] == f"127.0.0.1:{raw.port}"
    assert headers["upgrade"].lower() == "websocket"
    assert headers["connection"].lower() == "upgrade"
    assert headers["sec-websocket-version"] == "13"
    assert len(base64.b64decode(headers["sec-websocket-key"], validate=True)) == 16
    assert headers["user-agent"] == "realtalk"
    assert headers["x-custom"] == "yes"
    assert headers["authorization"] == "t"


async def test_own_user_agent_and_reserved_headers(raw: RawServer, connect: Connect) -> None:
    given = {"User-Agent": "mine/2", "Host": "evil", "Sec-WebSocket-Version": "8"}
    _, peer = await connect("", given)
    assert peer.request_line == "GET / HTTP/1.1"
    assert peer.headers["user-agent"] == "mine/2"
    assert peer.headers["host"] == f"127.0.0.1:{raw.port}"
    assert peer.headers["sec-websocket-version"] == "13"
    for name in ("user-agent", "host", "sec-websocket-version", "upgrade", "connection"):
        assert peer.header_count(name) == 1, name


async def test_each_connection_has_its_own_key(connect: Connect) -> None:
    _, first = await connect()
    _, second = await connect()
    assert first.headers["sec-websocket-key"] != second.headers["sec-websocket-key"]


async def test_frames_sent_with_the_101_response_are_delivered(
    raw: RawServer, connect: Connect
) -> None:
    raw.extra = frame(TEXT, b"early") + frame(BINARY, b"\x00\x01") + frame(PING, b"hb")
    conn, peer = await connect()
    assert await recv(conn) == "early"
    assert await recv(conn) == b"\x00\x01"
    pong = await peer.read_frame()
    assert (pong.opcode, pong.payload) == (PONG, b"hb")


async def test_refused_upgrade_carries_the_status(raw: RawServer) -> None:
    raw.respond = lambda h: b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden"
    with pytest.raises(ConnectError) as info:
        await NativeConnector()(raw.url(), {})
    assert info.value.status == 403
    assert "403" in str(info.value)


BAD_RESPONSES: dict[str, Respond] = {
    "wrong accept": lambda h: response(h, Sec_WebSocket_Accept=accept_key("other")),
    "no accept": lambda h: response(h, Sec_WebSocket_Accept=None),
    "no upgrade": lambda h: response(h, Upgrade=None),
    "upgrade to something else": lambda h: response(h, Upgrade="h2c"),
    "no connection": lambda h: response(h, Connection=None),
    "extension": lambda h: response(h, Sec_WebSocket_Extensions="permessage-deflate"),
    "subprotocol": lambda h: response(h, Sec_WebSocket_Protocol="chat"),
    "not http": lambda h: response(h, status="SPDY/3 101 Switching"),
    "status not a number": lambda h: response(h, status="HTTP/1.1 abc Switching"),
    "status line alone": lambda h: response(h, status="garbage"),
    "header without colon": lambda h: response(h, X_Fine="1").replace(b"X-Fine:", b"X-Fine"),
}


@pytest.mark.parametrize("kind", list(BAD_RESPONSES))
async def test_bad_upgrade_responses_are_connect_errors(raw: RawServer, kind: str) -> None:
    raw.respond = BAD_RESPONSES[kind]
    with pytest.raises(ConnectError) as info:
        await NativeConnector()(raw.url(), {})
    assert info.value.status is None


async def test_server_that_never_answers_times_out(raw: RawServer) -> None:
    raw.respond = None
    with pytest.raises(ConnectError, match="timed out"):
        await NativeConnector(connect_timeout=0.2)(raw.url(), {})


@pytest.mark.parametrize("answer", [b"", b"HTTP/1.1 101 Switching Protocols\r\nUpgr"])
async def test_server_hanging_up_during_the_handshake(raw: RawServer, answer: bytes) -> None:
    raw.respond = lambda h: answer
    raw.hang_up = True
    with pytest.raises(ConnectError):
        await NativeConnector()(raw.url(), {})


async def test_unreachable_port_is_a_connect_error() -> None:
    port = await closed_port()
    with pytest.raises(ConnectError):
        await NativeConnector(connect_timeout=WAIT)(f"ws://127.0.0.1:{port}/", {})


@pytest.mark.parametrize(
    "headers",
    [
        {"Bad Name": "x"},
        {"": "x"},
        {"X-Name:": "x"},
        {"X-Value": "a\r\nInjected: yes"},
        {"X-Value": "a\nb"},
        {"X-Value": "a\rb"},
        {"X-Value": "a\x00b"},
    ],
)
async def test_invalid_headers_are_refused_before_connecting(headers: dict[str, str]) -> None:
    port = await closed_port()  # connecting would raise ConnectError instead
    with pytest.raises(ValueError):
        await NativeConnector()(f"ws://127.0.0.1:{port}/", headers)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "127.0.0.1:80", "ws:///path", "ws://127.0.0.1:99999/"]
)
async def test_bad_urls_are_connect_errors(url: str) -> None:
    with pytest.raises(ConnectError):
        await NativeConnector()(url, {})


# -- sending ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "text", "opcode", "payload"),
    [
        ("hé", None, TEXT, "hé".encode()),
        (b"\x00\xff", None, BINARY, b"\x00\xff"),
        (b'{"a":1}', True, TEXT, b'{"a":1}'),
        ("as binary", False, BINARY, b"as binary"),
        ("as text", True, TEXT, b"as text"),
        (b"bytes", False, BINARY, b"bytes"),
        (bytearray(b"ba"), None, BINARY, b"ba"),
        (memoryview(b"mv"), None, BINARY, b"mv"),
    ],
)
async def test_send_chooses_the_frame_type_and_masks(
    connect: Connect, data: str | bytes, text: bool | None, opcode: int, payload: bytes
) -> None:
    conn, peer = await connect()
    await conn.send(data, text=text)
    got = await peer.read_frame()
    assert got.masked
    assert got.first == 0x80 | opcode  # FIN, no reserved bits
    assert got.payload == payload


async def test_send_refuses_other_types(connect: Connect) -> None:
    conn, _ = await connect()
    with pytest.raises(TypeError):
        await conn.send(123)  # type: ignore[arg-type]


# -- pings ------------------------------------------------------------------------------
async def test_server_ping_is_answered_with_its_payload(connect: Connect) -> None:
    conn, peer = await connect()
    await peer.send(frame(PING, b"abc"), frame(PING, b""))
    for payload in (b"abc", b""):
        pong = await peer.read_frame()
        assert (pong.opcode, pong.payload, pong.masked) == (PONG, payload, True)
    assert conn.close_code is None


async def test_ping_returns_the_round_trip_and_sets_latency(connect: Connect) -> None:
    conn, peer = await connect()
    assert conn.latency is None
    task = asyncio.create_task(conn.ping())
    ping = await peer.read_frame()
    assert ping.opcode == PING and ping.masked
    await peer.send(frame(PONG, ping.payload))
    async with asyncio.timeout(WAIT):
        rtt = await task
    assert isinstance(rtt, float) and rtt >= 0.0
    assert conn.latency == rtt


async def test_a_pong_answers_earlier_pings_too(connect: Connect) -> None:
    conn, peer = await connect()
    pings = [asyncio.create_task(conn.ping()) for _ in range(3)]
    payloads = [(await peer.read_frame()).payload for _ in pings]
    assert len(set(payloads)) == 3
    await peer.send(frame(PONG, b"unsolicited"), frame(PONG, payloads[0]))
    async with asyncio.timeout(WAIT):
        await pings[0]
    assert not pings[1].done() and not pings[2].done()
    await peer.send(frame(PONG, payloads[2]))  # answers the second ping as well
    async with asyncio.timeout(WAIT):
        second, third = await asyncio.gather(pings[1], pings[2])
    assert second >= 0.0 and third >= 0.0
    assert conn.latency == third


# -- closing ----------------------------------------------------------------------------
async def test_server_close_after_queued_messages(connect: Connect) -> None:
    conn, peer = await connect()
    await peer.send(
        frame(TEXT, b"a"), frame(BINARY, b"b"), frame(CLOSE, close_payload(1008, "policy"))
    )
    echo = await peer.read_frame()
    assert echo.opcode == CLOSE and echo.masked
    assert parse_close(echo.payload)[0] == 1008
    assert await recv(conn) == "a"
    assert await recv(conn) == b"b"
    closed = await recv_closed(conn)
    assert (closed.code, closed.reason) == (1008, "policy")
    assert (conn.close_code, conn.close_reason) == (1008, "policy")
    with pytest.raises(ConnectionClosed):
        await conn.send("too late")
    peer.drop()
    async with asyncio.timeout(WAIT):
        await conn.close()
    assert conn.close_code == 1008


async def test_server_close_without_status(connect: Connect) -> None:
    conn, peer = await connect()
    await peer.send(frame(CLOSE, b""))
    echo = await peer.read_frame()
    assert (echo.opcode, echo.payload) == (CLOSE, b"")
    assert (await recv_closed(conn)).code == 1005


async def test_client_close_handshake(connect: Connect) -> None:
    conn, peer = await connect()
    closing = asyncio.create_task(conn.close(1000, "done"))
    got = await peer.read_frame()
    assert got.opcode == CLOSE and got.masked
    assert parse_close(got.payload) == (1000, "done")
    await peer.send(frame(CLOSE, got.payload))
    peer.drop()
    async with asyncio.timeout(WAIT):
        await closing
    assert conn.close_code == 1000
    assert (await recv_closed(conn)).code == 1000
    with pytest.raises(ConnectionClosed):
        await conn.send("after close")
    with pytest.raises(ConnectionClosed):
        await conn.ping()
    async with asyncio.timeout(WAIT):
        await conn.close()  # idempotent
        await conn.close(4000, "again")
    assert conn.close_code == 1000


async def test_client_closes_tcp_once_the_server_closes(connect: Connect) -> None:
    conn, peer = await connect()
    closing = asyncio.create_task(conn.close())
    got = await peer.read_frame()
    await peer.send(frame(CLOSE, got.payload))
    peer.writer.write_eof()  # half-close: the client must notice and close its side
    assert await peer.read_eof() == b""
    async with asyncio.timeout(WAIT):
        await closing
    assert conn.close_code == 1000


async def test_close_returns_after_close_timeout_without_an_answer(connect: Connect) -> None:
    conn, peer = await connect(close_timeout=0.2)
    closing = asyncio.create_task(conn.close())
    assert (await peer.read_frame()).opcode == CLOSE
    async with asyncio.timeout(WAIT):
        await closing
    assert conn.close_code == 1006
    assert (await recv_closed(conn)).code == 1006


async def test_dropped_tcp_without_close_frame_is_1006(connect: Connect) -> None:
    conn, peer = await connect()
    await peer.send(frame(TEXT, b"last words"))
    peer.drop()
    assert await recv(conn) == "last words"
    assert (await recv_closed(conn)).code == 1006
    assert conn.close_code == 1006


async def test_abort_is_1006_without_a_close_frame(connect: Connect) -> None:
    conn, peer = await connect()
    conn.abort()
    assert (await recv_closed(conn)).code == 1006
    assert conn.close_code == 1006
    assert await peer.read_eof() == b""  # no close frame reached the server


async def test_send_right_after_abort_raises(connect: Connect) -> None:
    conn, _ = await connect()
    conn.abort()
    assert conn.close_code == 1006
    with pytest.raises(ConnectionClosed):
        await conn.send("after abort")


async def test_close_reason_too_long_is_refused_and_leaves_the_connection_open(
    connect: Connect,
) -> None:
    conn, peer = await connect()
    with pytest.raises(ValueError):
        await conn.close(1000, "r" * 124)
    assert conn.close_code is None
    await conn.send("still open")
    assert (await peer.read_frame()).payload == b"still open"


async def test_cancelled_close_aborts(connect: Connect) -> None:
    conn, peer = await connect()
    closing = asyncio.create_task(conn.close())
    assert (await peer.read_frame()).opcode == CLOSE
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert (await recv_closed(conn)).code == 1006


# -- protocol errors --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (frame(TEXT, b"masked", mask=b"abcd"), 1002),
        (frame(TEXT, b"\xff\xfe"), 1007),
        (frame(PING, b"", fin=False), 1002),
        (frame(CLOSE, b"\x03"), 1002),
        (frame(CLOSE, (1006).to_bytes(2, "big")), 1002),
        (frame(BINARY, b"x" * 1001), 1009),
    ],
)
async def test_protocol_errors_close_with_their_code(
    connect: Connect, bad: bytes, code: int
) -> None:
    conn, peer = await connect(max_message_size=1000)
    await peer.send(frame(TEXT, b"before"), bad)
    got = await peer.read_frame()
    assert got.opcode == CLOSE
    assert parse_close(got.payload)[0] == code
    assert await recv(conn) == "before"
    assert (await recv_closed(conn)).code == code
    assert conn.close_code == code


# -- keepalive --------------------------------------------------------------------------
async def test_answered_keepalive_pings_keep_the_connection_open(connect: Connect) -> None:
    conn, peer = await connect(ping_interval=0.05, ping_timeout=WAIT)
    # with a ping_timeout, the next keepalive is only scheduled once a pong arrived
    for _ in range(4):
        ping = await peer.read_frame()
        assert ping.opcode == PING and len(ping.payload) == 4
        await peer.send(frame(PONG, ping.payload))
    await conn.send("alive")
    assert (await peer.read_message()).payload == b"alive"
    assert conn.close_code is None


async def test_slow_pongs_within_the_timeout_keep_the_connection_open(connect: Connect) -> None:
    conn, peer = await connect(ping_interval=0.02, ping_timeout=WAIT)
    for _ in range(3):
        ping = await peer.read_frame()
        await asyncio.sleep(0.1)  # the pong takes several ping intervals
        await peer.send(frame(PONG, ping.payload))
    await conn.send("alive")
    assert (await peer.read_message()).payload == b"alive"
    assert conn.close_code is None
    assert conn.latency is not None and conn.latency > 0


async def test_keepalive_pings_continue_without_timeout(connect: Connect) -> None:
    conn, peer = await connect(ping_interval=0.05, ping_timeout=None)
    pings = [await peer.read_frame() for _ in range(3)]  # never answered
    assert {ping.opcode for ping in pings} == {PING}
    assert conn.close_code is None


async def test_unanswered_keepalive_closes_with_1006(connect: Connect) -> None:
    conn, peer = await connect(ping_interval=0.05, ping_timeout=0.05)
    assert (await peer.read_frame()).opcode == PING  # and never answered
    closed = await recv_closed(conn)
    assert closed.code == 1006
    assert "keepalive" in closed.reason
    assert conn.close_code == 1006


# -- flow control -----------------------------------------------------------------------
async def test_small_receive_queue_loses_nothing(connect: Connect) -> None:
    conn, peer = await connect(max_queue=4)
    messages = [f"{i:04d}".encode() * 4096 for i in range(200)]  # 16 KiB each
    peer.writer.write(b"".join(frame(BINARY, m) for m in messages))
    await until(lambda: conn._reading_paused)  # the client stopped reading the socket
    received = [await recv(conn) for _ in messages]
    assert received == messages


@pytest.mark.parametrize("max_queue", [1, 2, 3])
async def test_tiny_receive_queues_resume_reading(connect: Connect, max_queue: int) -> None:
    conn, peer = await connect(max_queue=max_queue)
    for i in range(3):
        await peer.send(frame(TEXT, str(i).encode()))
        assert await recv(conn) == str(i)


async def test_sending_many_big_messages_waits_for_the_reader(connect: Connect) -> None:
    conn, peer = await connect()
    messages = [bytes([i]) * (512 * 1024) for i in range(96)]  # 48 MiB: more than any buffers

    async def send_all() -> None:
        for message in messages:
            await conn.send(message)

    sender = asyncio.create_task(send_all())
    await until(lambda: conn._write_paused or sender.done())
    assert not sender.done()  # more than the socket buffers hold: the sender waits
    for message in messages:
        got = await peer.read_frame()
        assert got.opcode == BINARY and got.payload == message
    async with asyncio.timeout(WAIT):
        await sender


async def test_recv_many_takes_a_burst_in_order(connect: Connect) -> None:
    conn, peer = await connect()
    waiting = asyncio.create_task(conn.recv_many())
    await peer.send(frame(TEXT, b"1"), frame(BINARY, b"2"), frame(TEXT, b"3"))
    async with asyncio.timeout(WAIT):
        assert await waiting == ["1", b"2", "3"]  # one read, one wake-up, one batch
    await peer.send(frame(TEXT, b"4"), frame(CLOSE, close_payload(1000, "end")))
    async with asyncio.timeout(WAIT):
        assert await conn.recv_many() == ["4"]
        with pytest.raises(ConnectionClosed) as info:
            await conn.recv_many()
    assert (info.value.code, info.value.reason) == (1000, "end")


async def test_recv_many_resumes_a_paused_reader(connect: Connect) -> None:
    conn, peer = await connect(max_queue=4)
    messages = [f"{i:04d}".encode() * 4096 for i in range(200)]
    peer.writer.write(b"".join(frame(BINARY, m) for m in messages))
    await until(lambda: conn._reading_paused)
    received: list[str | bytes] = []
    async with asyncio.timeout(WAIT):
        while len(received) < len(messages):
            batch = await conn.recv_many()
            assert batch
            received.extend(batch)
    assert received == messages


async def test_concurrent_senders_never_interleave(connect: Connect) -> None:
    conn, peer = await connect()
    messages = [bytes([i]) * (i * 1000) for i in range(100)]  # small and large frames
    senders = asyncio.gather(*(conn.send(m) for m in messages))
    for message in messages:
        got = await peer.read_frame()
        assert (got.opcode, got.payload) == (BINARY, message)
    async with asyncio.timeout(WAIT):
        await senders


async def test_second_concurrent_recv_is_refused(connect: Connect) -> None:
    conn, peer = await connect()
    first = asyncio.create_task(conn.recv())
    await asyncio.sleep(0)  # let it start waiting
    with pytest.raises(RuntimeError):
        await conn.recv()
    await peer.send(frame(TEXT, b"for the first"))
    async with asyncio.timeout(WAIT):
        assert await first == "for the first"


# -- TLS --------------------------------------------------------------------------------
async def test_tls_against_the_emulator() -> None:
    async with Emulator(tls=True) as emulator:
        connector = NativeConnector(ssl=emulator.ssl_client_context())
        conn = await connector(emulator.endpoint_url(), {})
        try:
            await conn.send(json.dumps({"setup": {"model": GEMINI_MODEL}}))
            reply = await recv(conn)
            assert "setupComplete" in (reply if isinstance(reply, str) else reply.decode())
        finally:
            async with asyncio.timeout(WAIT):
                await conn.close()
        assert conn.close_code == 1000


async def test_tls_with_an_untrusted_certificate_is_a_connect_error() -> None:
    async with Emulator(tls=True) as emulator:
        connector = NativeConnector(ssl=ssl.create_default_context())
        with pytest.raises(ConnectError, match="TLS"):
            await connector(emulator.endpoint_url(), {})


async def test_large_messages_over_tls() -> None:
    async def echo(conn: Connection, request: Request) -> None:
        while True:
            await conn.send(await conn.recv())

    tls = make_tls("127.0.0.1")
    try:
        async with await serve(echo, ssl=tls.server_context) as server:
            connector = NativeConnector(ssl=tls.client_context())
            conn = await connector(f"wss://127.0.0.1:{server.port}/", {})
            try:
                big = os.urandom(1 << 20)
                await conn.send(big)
                assert await recv(conn) == big
                text = "é" * (1 << 19)
                await conn.send(text)
                assert await recv(conn) == text
            finally:
                async with asyncio.timeout(WAIT):
                    await conn.close()
            assert conn.close_code == 1000
    finally:
        tls.cleanup()


# -- proxies ----------------------------------------------------------------------------
def proxied_url(url: str) -> bool:
    return proxied(client_request(url, {}))


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("https_proxy", "wss://example.com/x"),
        ("HTTPS_PROXY", "wss://example.com/x"),
        ("wss_proxy", "wss://example.com/x"),
        ("socks_proxy", "wss://example.com/x"),
        ("https_proxy", "ws://example.com/x"),
        ("http_proxy", "ws://example.com/x"),
        ("ws_proxy", "ws://example.com/x"),
    ],
)
def test_a_proxy_in_the_environment_takes_over(
    monkeypatch: pytest.MonkeyPatch, variable: str, url: str
) -> None:
    monkeypatch.setenv(variable, "http://proxy.invalid:3128")
    assert proxied_url(url)


@pytest.mark.parametrize("variable", ["http_proxy", "all_proxy"])
def test_proxies_websockets_would_not_use_for_wss_are_not_taken(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://proxy.invalid:3128")
    assert not proxied_url("wss://example.com/x")


def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://proxy.invalid:3128")
    monkeypatch.setenv("http_proxy", "http://proxy.invalid:3128")
    monkeypatch.setenv("no_proxy", "example.com")
    assert not proxied_url("wss://example.com/x")
    assert proxied_url("wss://other.example.org/x")


def test_without_proxy_variables_nothing_is_proxied() -> None:
    # the autouse fixture removed every *_proxy variable, lower- and upper-case
    assert not proxied_url("wss://example.com/x")
    assert not proxied_url("ws://example.com/x")


async def test_ipv6_literal_hosts_are_bracketed_in_the_host_header() -> None:
    hosts: list[str | None] = []

    async def echo(conn: Connection, request: Request) -> None:
        hosts.append(request.headers.get("host"))
        await conn.send(await conn.recv())

    try:
        server = await serve(echo, host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    async with server:
        port = server.port
        conn = await NativeConnector()(f"ws://[::1]:{port}/v6", {})
        await conn.send("over IPv6")
        assert await recv(conn) == "over IPv6"
        await conn.close()
    assert hosts == [f"[::1]:{port}"]


async def test_a_transport_that_is_not_an_asyncio_transport_subclass_is_used() -> None:
    """uvloop's transports are stream transports without subclassing asyncio.Transport."""

    class DuckTransport:
        def __init__(self) -> None:
            self.written: list[bytes] = []

        def write(self, data: bytes) -> None:
            self.written.append(data)

    conn = NativeConnection(
        request=b"GET / HTTP/1.1\r\n\r\n",
        accept="",
        tls=None,
        max_size=1 << 20,
        max_queue=4,
        ping_interval=None,
        ping_timeout=None,
        close_timeout=1.0,
    )
    transport = DuckTransport()
    conn.connection_made(transport)  # type: ignore[arg-type]
    assert transport.written == [b"GET / HTTP/1.1\r\n\r\n"]
    conn._opened.cancel()  # never opened: nothing waits for it


# -- push mode (receive_with / wait_closed) ---------------------------------------------
def collect_into(got: list[str | bytes]) -> Callable[[list[str | bytes]], int]:
    """A receiver that takes every message it is offered."""

    def receiver(batch: list[str | bytes]) -> int:
        got.extend(batch)
        return len(batch)

    return receiver


async def test_push_mode_hands_bursts_over_in_order_then_the_end(connect: Connect) -> None:
    conn, peer = await connect()
    assert isinstance(conn, PushReceiver)
    got: list[str | bytes] = []
    conn.receive_with(collect_into(got))
    peer.writer.write(b"".join(frame(TEXT, str(i).encode()) for i in range(50)))
    peer.writer.write(frame(CLOSE, (1001).to_bytes(2, "big") + b"bye"))
    async with asyncio.timeout(WAIT):
        ended = await conn.wait_closed()
    assert got == [str(i) for i in range(50)]
    assert (ended.code, ended.reason) == (1001, "bye")


async def test_what_the_receiver_leaves_is_offered_again_before_anything_newer(
    connect: Connect,
) -> None:
    conn, peer = await connect(max_queue=2)
    offers: list[list[str | bytes]] = []

    def take_two(batch: list[str | bytes]) -> int:
        offers.append(list(batch))
        return min(2, len(batch))

    conn.receive_with(take_two)
    peer.writer.write(b"".join(frame(TEXT, str(i).encode()) for i in range(7)))
    await until(lambda: sum(min(2, len(o)) for o in offers) >= 7)
    taken = [m for offer in offers for m in offer[:2]]
    assert taken == [str(i) for i in range(7)]
    assert all(o[0] == str(2 * k) for k, o in enumerate(offers))  # each offer resumes in order


async def test_messages_queued_before_push_mode_are_handed_over(connect: Connect) -> None:
    conn, peer = await connect()
    await peer.send(frame(TEXT, b"early"))
    await until(lambda: bool(conn._messages))
    got: list[str | bytes] = []
    conn.receive_with(collect_into(got))
    await until(lambda: got == ["early"])


async def test_a_receiver_that_raises_drops_the_connection(connect: Connect) -> None:
    conn, peer = await connect()

    def broken(batch: list[str | bytes]) -> int:
        raise ValueError("boom")

    conn.receive_with(broken)
    await peer.send(frame(TEXT, b"x"))
    async with asyncio.timeout(WAIT):
        ended = await conn.wait_closed()
    assert ended.code == 1006 and "receiver failed: ValueError: boom" in ended.reason


async def test_the_end_waits_for_the_messages_before_it(connect: Connect) -> None:
    conn, peer = await connect()
    got: list[str | bytes] = []

    def one_at_a_time(batch: list[str | bytes]) -> int:
        got.append(batch[0])
        return 1

    conn.receive_with(one_at_a_time)
    peer.writer.write(b"".join(frame(TEXT, str(i).encode()) for i in range(5)))
    peer.drop()  # the network ends right after them
    async with asyncio.timeout(WAIT):
        ended = await conn.wait_closed()
    assert got == [str(i) for i in range(5)]  # every message was handed over first
    assert ended.code == 1006
