"""Every kind of message the emulator sends is a valid google-genai ``LiveServerMessage``.

A raw client (realtalk's ``WebSocketConnector`` and codec encoders, real sockets
on 127.0.0.1) drives the emulator through conversations that produce every kind
of server message of gemini-live.md §5, on AI Studio and Vertex paths, and keeps
the raw frames. Each frame is validated with ``LiveServerMessage.model_validate``
(unknown keys and enum values are errors), dumped back and compared with the
frame modulo §2.3 representation choices (:func:`canonical`), and the tests
below check the values the SDK sees for each kind.

Vertex sends the GenerateContent usage names (``candidatesTokenCount``, §5.7);
the SDK renames them on its Vertex receive path, so Vertex frames are validated
after the same renaming (the SDK's own Vertex path is exercised end to end in
test_official_client.py).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from google.genai import types

from realtalk.audio import silence, tone
from realtalk.emulator import Emulator, Fault, Scenario, ToolCallStep, Turn
from realtalk.protocol.gemini import codec, wire
from realtalk.transport import Connection

from .conftest import WAIT, canonical, sdk_dump, strict_enums

AI_STUDIO_MODEL = "models/gemini-live-test"
VERTEX_MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-live-test"
HEARD = "what is the weather"
LONG_REPLY = "A long answer that leaves plenty of time to interrupt it, chunk by chunk."
VERTEX_USAGE_NAMES = {
    "candidatesTokenCount": "responseTokenCount",
    "candidatesTokensDetails": "responseTokensDetails",
}

#: Every kind of server message the emulator must be seen sending.
ALL_KINDS = frozenset(
    {
        "setupComplete",
        "modelTurn.text",
        "modelTurn.inlineData",
        "inputTranscription",
        "outputTranscription",
        "generationComplete",
        "turnComplete",
        "interrupted",
        "usageMetadata.ai_studio",
        "usageMetadata.vertex",
        "toolCall",
        "toolCallCancellation",
        "goAway",
        "sessionResumptionUpdate",
        "sessionResumptionUpdate.lastConsumedClientMessageIndex",
    }
)


def kinds_of(message: dict[str, Any]) -> set[str]:
    """The kinds (as in :data:`ALL_KINDS`) one raw server message carries."""
    found = {key for key in message if key not in ("serverContent", "usageMetadata")}
    content = message.get("serverContent", {})
    for key, value in content.items():
        if key == "modelTurn":
            found.update(f"modelTurn.{k}" for part in value["parts"] for k in part)
        else:
            found.add(key)
    usage = message.get("usageMetadata")
    if usage is not None:
        found.add(
            "usageMetadata.vertex" if "candidatesTokenCount" in usage else "usageMetadata.ai_studio"
        )
    update = message.get("sessionResumptionUpdate", {})
    if "lastConsumedClientMessageIndex" in update:
        found.add("sessionResumptionUpdate.lastConsumedClientMessageIndex")
    return found


def validate(frame: str | bytes, platform: str) -> Any:
    """Validate one raw emulator frame as the SDK's ``LiveServerMessage``."""
    original = json.loads(frame)
    body = copy.deepcopy(original)
    if platform == "vertex" and "usageMetadata" in body:
        usage = body["usageMetadata"]
        body["usageMetadata"] = {VERTEX_USAGE_NAMES.get(k, k): v for k, v in usage.items()}
    with strict_enums():
        message = types.LiveServerMessage.model_validate(body)
        assert types.LiveServerMessage.model_validate_json(json.dumps(body)) == message
    assert canonical(sdk_dump(message)) == canonical(body)
    return message


# -- driving the emulator --------------------------------------------------------------


@dataclass
class Frame:
    """One raw frame the emulator sent, with the connection's platform."""

    platform: str
    raw: str | bytes
    message: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.message = json.loads(self.raw)

    @property
    def kinds(self) -> set[str]:
        return kinds_of(self.message)


