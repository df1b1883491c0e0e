"""The Session runner over the in-memory transport, against a hand-scripted server.

These tests pin the runner's behaviour independent of the emulator: handshake,
setup refusal, timeouts, event fan-out, closing, bad input and server garbage.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import realtalk
from realtalk.events import (
    AudioDelta,
    Closed,
    Connected,
    Connecting,
    Error,
    Event,
    Lagged,
    OutputTranscript,
    TextDelta,
    TurnComplete,
)
from realtalk.transport import Connection, MemoryConnector, Request

Script = Callable[[Connection, Request], Awaitable[None]]


class FakeServer:
    """Records what the client sent and runs a script after the setup."""

    def __init__(self, script: Script | None = None, *, accept: bool = True) -> None:
        self.script = script
        self.accept = accept
        self.received: list[dict[str, Any]] = []
        self.frame_types: list[type] = []
        self.requests: list[Request] = []
        self.arrived = asyncio.Condition()
        self.connector = MemoryConnector(self.handle)

    async def wait_received(self, count: int) -> None:
        async with self.arrived:
            await self.arrived.wait_for(lambda: len(self.received) >= count)

    async def recv_json(self, conn: Connection) -> dict[str, Any]:
        data = await conn.recv()
        self.frame_types.append(type(data))
        message: dict[str, Any] = json.loads(data)
        self.received.append(message)
        async with self.arrived:
            self.arrived.notify_all()
        return message

    async def handle(self, conn: Connection, request: Request) -> None:
        self.requests.append(request)
        await self.recv_json(conn)
        if not self.accept:
            await conn.close(1007, "Request contains an invalid argument.")
            return
        await conn.send(b'{"setupComplete": {"sessionId": "srv-1"}}')
        if self.script is not None:
            await self.script(conn, request)
        while True:
            await self.recv_json(conn)


def connect(server: FakeServer, **kwargs: Any) -> Any:
    kwargs.setdefault("model", "gemini-test")
    return realtalk.connect("gemini", url="ws://fake", connector=server.connector, **kwargs)


async def collect(session: realtalk.Session, until: type[Event] = TurnComplete) -> list[Event]:
    out: list[Event] = []
    async for event in session.events():
        out.append(event)
        if isinstance(event, until):
            break
    return out


async def test_handshake_sends_setup_first_and_reports_lifecycle() -> None:
    server = FakeServer()
    async with connect(server, config={"generationConfig": {"responseModalities": ["TEXT"]}}) as s:
        assert s.status is realtalk.SessionStatus.CONNECTED
        assert s.is_connected
        assert s.session_id == "srv-1"
        assert await s.next_event() == Connecting(attempt=0)
        assert await s.next_event() == Connected(session_id="srv-1")
    setup = server.received[0]["setup"]
    assert setup["model"] == "models/gemini-test"
    assert setup["generationConfig"] == {"responseModalities": ["TEXT"]}
    assert server.frame_types[0] is str  # client frames are text frames
    assert server.requests[0].path.endswith("GenerativeService.BidiGenerateContent")


async def test_rejected_setup_raises_with_code_and_reason() -> None:
    server = FakeServer(accept=False)
    with pytest.raises(realtalk.SetupError) as info:
        await connect(server)
    assert info.value.code == 1007
    assert info.value.reason == "Request contains an invalid argument."


async def test_setup_timeout_raises() -> None:
    async def silent(conn: Connection, request: Request) -> None:
        await conn.recv()
        await asyncio.sleep(10)

    connector = MemoryConnector(silent)
    with pytest.raises(realtalk.SetupError, match="no setup response"):
        await realtalk.connect(
            "gemini", model="m", url="ws://fake", connector=connector, setup_timeout=0.05
        )
    await connector.aclose()


async def test_events_decoded_and_fanned_out_to_every_cursor() -> None:
    pcm = b"\x01\x00\x02\x00"

    async def script(conn: Connection, request: Request) -> None:
        await conn.send(b'{"serverContent": {"modelTurn": {"parts": [{"text": "Hi"}]}}}')
        audio = base64.b64encode(pcm).decode()
        part = {"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": audio}}
        await conn.send(json.dumps({"serverContent": {"modelTurn": {"parts": [part]}}}))
        await conn.send(b'{"serverContent": {"turnComplete": true}}')

    server = FakeServer(script)
    async with connect(server) as s:
        other = s.clone()
        first, second = await asyncio.gather(collect(s), collect(other))
    expected = [
        Connecting(attempt=0),
        Connected(session_id="srv-1"),
        TextDelta("Hi"),
        AudioDelta(pcm, 24000),
        TurnComplete(),
    ]
    assert first == expected
    assert second == expected


async def test_server_garbage_becomes_error_event_and_session_goes_on() -> None:
    async def script(conn: Connection, request: Request) -> None:
        await conn.send(b"\xff not json")
        await conn.send(b'{"serverContent": {"turnComplete": "yes please"}}')
        await conn.send(b"{}")
        await conn.send(b'{"serverContent": {"turnComplete": true}}')

    server = FakeServer(script)
    async with connect(server) as s:
        events = await collect(s)
    errors = [e for e in events if isinstance(e, Error)]
    assert len(errors) == 2
    assert all(e.code == "malformed" for e in errors)
    assert isinstance(events[-1], TurnComplete)


async def test_lost_connection_ends_session_with_closed_event() -> None:
    async def script(conn: Connection, request: Request) -> None:
        await conn.close(1011, "Internal error occurred.")

    server = FakeServer(script)
    s = await connect(server, reconnect=None)
    events = await collect(s, until=Closed)
    assert events[-1] == Closed(1011, "Internal error occurred.")
    assert await s.next_observed_event() is not None  # the handle's own cursor still has events
    assert s.status is realtalk.SessionStatus.CLOSED
    with pytest.raises(realtalk.SessionClosed):
        await s.send_text("anyone?")
    await s.close()  # idempotent after a server close


async def test_close_is_idempotent_and_drains_cursors() -> None:
    server = FakeServer()
    s = await connect(server)
    await s.send_text("hello")
    await s.close()
    await s.close()
    events = [e async for e in s.events()]
    assert isinstance(events[-1], Closed)
    assert events[-1].code == 1000
    while await s.next_event() is not None:
        pass
    assert await s.next_event() is None
    with pytest.raises(realtalk.SessionClosed):
        await s.send_audio(b"\x00\x00")


async def test_send_methods_produce_the_wire_messages() -> None:
    server = FakeServer()
    async with connect(server) as s:
        await s.send_audio(b"\x01\x00", rate=24000)
        await s.send_audio_base64("AQA=")
        await s.send_video(b"\xff\xd8", mime="image/jpeg")
        await s.send_text("hi")
        await s.send_client_content("seed", turn_complete=False)
        await s.activity_start()
        await s.activity_end()
        await s.audio_stream_end()
        await s.send_tool_response({"id": "c1", "name": "f", "response": 42})
        await s.send_raw({"realtimeInput": {"text": "raw"}})
        await server.wait_received(11)
    sent = server.received[1:]
    assert sent[0] == {
        "realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=24000", "data": "AQA="}}
    }
    assert sent[1]["realtimeInput"]["audio"]["data"] == "AQA="
    assert sent[2]["realtimeInput"]["video"]["mimeType"] == "image/jpeg"
    assert sent[3] == {"realtimeInput": {"text": "hi"}}
    assert sent[4] == {
        "clientContent": {
            "turns": [{"role": "user", "parts": [{"text": "seed"}]}],
            "turnComplete": False,
        }
    }
    assert sent[5] == {"realtimeInput": {"activityStart": {}}}
    assert sent[6] == {"realtimeInput": {"activityEnd": {}}}
    assert sent[7] == {"realtimeInput": {"audioStreamEnd": True}}
    assert sent[8] == {
        "toolResponse": {
            "functionResponses": [{"id": "c1", "name": "f", "response": {"output": 42}}]
        }
    }
    assert sent[9] == {"realtimeInput": {"text": "raw"}}


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda s: s.send_audio("not bytes"), TypeError, "pcm"),
        (lambda s: s.send_audio(b"\x00"), ValueError, "pcm"),
        (lambda s: s.send_audio(b"\x00\x00", rate=100), ValueError, "rate"),
        (lambda s: s.send_audio(b"\x00\x00", rate="16000"), TypeError, "rate"),
        (lambda s: s.send_text(3), TypeError, "text"),
        (lambda s: s.send_text(""), ValueError, "text"),
        (lambda s: s.send_video(b"x", mime="audio/wav"), ValueError, "mime"),
        (lambda s: s.send_client_content(42), TypeError, "turns"),
        (lambda s: s.send_client_content("x", turn_complete="yes"), TypeError, "turn_complete"),
        (lambda s: s.send_tool_response([]), ValueError, "responses"),
        (lambda s: s.send_tool_response({"id": "1", "response": {}}), ValueError, "name"),
        (lambda s: s.send_raw(object()), TypeError, "message"),
    ],
)
async def test_bad_input_raises_naming_the_parameter(
    call: Callable[[realtalk.Session], Awaitable[None]], error: type[Exception], name: str
) -> None:
    server = FakeServer()
    async with connect(server) as s:
        with pytest.raises(error, match=name):
            await call(s)
        await s.send_text("still usable")


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"model": 3}, TypeError, "model"),
        ({"model": " "}, ValueError, "model"),
        ({"url": 5}, TypeError, "url"),
        ({"api_key": 5}, TypeError, "api_key"),
        ({"bogus_option": 1}, TypeError, "bogus_option"),
        ({"setup_timeout": -1}, ValueError, "setup_timeout"),
        ({"ring_size": "big"}, TypeError, "ring_size"),
        ({"config": 7}, TypeError, "config"),
        ({"config": {"generationConfig": {"temperature": "hot"}}}, realtalk.ConfigError, "config"),
        ({"config": {"notAField": 1}}, realtalk.ConfigError, "notAField"),
    ],
)
def test_bad_connect_arguments_raise_before_any_io(
    kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    kwargs = {"model": "m", "url": "ws://fake", **kwargs}
    with pytest.raises(error, match=name):
        realtalk.connect("gemini", **kwargs)


def test_unknown_provider_is_rejected() -> None:
    with pytest.raises(ValueError, match="provider"):
        realtalk.connect("nope", model="m")


async def test_slow_cursor_sees_lagged_then_recovers() -> None:
    async def script(conn: Connection, request: Request) -> None:
        for i in range(20):
            await conn.send(
                json.dumps({"serverContent": {"modelTurn": {"parts": [{"text": str(i)}]}}})
            )
        await conn.send(b'{"serverContent": {"turnComplete": true}}')

    server = FakeServer(script)
    async with connect(server, ring_size=4) as s:
        watcher = s.clone()
        events = await collect(watcher)  # reads as fast as the server sends
        assert events[-1] == TurnComplete()
        observed = await s.next_observed_event()
        assert isinstance(observed, Lagged)
        assert observed.count > 0
        rest = [await s.next_event() for _ in range(4)]  # the ring holds the last 4
        assert rest[-1] == TurnComplete()


def test_secrets_never_in_repr_or_errors() -> None:
    key = "AIzaSECRET-KEY-123"
    call = realtalk.connect("gemini", model="m", api_key=key)
    assert key not in repr(call)
    assert key not in repr(call._runner.protocol.endpoint)
    with pytest.raises(TypeError) as info:
        realtalk.connect("gemini", model="m", api_key=key, bogus=1)
    assert key not in str(info.value)


async def test_a_burst_larger_than_the_ring_reaches_a_reader_without_loss() -> None:
    """Frames that arrive all at once must not wrap the ring under a waiting reader."""
    count = 5000

    async def script(conn: Connection, request: Request) -> None:
        frames = [
            json.dumps({"serverContent": {"outputTranscription": {"text": f"{i} "}}})
            for i in range(count)
        ]
        for frame in frames:  # queued without yielding: one burst
            conn._peer._deliver(frame)  # type: ignore[attr-defined]
        await conn.send(b'{"serverContent": {"turnComplete": true}}')

    server = FakeServer(script)
    async with connect(server, ring_size=64) as s:
        events = await collect(s)
    assert not any(isinstance(e, Lagged) for e in events)
    assert sum(isinstance(e, OutputTranscript) for e in events) == count
