"""Every event the emulator sends is a valid ``openai`` SDK ``RealtimeServerEvent``.

A raw client (realtalk's ``WebSocketConnector`` and codec encoders, real sockets on
127.0.0.1) drives the emulator's ``/v1/realtime`` through text turns, an audio turn
with server VAD and input transcription, manual commits, a function-call round
trip, a client cancel, a barge-in, truncation, retrieval, deletion, an incomplete
response and errors (openai-realtime.md §5, §6), and keeps the raw frames. Each
frame goes through :func:`~.conftest.sdk_check` (strict, no undeclared key, the dump
equals the frame); the emulator's own record of what it sent must equal what the
client validated, and every kind of :data:`ALL_KINDS` must be seen.

Allowed representation difference: the SDK types ``session`` of ``session.created`` /
``session.updated`` as the *request* session, which does not declare the
server-output fields ``object``, ``id`` and ``expires_at`` (§3.1). The event is
validated without them, and the whole session, with them, as the SDK's
``RealtimeSessionCreateResponse`` (the server-side session object).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from openai.types import realtime as rt
from pydantic import TypeAdapter

from realtalk.audio import silence, tone
from realtalk.emulator import Emulator, Scenario, Turn
from realtalk.protocol.openai import codec, wire
from realtalk.transport import Connection, WebSocketConnector

from .conftest import MODEL, SERVER_EVENT, WAIT, sdk_check

RATE = 24000
SPEECH = silence(0.5, RATE) + tone(220, 0.5, RATE) + silence(0.4, RATE)
HEARD = "what is the weather in oslo"
LONG_REPLY = "A long answer that leaves plenty of time to interrupt it, chunk by chunk. " * 3
SERVER_SESSION: TypeAdapter[Any] = TypeAdapter(rt.RealtimeSessionCreateResponse)
SERVER_ONLY_SESSION_KEYS = ("object", "id", "expires_at")
WEATHER = wire.FunctionTool(
    name="get_weather",
    description="Current weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)

#: Every kind of server event the emulator must be seen sending (see :func:`kinds_of`).
ALL_KINDS = frozenset(
    {
        "error",
        "session.created",
        "session.updated",
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.retrieved",
        "conversation.item.truncated",
        "conversation.item.deleted",
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.completed",
        "input_audio_buffer.committed",
        "input_audio_buffer.cleared",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "response.created",
        "response.done",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.delta",
        "response.output_text.done",
        "response.output_audio.delta",
        "response.output_audio.done",
        "response.output_audio_transcript.delta",
        "response.output_audio_transcript.done",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "rate_limits.updated",
        # response outcomes (§3.5)
        "response:completed",
        "response:cancelled:client_cancelled",
        "response:cancelled:turn_detected",
        "response:incomplete:max_output_tokens",
        "response:out_of_band",
        # items (§3.4) and parts
        "item:message:user:input_text",
        "item:message:user:input_audio",
        "item:message:user:input_image",
        "item:message:assistant:output_text",
        "item:message:assistant:output_audio",
        "item:function_call",
        "item:function_call_output",
        "part:text",
        "part:audio",
        "retrieved:audio",
    }
)


def kinds_of(event: dict[str, Any]) -> set[str]:
    """The kinds (as in :data:`ALL_KINDS`) one raw server event shows."""
    found = {event["type"]}
    response = event.get("response")
    if event["type"] == "response.done":
        details = response.get("status_details") or {}
        found.add(":".join(filter(None, ["response", response["status"], details.get("reason")])))
        if response["conversation_id"] is None:
            found.add("response:out_of_band")
    item = event.get("item")
    if item is not None:
        if item["type"] == "message":
            for part in item["content"]:
                found.add(f"item:message:{item['role']}:{part['type']}")
                if event["type"] == "conversation.item.retrieved" and part.get("audio"):
                    found.add("retrieved:audio")
        else:
            found.add(f"item:{item['type']}")
    if "part" in event:
        found.add(f"part:{event['part']['type']}")
    return found


def check_server(raw: str | bytes) -> Any:
    """Validate one raw emulator frame as the SDK's ``RealtimeServerEvent``."""
    original = json.loads(raw)
    body = copy.deepcopy(original)
    if body["type"] in ("session.created", "session.updated"):
        full = body["session"]
        sdk_check(SERVER_SESSION, full)
        assert full["object"] == "realtime.session" and full["id"].startswith("sess_")
        assert isinstance(full["expires_at"], int)
        for key in SERVER_ONLY_SESSION_KEYS:
            del full[key]
    event = sdk_check(SERVER_EVENT, body)
    assert event.type == original["type"] and event.event_id.startswith("event_")
    return event


