"""The same Session class speaks OpenAI Realtime (handshake, sends, events, tools)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import realtalk
from realtalk.events import AudioDelta, ToolCall, TurnComplete
from realtalk.session.contracts import Applied, RealtimeSession
from realtalk.transport import Connection, MemoryConnector, Request


def event(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "event_id": f"evt_{kind}", **fields})


class FakeOpenAI:
    """session.created → session.update → session.updated, then records client events."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.requests: list[Request] = []
        self.connector = MemoryConnector(self.handle)

    async def handle(self, conn: Connection, request: Request) -> None:
        self.requests.append(request)
        session = {"type": "realtime", "id": "sess_1", "model": "gpt-realtime"}
        await conn.send(event("session.created", session=session))
        update = json.loads(await conn.recv())
        self.received.append(update)
        await conn.send(event("session.updated", session={**session, **update["session"]}))
        while True:
            message = json.loads(await conn.recv())
            self.received.append(message)
            if message["type"] == "response.create":
                await self.respond(conn)

    async def respond(self, conn: Connection) -> None:
        response = {"id": "resp_1", "object": "realtime.response", "status": "in_progress"}
        await conn.send(event("response.created", response=response))
        pcm = base64.b64encode(b"\x01\x00\x02\x00").decode()
        await conn.send(
            event(
                "response.output_audio.delta",
                response_id="resp_1",
                item_id="item_1",
                output_index=0,
                content_index=0,
                delta=pcm,
            )
        )
        call = {
            "type": "function_call",
            "id": "item_2",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city": "Berlin"}',
            "status": "completed",
        }
        done = {**response, "status": "completed", "output": [call]}
        await conn.send(event("response.done", response=done))


async def test_openai_session_handshake_send_and_receive() -> None:
    server = FakeOpenAI()
    config = {"type": "realtime", "instructions": "Be brief."}
    async with realtalk.connect(
        "openai",
        model="gpt-realtime",
        url="ws://fake",
        api_key="sk-test",
        config=config,
        connector=server.connector,
    ) as s:
        assert s.session_id == "sess_1"
        await s.send_text("hello")
        events = []
        async for item in s.events():
            events.append(item)
            if isinstance(item, ToolCall):
                break
        await s.send_tool_response({"id": "call_1", "name": "get_weather", "response": 21})
        await s.send_audio(b"\x00\x00" * 240)  # 24 kHz by default: no resampling
        while len(server.received) < 6:
            assert await s.next_event() is not None
    assert server.requests[0].path == "/v1/realtime"
    assert server.requests[0].query == {"model": "gpt-realtime"}
    assert server.requests[0].headers["authorization"] == "Bearer sk-test"
    kinds = [m["type"] for m in server.received]
    assert kinds[:3] == ["session.update", "conversation.item.create", "response.create"]
    assert kinds[3:6] == [
        "conversation.item.create",
        "response.create",
        "input_audio_buffer.append",
    ]
    assert server.received[3]["item"]["type"] == "function_call_output"
    assert server.received[0]["session"]["instructions"] == "Be brief."
    audio = [e for e in events if isinstance(e, AudioDelta)]
    assert audio and audio[0].data == b"\x01\x00\x02\x00"
    calls = next(e for e in events if isinstance(e, ToolCall)).calls
    assert [(c.id, c.name, c.args) for c in calls] == [
        ("call_1", "get_weather", {"city": "Berlin"})
    ]
    assert not any(isinstance(e, TurnComplete) for e in events)  # a tool call does not end it


async def test_openai_mutate_context_truncate_and_contract_commands() -> None:
    server = FakeOpenAI()
    async with realtalk.connect(
        "openai", model="gpt-realtime", url="ws://fake", connector=server.connector
    ) as s:
        assert isinstance(s, RealtimeSession)
        assert await s.mutate_context({"instructions": "Speak slowly."}) == Applied()
        await s.create_response()  # the fake answers with 2 samples (0.08 ms) of audio
        while not isinstance(await s.next_event(), ToolCall):
            pass
        await s.truncate("item_1", 5000)  # past what was received: clamped
        await s.commit_audio()
        await s.clear_audio()
        await s.interrupt()  # no response is running: nothing to cancel
        while len(server.received) < 6:
            assert await s.next_event() is not None
    kinds = [m["type"] for m in server.received]
    assert kinds == [
        "session.update",
        "session.update",
        "response.create",
        "conversation.item.truncate",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
    ]
    assert server.received[1]["session"]["instructions"] == "Speak slowly."
    truncate = server.received[3]
    assert (truncate["item_id"], truncate["audio_end_ms"]) == ("item_1", 0)


async def test_a_transcription_only_session_yields_input_transcripts_and_no_response() -> None:
    from realtalk.audio import silence, tone
    from realtalk.emulator import Emulator
    from realtalk.events import InputTranscript, ResponseStarted, SpeechStopped

    config = {
        "type": "transcription",
        "audio": {
            "input": {
                "transcription": {"model": "gpt-4o-transcribe"},
                "turn_detection": {"type": "server_vad"},
            }
        },
    }
    async with Emulator() as emulator:
        session = await realtalk.connect(
            "openai", model="gpt-realtime", url=emulator.url, config=config
        )
        try:
            events = session.events()
            await session.send_audio(tone(440, 1.0, 24000) + silence(1.0, 24000))
            seen = []
            async with asyncio.timeout(10):  # a guard against a hang, not a timing check
                async for item in events:
                    seen.append(item)
                    if isinstance(item, InputTranscript) and item.final:
                        break
        finally:
            await session.close()
    kinds = [type(e) for e in seen]
    assert SpeechStopped in kinds
    assert "".join(e.text for e in seen if isinstance(e, InputTranscript)) == "(audio 1.0 s)"
    assert ResponseStarted not in kinds
    assert emulator.connections[-1].session.type == "transcription"