class RawClient:
    """Sends realtalk-encoded frames and keeps every raw frame received."""

    def __init__(self, conn: Connection, platform: str, frames: list[Frame]) -> None:
        self.conn = conn
        self.platform = platform
        self.frames = frames

    async def send(self, data: bytes) -> None:
        await self.conn.send(data, text=True)

    async def text(self, text: str) -> None:
        turn = wire.Content(role="user", parts=[wire.Part(text=text)])
        await self.send(codec.encode_client_content([turn], True))

    async def until(self, predicate: Callable[[dict[str, Any]], bool]) -> list[Frame]:
        """Receive frames up to and including the first matching ``predicate``."""
        got: list[Frame] = []
        while True:
            async with asyncio.timeout(WAIT):
                frame = Frame(self.platform, await self.conn.recv())
            self.frames.append(frame)
            got.append(frame)
            if predicate(frame.message):
                return got

    async def until_kind(self, kind: str) -> list[Frame]:
        return await self.until(lambda m: kind in kinds_of(m))

    async def turn_then_handle(self) -> list[Frame]:
        """Receive through ``turnComplete`` and the resumption update with a handle after it."""
        got = await self.until_kind("turnComplete")
        got += await self.until(
            lambda m: bool(m.get("sessionResumptionUpdate", {}).get("newHandle"))
        )
        return got


def _scenario() -> Scenario:
    return Scenario(
        turns=[
            Turn(
                match="^cancel",
                tool_calls=[
                    ToolCallStep("get_weather", {"city": "Oslo"}, id="call-cancel", cancel_after=0)
                ],
                reply="Never mind.",
            ),
            Turn(match="^long$", reply=LONG_REPLY, chunk_delay=0.05),
        ],
        input_transcripts=[HEARD],
        faults=[Fault(kind="go_away", at_turn=1, seconds=30)],
    )


async def _ai_studio_conversation(emu: Emulator, frames: list[Frame]) -> None:
    """AUDIO modality: audio turn, tool call, cancellation, barge-in, goAway."""
    conn = await emu.connector()(emu.endpoint_url("ai_studio"), {"x-goog-api-key": "k"})
    client = RawClient(conn, "ai_studio", frames)
    setup = wire.Setup(
        model=AI_STUDIO_MODEL,
        generation_config=wire.GenerationConfig(response_modalities=["AUDIO"]),
        tools=[wire.Tool(function_declarations=[wire.FunctionDeclaration(name="get_weather")])],
        session_resumption=wire.SessionResumptionConfig(),
        input_audio_transcription=wire.AudioTranscriptionConfig(),
        output_audio_transcription=wire.AudioTranscriptionConfig(),
    )
    try:
        await client.send(codec.encode_setup(setup))
        await client.until_kind("setupComplete")
        await client.until_kind("sessionResumptionUpdate")
        # 1: an audio turn (transcripts, audio, goAway from the at_turn=1 fault)
        pcm = tone(220, 0.3) + silence(0.6)
        for offset in range(0, len(pcm), 1280):
            await client.send(codec.encode_audio(pcm[offset : offset + 1280]))
        await client.turn_then_handle()
        # 2: a blocking tool call, answered
        await client.text('call get_weather {"city": "Paris"}')
        calls = await client.until_kind("toolCall")
        call_id = calls[-1].message["toolCall"]["functionCalls"][0]["id"]
        response = wire.FunctionResponse(id=call_id, name="get_weather", response={"output": 21})
        await client.send(codec.encode_tool_response([response]))
        await client.turn_then_handle()
        # 3: a call the server withdraws
        await client.text("cancel it")
        await client.turn_then_handle()
        # 4: barge-in on a long answer
        await client.text("long")
        await client.until_kind("modelTurn.inlineData")
        await client.text("stop")
        await client.until_kind("interrupted")
        await client.until_kind("turnComplete")  # the interrupted turn ends; "stop" is queued
        await client.turn_then_handle()  # the answer to "stop"
    finally:
        await conn.close()


async def _vertex_conversation(emu: Emulator, frames: list[Frame]) -> None:
    """TEXT modality on Vertex with transparent resumption."""
    url = emu.endpoint_url("vertex")
    conn = await emu.connector()(url, {"authorization": "Bearer token"})
    client = RawClient(conn, "vertex", frames)
    setup = wire.Setup(
        model=VERTEX_MODEL,
        generation_config=wire.GenerationConfig(response_modalities=["TEXT"]),
        session_resumption=wire.SessionResumptionConfig(transparent=True),
    )
    try:
        await client.send(codec.encode_setup(setup))
        await client.until_kind("setupComplete")
        await client.until_kind("sessionResumptionUpdate")
        await client.text("hello")
        await client.turn_then_handle()
    finally:
        await conn.close()


