"""Record a conversation with the emulator, then replay it to a fresh client."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from realtalk.emulator import Emulator, Fault, Scenario, ToolCallStep, Turn
from realtalk.errors import ConnectionClosed, ProtocolError
from realtalk.testing import (
    Mismatch,
    Recorder,
    Recording,
    ReplayServer,
    compare_frames,
    parse_recording,
    read_recording,
)
from realtalk.transport import Connection, Connector, MemoryConnector, WebSocketConnector, serve

WAIT = 5.0  # guard against hangs only; never a timing assertion
PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
SETUP = {"model": "models/gemini-live-test", "generationConfig": {"responseModalities": ["TEXT"]}}
SCENARIO = Scenario(
    turns=[Turn(match="weather", tool_calls=[ToolCallStep("get_weather", {"city": "Berlin"})])],
    faults=[Fault(kind="close", at_turn=3, code=1011, reason="Internal error occurred.")],
)


class Client:
    """A raw client on one connection; records by hand when given a recorder."""

    def __init__(self, conn: Connection, number: int, recorder: Recorder | None) -> None:
        self.conn, self.number, self.recorder = conn, number, recorder
        self.frames: list[str | bytes] = []
        self.closed: tuple[int, str] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message)
        await self.conn.send(data)
        if self.recorder is not None:
            self.recorder.sent(self.number, data)

    async def recv(self) -> dict[str, Any]:
        try:
            async with asyncio.timeout(WAIT):
                data = await self.conn.recv()
        except ConnectionClosed as exc:
            self.closed = (exc.code, exc.reason)
            if self.recorder is not None:
                self.recorder.connection_closed(self.number, exc.code, exc.reason, by_client=False)
            raise
        self.frames.append(data)
        if self.recorder is not None:
            self.recorder.received(self.number, data)
        message: dict[str, Any] = json.loads(data)
        return message

    async def until(self, key: str, sub: str | None = None) -> list[dict[str, Any]]:
        out = []
        while True:
            message = await self.recv()
            out.append(message)
            if key in message and (sub is None or message[key].get(sub)):
                return out

    async def text(self, text: str) -> None:
        turn = {"role": "user", "parts": [{"text": text}]}
        await self.send({"clientContent": {"turns": [turn], "turnComplete": True}})

    async def close(self) -> None:
        await self.conn.close()
        self.closed = (1000, "")
        if self.recorder is not None:
            self.recorder.connection_closed(self.number, 1000, "", by_client=True)


@dataclass
class Transcript:
    clients: list[Client] = field(default_factory=list)

    def frames(self) -> list[list[str | bytes]]:
        return [c.frames for c in self.clients]

    def closes(self) -> list[tuple[int, str] | None]:
        return [c.closed for c in self.clients]


async def open_client(
    connector: Connector, url: str, transcript: Transcript, recorder: Recorder | None
) -> Client:
    number = len(transcript.clients)
    conn = await connector(url, {"x-goog-api-key": "test-key"})
    if recorder is not None:
        recorder.connection_opened(number, url, {"x-goog-api-key": "test-key"})
    client = Client(conn, number, recorder)
    transcript.clients.append(client)
    return client


async def conversation(
    connector: Connector, url: str, recorder: Recorder | None = None, first: str = "hello"
) -> Transcript:
    """Two connections: a text turn, a hop with resumption, a tool call, then a 1011."""
    transcript = Transcript()
    client = await open_client(connector, url, transcript, recorder)
    await client.send({"setup": {**SETUP, "sessionResumption": {}}})
    await client.until("setupComplete")
    await client.text(first)
    await client.until("serverContent", "turnComplete")
    await client.text("one more")
    updates = await client.until("sessionResumptionUpdate", "newHandle")
    handle = updates[-1]["sessionResumptionUpdate"]["newHandle"]
    await client.until("serverContent", "turnComplete")
    await client.close()

    client = await open_client(connector, url, transcript, recorder)
    await client.send({"setup": {**SETUP, "sessionResumption": {"handle": handle}}})
    await client.until("setupComplete")
    await client.text("what is the weather?")
    call = (await client.until("toolCall"))[-1]["toolCall"]["functionCalls"][0]
    response = {"id": call["id"], "name": call["name"], "response": {"temp": 21}}
    await client.send({"toolResponse": {"functionResponses": [response]}})
    await client.until("serverContent", "turnComplete")
    await client.text("bye")
    with pytest.raises(ConnectionClosed):
        while True:
            await client.recv()
    return transcript


async def record(path: Path) -> Transcript:
    emulator = Emulator(SCENARIO)
    connector = MemoryConnector(emulator.handler)
    try:
        with Recorder(path, secrets=["test-key"]) as recorder:
            return await conversation(connector, emulator.endpoint_url(), recorder)
    finally:
        await connector.aclose()


Replayer = Callable[[ReplayServer], Awaitable[tuple[Connector, str]]]


@pytest.fixture(params=["memory", "ws"])
async def reach(request: pytest.FixtureRequest) -> AsyncIterator[Replayer]:
    """Serve a ReplayServer over a memory pair or a real socket on 127.0.0.1."""
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def start(replay: ReplayServer) -> tuple[Connector, str]:
        if request.param == "memory":
            memory = MemoryConnector(replay.handler)
            cleanups.append(memory.aclose)
            return memory, "ws://replay.invalid" + PATH
        server = await serve(replay.handler, "127.0.0.1", 0)
        cleanups.append(server.aclose)
        return WebSocketConnector(), f"ws://127.0.0.1:{server.port}{PATH}"

    yield start
    for cleanup in cleanups:
        await cleanup()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Transcript]:
    path = tmp_path_factory.mktemp("rec") / "conversation.jsonl"
    return path, asyncio.run(record(path))


# -- the round trip ----------------------------------------------------------------------


def test_the_recording_holds_the_whole_conversation(recorded: tuple[Path, Transcript]) -> None:
    path, original = recorded
    recording = read_recording(path, strict=True)
    assert recording.connections() == [0, 1]
    assert "test-key" not in path.read_text()
    received = [
        [f.data for f in recording.frames if f.conn == n and f.direction == "recv"] for n in (0, 1)
    ]
    assert received == original.frames()
    assert original.closes() == [(1000, ""), (1011, "Internal error occurred.")]
    assert all(isinstance(f, bytes) for f in original.frames()[0])  # binary server frames


async def test_replay_gives_a_fresh_client_identical_server_frames(
    recorded: tuple[Path, Transcript], reach: Replayer
) -> None:
    path, original = recorded
    replay = ReplayServer.from_file(path)
    connector, url = await reach(replay)
    replayed = await conversation(connector, url)
    async with asyncio.timeout(WAIT):
        await replay.wait_idle()
    assert replayed.frames() == original.frames()  # same bytes, same frame types
    assert replayed.closes() == original.closes()
    assert replay.mismatches == []
    assert replay.completed == 2


async def test_a_different_client_frame_is_a_mismatch(
    recorded: tuple[Path, Transcript], reach: Replayer
) -> None:
    path, _ = recorded
    replay = ReplayServer.from_file(path)
    connector, url = await reach(replay)
    client = await open_client(connector, url, Transcript(), None)
    await client.send({"setup": {**SETUP, "sessionResumption": {}}})
    await client.until("setupComplete")
    await client.text("hullo")
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await client.recv()
    async with asyncio.timeout(WAIT):
        await replay.wait_idle()
    where = "clientContent.turns[0].parts[0].text"
    assert closed.value.code == 1008
    assert where in closed.value.reason
    assert replay.mismatches == [Mismatch(0, 1, where, '"hello"', '"hullo"')]
    assert 'expected "hello", got "hullo"' in replay.mismatches[0].message
    assert replay.completed == 0


# -- behaviour on small hand-written recordings ------------------------------------------------


def build(write: Callable[[Recorder], None]) -> Recording:
    stream = io.StringIO()
    clock = iter(x / 10 for x in range(1000))
    with Recorder(stream, clock=lambda: next(clock)) as recorder:
        write(recorder)
    return parse_recording(stream.getvalue().splitlines(), strict=True)


def simple(recorder: Recorder) -> None:
    recorder.connection_opened(0, "ws://h" + PATH)
    recorder.sent(0, '{"setup":{"model":"m","sessionResumption":{"handle":"old"}}}')
    recorder.received(0, b'{"setupComplete":{}}')
    recorder.received(0, '{"goAway":{"timeLeft":"1s"}}')
    recorder.connection_closed(0, 1000, "", by_client=True)


async def connect(replay: ReplayServer) -> tuple[MemoryConnector, Connection]:
    connector = MemoryConnector(replay.handler)
    return connector, await connector("ws://h" + PATH, {})


async def finish(replay: ReplayServer, connector: MemoryConnector) -> None:
    async with asyncio.timeout(WAIT):
        await replay.wait_idle()
    await connector.aclose()


async def drain(conn: Connection) -> tuple[list[str | bytes], ConnectionClosed]:
    frames: list[str | bytes] = []
    while True:
        try:
            async with asyncio.timeout(WAIT):
                frames.append(await conn.recv())
        except ConnectionClosed as exc:
            return frames, exc


async def test_the_resumption_handle_value_is_not_compared() -> None:
    replay = ReplayServer(build(simple))
    connector, conn = await connect(replay)
    await conn.send('{"setup":{"model":"m","sessionResumption":{"handle":"new"}}}')
    assert await conn.recv() == b'{"setupComplete":{}}'
    assert await conn.recv() == '{"goAway":{"timeLeft":"1s"}}'  # a text frame stays text
    await conn.close()
    await finish(replay, connector)
    assert replay.mismatches == []
    assert replay.completed == 1


async def test_a_missing_handle_is_still_a_mismatch() -> None:
    replay = ReplayServer(build(simple))
    connector, conn = await connect(replay)
    await conn.send('{"setup":{"model":"m","sessionResumption":{}}}')
    _, closed = await drain(conn)
    await finish(replay, connector)
    assert closed.code == 1008
    assert [m.path for m in replay.mismatches] == ["setup.sessionResumption.handle"]
    assert replay.mismatches[0].actual == "<missing>"


async def test_non_strict_mode_only_paces_by_client_frames() -> None:
    replay = ReplayServer(build(simple), strict=False)
    connector, conn = await connect(replay)
    await conn.send("anything at all")
    assert len((await conn.recv(), await conn.recv())) == 2
    await conn.send("an extra frame")
    await conn.close()
    await finish(replay, connector)
    assert replay.mismatches == []


async def test_extra_client_frames_after_the_recording_are_a_mismatch() -> None:
    replay = ReplayServer(build(simple))
    connector, conn = await connect(replay)
    await conn.send('{"setup":{"model":"m","sessionResumption":{"handle":"old"}}}')
    await conn.send('{"realtimeInput":{"text":"more"}}')
    frames, closed = await drain(conn)
    await finish(replay, connector)
    assert len(frames) == 2
    assert closed.code == 1008
    assert replay.mismatches[0].path == "<frame>"


async def test_more_connections_than_recorded_are_refused() -> None:
    replay = ReplayServer(build(simple))
    connector, first = await connect(replay)
    second = await connector("ws://h" + PATH, {})
    _, closed = await drain(second)
    await first.close()
    await finish(replay, connector)
    assert closed.code == 1008
    assert "1 connection" in closed.reason
    assert replay.mismatches[0].path == "<connection>"


async def test_a_client_that_leaves_early_is_a_mismatch() -> None:
    replay = ReplayServer(build(simple))
    connector, conn = await connect(replay)
    await conn.close()
    await finish(replay, connector)
    assert [m.path for m in replay.mismatches] == ["<close>"]


@pytest.mark.parametrize(("code", "reason"), [(1011, "Internal error occurred."), (1006, "")])
async def test_server_closes_are_repeated(code: int, reason: str) -> None:
    def script(recorder: Recorder) -> None:
        recorder.sent(0, "{}")
        recorder.received(0, "{}")
        recorder.connection_closed(0, code, reason, by_client=False)

    replay = ReplayServer(build(script))
    connector, conn = await connect(replay)
    await conn.send("{}")
    frames, closed = await drain(conn)
    await finish(replay, connector)
    assert frames == ["{}"]
    assert (closed.code, closed.reason) == (code, reason)
    assert replay.completed == 1


async def test_recorded_gaps_are_honoured_through_the_injected_sleep() -> None:
    def script(recorder: Recorder) -> None:  # t = 0.1, 0.2, ... per call of the clock
        recorder.connection_opened(0, "ws://h")  # t=0.1
        recorder.sent(0, "{}")  # t=0.2
        recorder.received(0, "{}")  # t=0.3
        recorder.received(0, "{}")  # t=0.4
        recorder.connection_closed(0, 1011, "x")  # t=0.5

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    replay = ReplayServer(build(script), speed=2.0, sleep=sleep)
    connector, conn = await connect(replay)
    await conn.send("{}")
    await drain(conn)
    await finish(replay, connector)
    assert slept == pytest.approx([0.05, 0.05, 0.05])


async def test_no_sleeping_by_default() -> None:
    async def sleep(seconds: float) -> None:
        raise AssertionError("must not sleep")

    replay = ReplayServer(build(simple), sleep=sleep)
    connector, conn = await connect(replay)
    await conn.send('{"setup":{"model":"m","sessionResumption":{"handle":"old"}}}')
    frames = [await conn.recv(), await conn.recv()]
    await conn.close()
    await finish(replay, connector)
    assert len(frames) == 2
    assert replay.completed == 1


def test_options_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="speed"):
        ReplayServer(build(simple), speed=0)
    with pytest.raises(TypeError, match="Recording"):
        ReplayServer("file.jsonl")  # type: ignore[arg-type]
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not a recording\n")
    with pytest.raises(ProtocolError):
        ReplayServer.from_file(garbage)


# -- frame comparison ------------------------------------------------------------------------


def test_compare_frames_names_the_first_difference() -> None:
    assert compare_frames('{"a":{"b":[1,2]}}', b'{"a":{"b":[1,2]}}') == (
        "<frame type>",
        "text",
        "binary",
    )
    assert compare_frames('{"a":{"b":[1,2]}}', '{"a":{"b":[1,3]}}') == ("a.b[1]", "2", "3")
    assert compare_frames('{"a":[1]}', '{"a":[1,2]}') == ("a.length", "1", "2")
    assert compare_frames('{"a":1}', '{"a":1,"z":0}') == ("z", "<missing>", "0")
    assert compare_frames('{"a":1}', '{"a":1.0}') == ("a", "1", "1.0")
    assert compare_frames("not json", "not jsoN") == ("<frame>", '"not json"', '"not jsoN"')
    assert compare_frames(b"\x00\x01", b"\x00\x01") is None


def test_media_data_is_compared_unless_ignored() -> None:
    def audio(data: str) -> str:
        blob = {"data": data, "mimeType": "audio/pcm;rate=16000"}
        return json.dumps({"realtimeInput": {"audio": blob}})

    assert compare_frames(audio("AAAA"), audio("BBBB")) == (
        "realtimeInput.audio.data",
        '"AAAA"',
        '"BBBB"',
    )
    assert compare_frames(audio("AAAA"), audio("BBBB"), ignore_media_data=True) is None
    other_rate = audio("BBBB").replace("16000", "24000")
    found = compare_frames(audio("AAAA"), other_rate, ignore_media_data=True)
    assert found is not None and found[0] == "realtimeInput.audio.mimeType"
