"""The official google-genai async live client holds conversations with the emulator.

The emulator serves ``wss://`` on 127.0.0.1 (``tls=True``); the SDK always uses
``wss://`` and is made to trust the emulator's throwaway CA through its public
``HttpOptions.async_client_args["ssl"]`` (see conftest). The SDK sends snake_case
keys and URL-safe base64 (gemini-live.md §2.3) and parses every server message
with its own types, so these tests check both directions end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from google.genai import types

from realtalk.audio import silence, synthesize, tone
from realtalk.emulator import Emulator

from .conftest import WAIT, sdk_client

MODEL = "gemini-live-2.5-flash-preview"
VERTEX_MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-live-test"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(tls=True) as emulator:
        yield emulator
        for record in emulator.connections:
            async with asyncio.timeout(WAIT):
                await record.wait_closed()
            assert record.error is None, record.error


def client_for(emu: Emulator, *, vertex: bool = False) -> Any:
    assert emu.url.startswith("wss://") and emu.ca_file is not None
    context = ssl.create_default_context(cafile=str(emu.ca_file))
    return sdk_client(emu.port, context, vertex=vertex)


def user(text: str) -> Any:
    return types.Content(role="user", parts=[types.Part(text=text)])


ToolHandler = Callable[[Any], Awaitable[None]]


async def receive_turn(session: Any, on_tool_call: ToolHandler | None = None) -> list[Any]:
    """Messages of one turn, through ``turn_complete`` (``session.receive()`` stops there)."""
    messages: list[Any] = []
    async with asyncio.timeout(WAIT):
        async for message in session.receive():
            messages.append(message)
            if message.tool_call is not None:
                assert on_tool_call is not None, message
                await on_tool_call(message.tool_call)
    assert messages and messages[-1].server_content.turn_complete is True
    return messages


async def next_handle(session: Any) -> Any:
    """Receive up to the next resumption update that carries a handle."""
    async with asyncio.timeout(WAIT), contextlib.aclosing(session.receive()) as stream:
        async for message in stream:
            update = message.session_resumption_update
            if update is not None and update.new_handle:
                return update
    raise AssertionError("the turn ended without a resumption update")


def text_of(messages: list[Any]) -> str:
    return "".join(m.text or "" for m in messages if m.server_content)


async def test_text_turn(emu: Emulator) -> None:
    client = client_for(emu)
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT])
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        assert session.session_id  # from setupComplete.sessionId
        await session.send_client_content(turns=user("hello"))
        messages = await receive_turn(session)
        assert text_of(messages) == "You said: hello"
        final = messages[-1]
        assert final.usage_metadata.response_token_count > 0
        assert final.usage_metadata.total_token_count == (
            final.usage_metadata.prompt_token_count + final.usage_metadata.response_token_count
        )
        assert any(m.server_content.generation_complete for m in messages if m.server_content)

        await session.send_client_content(turns=user("and again"))
        assert text_of(await receive_turn(session)) == "You said: and again"
    record = emu.connections[0]
    assert record.platform == "ai_studio"
    assert record.setup is not None and record.setup.model == f"models/{MODEL}"
    assert record.kinds() == ["setup", "client_content", "client_content"]


async def test_tool_call_round_trip(emu: Emulator) -> None:
    client = client_for(emu)
    declaration = types.FunctionDeclaration(
        name="get_weather",
        description="Current weather in a city",
        parameters=types.Schema(
            type=types.Type.OBJECT,
            properties={"city": types.Schema(type=types.Type.STRING)},
            required=["city"],
        ),
    )
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        tools=[types.Tool(function_declarations=[declaration])],
    )
    calls: list[Any] = []
    result = {"output": {"tempC": 21, "sky": "clear"}}

    async def answer(tool_call: Any) -> None:
        for call in tool_call.function_calls:
            calls.append(call)
            await session.send_tool_response(
                function_responses=[
                    types.FunctionResponse(id=call.id, name=call.name, response=result)
                ]
            )

    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_client_content(turns=user('call get_weather {"city": "Paris"}'))
        messages = await receive_turn(session, answer)
    assert len(calls) == 1
    assert calls[0].name == "get_weather"
    assert calls[0].args == {"city": "Paris"}
    assert calls[0].id
    assert text_of(messages) == f"get_weather returned {json.dumps(result, separators=(',', ':'))}"
    record = emu.connections[0]
    assert record.kinds() == ["setup", "client_content", "tool_response"]
    assert record.log[-1].text == 'get_weather {"output":{"tempC":21,"sky":"clear"}}'


async def test_session_resumption(emu: Emulator) -> None:
    client = client_for(emu)
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        session_resumption=types.SessionResumptionConfig(),
    )
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        first = await next_handle(session)  # sent right after setupComplete
        assert first.resumable is True
        await session.send_client_content(turns=user("remember me"))
        assert text_of(await receive_turn(session)) == "You said: remember me"
        update = await next_handle(session)
    assert update.resumable is True
    assert update.new_handle != first.new_handle

    resumed = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        session_resumption=types.SessionResumptionConfig(handle=update.new_handle),
    )
    async with client.aio.live.connect(model=MODEL, config=resumed) as session:
        await session.send_client_content(turns=user("still there?"))
        assert text_of(await receive_turn(session)) == "You said: still there?"
    assert emu.connections[1].resumed_from == update.new_handle
    assert [e.text for e in emu.connections[1].history] == [
        "remember me",
        "You said: remember me",
        "still there?",
        "You said: still there?",
    ]


async def test_audio_turn_with_transcriptions(emu: Emulator) -> None:
    client = client_for(emu)
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
    )
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_client_content(turns=user("hello"))
        messages = await receive_turn(session)
        audio = b"".join(m.data for m in messages if m.data)
        assert audio == synthesize("You said: hello", 24000)
        blobs = [
            p.inline_data
            for m in messages
            if m.server_content and m.server_content.model_turn
            for p in m.server_content.model_turn.parts
        ]
        assert {b.mime_type for b in blobs} == {"audio/pcm;rate=24000"}
        heard = [
            m.server_content.output_transcription
            for m in messages
            if m.server_content and m.server_content.output_transcription
        ]
        assert "".join(t.text for t in heard) == "You said: hello"
        assert heard[-1].finished is True

        # user audio from the SDK: snake_case realtime_input, URL-safe base64
        pcm = tone(220, 0.3) + silence(0.6)
        await session.send_realtime_input(
            audio=types.Blob(data=pcm, mime_type="audio/pcm;rate=16000")
        )
        messages = await receive_turn(session)
        said = "".join(
            m.server_content.input_transcription.text
            for m in messages
            if m.server_content and m.server_content.input_transcription
        )
        assert said == "(audio 0.3 s)"
        assert b"".join(m.data for m in messages if m.data) == synthesize(
            "You said: (audio 0.3 s)", 24000
        )
    assert emu.connections[0].kinds() == ["setup", "client_content", "audio"]


async def test_vertex_express_mode(emu: Emulator) -> None:
    """The SDK's Vertex path: its usage renaming and transparent resumption."""
    client = client_for(emu, vertex=True)
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        session_resumption=types.SessionResumptionConfig(transparent=True),
    )
    async with client.aio.live.connect(model=VERTEX_MODEL, config=config) as session:
        first = await next_handle(session)
        assert first.last_consumed_client_message_index == 0  # the setup
        await session.send_client_content(turns=user("hello"))
        messages = await receive_turn(session)
        assert text_of(messages) == "You said: hello"
        usage = messages[-1].usage_metadata
        assert usage.response_token_count > 0  # candidatesTokenCount on the wire
        assert usage.traffic_type == types.TrafficType.ON_DEMAND
        update = await next_handle(session)
        assert update.last_consumed_client_message_index == 1
    record = emu.connections[0]
    assert record.platform == "vertex"
    assert record.setup is not None and record.setup.model == VERTEX_MODEL