class RawClient:
    """Sends realtalk-encoded events and validates every raw frame received."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.frames: list[dict[str, Any]] = []
        self.models: list[Any] = []

    async def send(self, data: bytes | str) -> None:
        await self.conn.send(data, text=True)

    async def recv(self) -> dict[str, Any]:
        async with asyncio.timeout(WAIT):
            raw = await self.conn.recv()
        assert isinstance(raw, str), "OpenAI events travel in text frames"
        self.models.append(check_server(raw))
        self.frames.append(json.loads(raw))
        return self.frames[-1]

    async def until(self, kind: str) -> list[dict[str, Any]]:
        """Receive events up to and including the first of type ``kind``."""
        got = []
        while True:
            got.append(await self.recv())
            if got[-1]["type"] == kind:
                return got

    async def response(self) -> list[dict[str, Any]]:
        """Receive through ``response.done`` and the ``rate_limits.updated`` after it."""
        got = await self.until("response.done")
        got.append(await self.recv())
        assert got[-1]["type"] == "rate_limits.updated"
        return got

    async def update(self, session: wire.Session) -> dict[str, Any]:
        await self.send(codec.encode_session_update(session))
        return (await self.until("session.updated"))[-1]

    async def say(self, text: str, **options: Any) -> list[dict[str, Any]]:
        """A user text, ``response.create`` (with ``options``); the response's events."""
        await self.send(codec.encode_user_text(text))
        await self.until("conversation.item.done")
        params = wire.ResponseCreateParams(**options) if options else None
        await self.send(codec.encode_response_create(params))
        return await self.response()

    async def append(self, pcm: bytes, chunk_ms: int = 40) -> None:
        step = RATE * 2 * chunk_ms // 1000
        for i in range(0, len(pcm), step):
            await self.send(codec.encode_input_audio_buffer_append(pcm[i : i + step]))


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def joined(events: list[dict[str, Any]], kind: str, key: str = "delta") -> str:
    return "".join(e[key] for e in events if e["type"] == kind)


Opener = Callable[[], Awaitable[RawClient]]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    scenario = Scenario(
        input_transcripts=[HEARD] * 8,
        turns=[Turn(match="long", reply=LONG_REPLY, chunk_delay=0.005)],
    )
    async with Emulator(scenario) as emulator:
        yield emulator


@pytest.fixture
async def open_client(emu: Emulator) -> AsyncIterator[Opener]:
    clients: list[RawClient] = []

    async def opener() -> RawClient:
        url = emu.endpoint_url("openai") + f"?model={MODEL}"
        conn = await WebSocketConnector()(url, {"Authorization": "Bearer test"})
        client = RawClient(conn)
        clients.append(client)
        assert (await client.recv())["type"] == "session.created"
        return client

    yield opener
    for client in clients:
        await client.conn.close()
    for record, client in zip(emu.connections, clients, strict=True):
        async with asyncio.timeout(WAIT):
            await record.wait_closed()
        assert record.error is None, record.error
        # everything the emulator sent was received and validated, in order
        assert record.sent == types(client.frames)


# -- scenarios ---------------------------------------------------------------------------


async def text_turns(client: RawClient) -> None:
    await client.update(wire.Session(type="realtime", output_modalities=["text"]))
    events = await client.say("hello")
    assert joined(events, "response.output_text.delta") == "You said: hello"
    assert events[-2]["response"]["status"] == "completed"
    # out of band, with metadata: not written to the conversation (§4.9)
    events = await client.say("aside", conversation="none", metadata={"purpose": "test"})
    done = events[-2]["response"]
    assert done["conversation_id"] is None and done["metadata"] == {"purpose": "test"}
    # cut at max_output_tokens: incomplete (§3.5)
    events = await client.say("a longer sentence to cut short", max_output_tokens=2)
    assert events[-2]["response"]["status_details"]["reason"] == "max_output_tokens"
    # an image from the user
    await client.send(codec.encode_input_image(b"\x89PNG\r\n\x1a\n", "image/png", "low"))
    added = (await client.until("conversation.item.done"))[0]
    assert added["item"]["content"][0]["type"] == "input_image"


async def audio_turn(client: RawClient) -> None:
    session = wire.Session(
        type="realtime",
        output_modalities=["audio"],
        audio=wire.SessionAudio(
            input=wire.AudioInput(transcription=wire.InputTranscription(model="whisper-1"))
        ),
    )
    await client.update(session)
    await client.append(SPEECH)
    events = await client.response()
    kinds = types(events)
    assert kinds[:3] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]
    assert joined(events, "conversation.item.input_audio_transcription.delta") == HEARD
    assert joined(events, "response.output_audio_transcript.delta") == f"You said: {HEARD}"
    assistant = events[-2]["response"]["output"][0]
    # retrieve (with audio), truncate (§6.6) and delete the assistant item
    await client.send(codec.encode_conversation_item_retrieve(assistant["id"]))
    retrieved = (await client.until("conversation.item.retrieved"))[-1]
    assert retrieved["item"]["content"][0]["audio"]
    await client.send(codec.encode_conversation_item_truncate(assistant["id"], 0, 100))
    truncated = (await client.until("conversation.item.truncated"))[-1]
    assert truncated["audio_end_ms"] == 100
    await client.send(codec.encode_conversation_item_delete(assistant["id"]))
    assert (await client.until("conversation.item.deleted"))[-1]["item_id"] == assistant["id"]