async def _converse() -> list[Frame]:
    frames: list[Frame] = []
    async with Emulator(_scenario()) as emu:
        await _ai_studio_conversation(emu, frames)
        await _vertex_conversation(emu, frames)
        for record in emu.connections:
            await record.wait_closed()
            assert record.error is None, record.error
    return frames


@pytest.fixture(scope="module")
def frames() -> list[Frame]:
    """Every raw frame the emulator sent in both conversations (run once per module)."""
    return asyncio.run(_converse())


def of_kind(frames: list[Frame], kind: str) -> list[Frame]:
    selected = [f for f in frames if kind in f.kinds]
    assert selected, f"the emulator never sent {kind}"
    return selected


# -- the tests -------------------------------------------------------------------------


def test_every_kind_was_sent(frames: list[Frame]) -> None:
    seen = set().union(*(f.kinds for f in frames))
    assert seen >= ALL_KINDS, sorted(ALL_KINDS - seen)


def test_every_frame_validates(frames: list[Frame]) -> None:
    for frame in frames:
        assert isinstance(frame.raw, bytes), "server frames are binary (§2.1)"
        validate(frame.raw, frame.platform)


def test_setup_complete(frames: list[Frame]) -> None:
    first = [f for f in frames if "setupComplete" in f.kinds]
    assert [f.platform for f in first] == ["ai_studio", "vertex"]
    for frame in first:
        message = validate(frame.raw, frame.platform)
        assert isinstance(message.setup_complete, types.LiveServerSetupComplete)
        assert message.setup_complete.session_id


def test_text_model_turn(frames: list[Frame]) -> None:
    messages = [validate(f.raw, f.platform) for f in of_kind(frames, "modelTurn.text")]
    assert all(m.server_content.model_turn.role == "model" for m in messages)
    assert "".join(m.text for m in messages) == "You said: hello"


def test_audio_model_turn(frames: list[Frame]) -> None:
    for frame in of_kind(frames, "modelTurn.inlineData"):
        message = validate(frame.raw, frame.platform)
        blob = message.server_content.model_turn.parts[0].inline_data
        assert blob.mime_type == "audio/pcm;rate=24000"
        assert message.data == blob.data
        assert len(blob.data) > 0 and len(blob.data) % 2 == 0
        raw = frame.message["serverContent"]["modelTurn"]["parts"][0]["inlineData"]
        assert blob.data == canonical(raw)["data"]
        assert not set(raw["data"]) & set("-_")  # server output uses standard base64 (§2.3)


def test_input_transcription(frames: list[Frame]) -> None:
    messages = [validate(f.raw, f.platform) for f in of_kind(frames, "inputTranscription")]
    transcripts = [m.server_content.input_transcription for m in messages]
    assert "".join(t.text for t in transcripts) == HEARD
    assert transcripts[-1].finished is True


def test_output_transcription(frames: list[Frame]) -> None:
    messages = [validate(f.raw, f.platform) for f in of_kind(frames, "outputTranscription")]
    text = "".join(m.server_content.output_transcription.text for m in messages)
    assert text.startswith(f"You said: {HEARD}")
    assert any(m.server_content.output_transcription.finished for m in messages)


def test_generation_and_turn_complete(frames: list[Frame]) -> None:
    for frame in of_kind(frames, "generationComplete"):
        assert validate(frame.raw, frame.platform).server_content.generation_complete is True
    completes = of_kind(frames, "turnComplete")
    for frame in completes:
        message = validate(frame.raw, frame.platform)
        assert message.server_content.turn_complete is True
        assert message.usage_metadata is not None  # usage rides on turnComplete (§5.7)
    assert len(completes) == 6  # five AI Studio user turns (one interrupted) + one Vertex


def test_interrupted_turn(frames: list[Frame]) -> None:
    (frame,) = of_kind(frames, "interrupted")
    assert validate(frame.raw, frame.platform).server_content.interrupted is True
    after = frames[frames.index(frame) :]
    end = next(i for i, f in enumerate(after) if "turnComplete" in f.kinds)
    assert not any("generationComplete" in f.kinds for f in after[:end])  # §6.1