async def test_realtime_input_variants(emu: Emulator) -> None:
    """Manual VAD signals, audioStreamEnd, realtime text and the deprecated ``media``."""
    client = client_for(emu)
    manual = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(disabled=True)
        ),
    )
    async with client.aio.live.connect(model=MODEL, config=manual) as session:
        await session.send_realtime_input(activity_start=types.ActivityStart())
        await session.send_realtime_input(
            audio=types.Blob(data=tone(220, 0.5), mime_type="audio/pcm;rate=16000")
        )
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        assert text_of(await receive_turn(session)) == "You said: (audio 0.5 s)"

    automatic = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT])
    async with client.aio.live.connect(model=MODEL, config=automatic) as session:
        await session.send_realtime_input(
            audio=types.Blob(data=tone(220, 0.4), mime_type="audio/pcm;rate=16000")
        )
        await session.send_realtime_input(audio_stream_end=True)  # flushes the open utterance
        assert text_of(await receive_turn(session)) == "You said: (audio 0.4 s)"
        await session.send_realtime_input(text="typed words")
        assert text_of(await receive_turn(session)) == "You said: typed words"
        await session.send_realtime_input(
            media=types.Blob(data=tone(220, 0.3) + silence(0.6), mime_type="audio/pcm;rate=16000")
        )
        assert text_of(await receive_turn(session)) == "You said: (audio 0.3 s)"
    assert [record.kinds() for record in emu.connections] == [
        ["setup", "activity_start", "audio", "activity_end"],
        ["setup", "audio", "audio_stream_end", "text", "audio"],
    ]


async def test_non_blocking_tool_and_context_update(emu: Emulator) -> None:
    """``willContinue`` and ``scheduling`` from the SDK, then tools replaced mid-session."""
    client = client_for(emu)
    timer = types.FunctionDeclaration(name="timer", behavior=types.Behavior.NON_BLOCKING)
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        tools=[types.Tool(function_declarations=[timer])],
    )
    calls: list[Any] = []

    async def remember(tool_call: Any) -> None:
        calls.extend(tool_call.function_calls)

    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_client_content(turns=user('call timer {"seconds": 5}'))
        assert text_of(await receive_turn(session, remember)) == "Started timer."
        (call,) = calls
        assert (call.name, call.args) == ("timer", {"seconds": 5})
        for output, more in (("tick", True), ("done", False)):
            await session.send_tool_response(
                function_responses=[
                    types.FunctionResponse(
                        id=call.id,
                        name="timer",
                        response={"output": output},
                        will_continue=more,
                        scheduling=types.FunctionResponseScheduling.WHEN_IDLE,
                    )
                ]
            )
            reply = text_of(await receive_turn(session))
            assert reply == f'timer returned {{"output":"{output}"}}'

        await session.send_context_update(
            system_instruction="Be terse.",
            tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="other")])],
        )
        await session.send_client_content(turns=user("call timer {}"))  # no longer declared
        assert text_of(await receive_turn(session)) == "You said: call timer {}"
    assert emu.connections[0].kinds() == [
        "setup",
        "client_content",
        "tool_response",
        "tool_response",
        "context_update",
        "client_content",
    ]