async def manual_turn(client: RawClient) -> None:
    session = wire.Session(
        type="realtime",
        output_modalities=["text"],
        audio=wire.SessionAudio(input=wire.AudioInput(turn_detection=None)),
    )
    await client.update(session)
    await client.append(tone(220, 0.2, RATE))
    await client.send(codec.encode_input_audio_buffer_clear())
    await client.until("input_audio_buffer.cleared")
    await client.append(tone(220, 0.3, RATE))
    await client.send(codec.encode_input_audio_buffer_commit())
    await client.until("conversation.item.done")
    await client.send(codec.encode_response_create())
    events = await client.response()
    assert joined(events, "response.output_text.delta").startswith("You said: ")


async def function_call(client: RawClient) -> None:
    await client.update(wire.Session(type="realtime", output_modalities=["text"], tools=[WEATHER]))
    events = await client.say('call get_weather {"city": "Oslo"}')
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert (done["name"], json.loads(done["arguments"])) == ("get_weather", {"city": "Oslo"})
    await client.send(codec.encode_function_call_output(done["call_id"], '{"temp_c": 4}'))
    added = (await client.until("conversation.item.done"))[0]
    assert added["item"]["type"] == "function_call_output"
    await client.send(codec.encode_response_create())
    events = await client.response()
    assert joined(events, "response.output_text.delta") == 'get_weather returned {"temp_c":4}'


async def cancels(client: RawClient) -> None:
    await client.update(wire.Session(type="realtime", output_modalities=["audio"]))
    await client.send(codec.encode_user_text("long"))
    await client.until("conversation.item.done")
    await client.send(codec.encode_response_create())
    await client.until("response.output_audio.delta")
    await client.send(codec.encode_response_cancel())
    done = (await client.response())[-2]["response"]
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    # barge-in: speech while the model talks (§6.6)
    await client.send(codec.encode_user_text("long"))
    await client.until("conversation.item.done")
    await client.send(codec.encode_response_create())
    await client.until("response.output_audio.delta")
    await client.append(tone(220, 0.3, RATE))
    events = await client.response()
    assert "input_audio_buffer.speech_started" in types(events)
    assert events[-2]["response"]["status_details"]["reason"] == "turn_detected"


async def errors(client: RawClient) -> None:
    await client.send(codec.encode_response_cancel(event_id="evt_c"))
    error = (await client.until("error"))[-1]["error"]
    assert (error["code"], error["event_id"]) == ("response_cancel_not_active", "evt_c")
    await client.send('{"type": "scooby.dooby.doo", "event_id": "evt_u"}')
    error = (await client.until("error"))[-1]["error"]
    assert (error["param"], error["event_id"]) == ("type", "evt_u")
    await client.send(codec.encode_conversation_item_delete("item_missing"))
    await client.until("error")
    await client.update(
        wire.Session(
            type="realtime", audio=wire.SessionAudio(input=wire.AudioInput(turn_detection=None))
        )
    )
    await client.send(codec.encode_input_audio_buffer_commit())
    assert (await client.until("error"))[-1]["error"]["code"] == "input_audio_buffer_commit_empty"


SCENARIOS: dict[str, Callable[[RawClient], Awaitable[None]]] = {
    "text": text_turns,
    "audio-vad": audio_turn,
    "manual": manual_turn,
    "function-call": function_call,
    "cancel": cancels,
    "error": errors,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_scenario_frames_validate(name: str, open_client: Opener) -> None:
    client = await open_client()
    await SCENARIOS[name](client)
    assert len(client.models) == len(client.frames) > 2


async def test_every_kind_is_seen_and_valid(open_client: Opener) -> None:
    seen: set[str] = set()
    for scenario in SCENARIOS.values():
        client = await open_client()
        await scenario(client)
        for frame in client.frames:
            seen |= kinds_of(frame)
    assert ALL_KINDS - seen == set()
    assert seen - ALL_KINDS == set(), "a kind the emulator sends is not listed in ALL_KINDS"


async def test_sdk_models_carry_the_values(open_client: Opener) -> None:
    """The SDK reads the values the emulator meant (typed access, not just validity)."""
    client = await open_client()
    await function_call(client)
    by_type: dict[str, list[Any]] = {}
    for model in client.models:
        by_type.setdefault(model.type, []).append(model)
    session = by_type["session.updated"][0].session
    assert isinstance(session, rt.RealtimeSessionCreateRequest)
    assert session.tools[0].name == "get_weather" and session.output_modalities == ["text"]
    call_done = by_type["response.output_item.done"][0]
    assert isinstance(call_done.item, rt.RealtimeConversationItemFunctionCall)
    assert call_done.item.status == "completed" and call_done.item.call_id.startswith("call_")
    final = by_type["response.done"][-1].response
    assert isinstance(final, rt.RealtimeResponse) and final.status == "completed"
    usage = final.usage
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens > 0
    assert isinstance(by_type["rate_limits.updated"][0], rt.RateLimitsUpdatedEvent)