def test_usage_metadata_ai_studio(frames: list[Frame]) -> None:
    for frame in of_kind(frames, "usageMetadata.ai_studio"):
        usage = validate(frame.raw, frame.platform).usage_metadata
        assert frame.platform == "ai_studio"
        assert usage.response_token_count > 0
        assert usage.total_token_count == usage.prompt_token_count + usage.response_token_count
        assert all(isinstance(d.modality, types.MediaModality) for d in usage.prompt_tokens_details)
        assert frame.message["usageMetadata"]["responseTokenCount"] == usage.response_token_count


def test_usage_metadata_vertex(frames: list[Frame]) -> None:
    (frame,) = of_kind(frames, "usageMetadata.vertex")
    raw = frame.message["usageMetadata"]
    assert "responseTokenCount" not in raw
    usage = validate(frame.raw, "vertex").usage_metadata
    assert usage.response_token_count == raw["candidatesTokenCount"] > 0
    assert usage.response_tokens_details == [
        types.ModalityTokenCount(
            modality=types.MediaModality.TEXT, token_count=usage.response_token_count
        )
    ]
    assert usage.traffic_type == types.TrafficType.ON_DEMAND


def test_tool_call(frames: list[Frame]) -> None:
    calls = [
        validate(f.raw, f.platform).tool_call.function_calls[0] for f in of_kind(frames, "toolCall")
    ]
    assert [(c.name, c.args) for c in calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Oslo"}),
    ]
    assert calls[0].id and calls[1].id == "call-cancel"
    assert "returned" in "".join(
        f.message["serverContent"]["outputTranscription"]["text"]
        for f in frames
        if "outputTranscription" in f.kinds
    )


def test_tool_call_cancellation(frames: list[Frame]) -> None:
    (frame,) = of_kind(frames, "toolCallCancellation")
    message = validate(frame.raw, frame.platform)
    assert message.tool_call_cancellation.ids == ["call-cancel"]


def test_go_away(frames: list[Frame]) -> None:
    (frame,) = of_kind(frames, "goAway")
    message = validate(frame.raw, frame.platform)
    assert message.go_away.time_left == "30s"


def test_session_resumption_update(frames: list[Frame]) -> None:
    updates = [
        validate(f.raw, f.platform).session_resumption_update
        for f in of_kind(frames, "sessionResumptionUpdate")
    ]
    resumable = [u for u in updates if u.resumable]
    assert resumable and all(u.new_handle for u in resumable)
    assert len({u.new_handle for u in resumable}) == len(resumable)  # a fresh handle each time
    assert any(u.resumable is False and u.new_handle is None for u in updates)  # mid-turn


def test_last_consumed_client_message_index(frames: list[Frame]) -> None:
    selected = of_kind(frames, "sessionResumptionUpdate.lastConsumedClientMessageIndex")
    assert {f.platform for f in selected} == {"vertex"}
    raw = [f.message["sessionResumptionUpdate"]["lastConsumedClientMessageIndex"] for f in selected]
    assert raw == ["0", "1"]  # int64 as JSON strings; the setup is index 0 (§5.6)
    indices = [
        validate(f.raw, f.platform).session_resumption_update.last_consumed_client_message_index
        for f in selected
    ]
    assert indices == [0, 1]


@pytest.mark.parametrize(
    ("frame", "platform"),
    [
        (b'{"serverContent":{"turnComplete":true,"turnCompleted":true}}', "ai_studio"),
        (b'{"goAway":{"timeLeft":50}}', "ai_studio"),  # a Duration is a string (§2.3)
        (b'{"sessionResumptionUpdate":{"lastConsumedClientMessageIndex":"x1"}}', "vertex"),
        (b'{"usageMetadata":{"candidatesTokenCount":3}}', "ai_studio"),  # Vertex name
        (b'{"serverContent":{"turnCompleteReason":"BORED"}}', "ai_studio"),
        (b'{"toolCall":{"functionCalls":[{"id":"a","name":"n","args":"x"}]}}', "ai_studio"),
    ],
)
def test_validation_rejects_bad_frames(frame: bytes, platform: str) -> None:
    """The checks above can fail: unknown names, wrong types and enum values are rejected."""
    with pytest.raises((ValueError, UserWarning)):  # pydantic.ValidationError is a ValueError
        validate(frame, platform)
