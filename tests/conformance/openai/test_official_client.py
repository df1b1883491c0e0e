"""The official ``openai`` async Realtime client holds conversations with the emulator.

``AsyncOpenAI(websocket_base_url="ws://127.0.0.1:PORT/v1")`` is the SDK's public
setting for the WebSocket endpoint: ``client.realtime.connect(model=...)`` appends
``/realtime`` and ``?model=`` (``resources/realtime/realtime.py``, ``_prepare_url``)
and sends ``Authorization: Bearer <api_key>``. The SDK builds its own frames from its
typed params and parses every server event into its models, so these tests check
both directions end to end (openai-realtime.md §6.1, §6.4, §6.5).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai import AsyncOpenAI
from openai import _websocket_connection as websocket_connection

from realtalk.emulator import Emulator

from .conftest import MODEL, WAIT, check_client


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator
        for record in emulator.connections:
            async with asyncio.timeout(WAIT):
                await record.wait_closed()
            assert record.error is None, record.error


def client_for(emu: Emulator) -> AsyncOpenAI:
    assert emu.url.startswith("ws://127.0.0.1:")
    return AsyncOpenAI(
        api_key="test",
        base_url=emu.url.replace("ws://", "http://") + "/v1",  # never used: no REST calls
        websocket_base_url=emu.url + "/v1",
        max_retries=0,
    )


async def receive_response(connection: Any) -> list[Any]:
    """Events through ``response.done`` (the SDK's parsed models)."""
    events: list[Any] = []
    async with asyncio.timeout(WAIT):
        while True:
            event = await connection.recv()
            assert event.type != "error", event
            events.append(event)
            if event.type == "response.done":
                return events


def text_of(events: list[Any]) -> str:
    return "".join(e.delta for e in events if e.type == "response.output_text.delta")


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def test_text_turn(emu: Emulator) -> None:
    async with client_for(emu).realtime.connect(model=MODEL) as connection:
        created = await connection.recv()
        assert created.type == "session.created" and created.session.type == "realtime"
        await connection.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        updated = await connection.recv()
        assert updated.type == "session.updated"
        assert updated.session.output_modalities == ["text"]
        await connection.conversation.item.create(item=user_text("hello"))
        await connection.response.create()
        events = await receive_response(connection)
        kinds = [e.type for e in events]
        assert kinds[:3] == [
            "conversation.item.added",
            "conversation.item.done",
            "response.created",
        ]
        assert "response.output_text.done" in kinds
        assert text_of(events) == "You said: hello"
        done = events[-1].response
        assert done.status == "completed" and done.output[0].content[0].text == "You said: hello"
        assert done.usage.output_tokens > 0
    record = emu.connections[0]
    assert record.request.path == "/v1/realtime" and record.request.query == {"model": MODEL}
    assert record.request.headers["authorization"] == "Bearer test"
    assert "openai-beta" not in record.request.headers  # GA interface (§1.2)
    assert record.model == MODEL
    assert [e.kind for e in record.log] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]
    assert record.texts() == ["hello"]


async def test_function_call_round_trip(emu: Emulator) -> None:
    tool = {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
    result = {"temp_c": 21, "sky": "clear"}
    async with client_for(emu).realtime.connect(model=MODEL) as connection:
        assert (await connection.recv()).type == "session.created"
        session = {"type": "realtime", "output_modalities": ["text"], "tools": [tool]}
        await connection.session.update(session=session)
        updated = await connection.recv()
        assert [t.name for t in updated.session.tools] == ["get_weather"]
        await connection.conversation.item.create(
            item=user_text('call get_weather {"city": "Oslo"}')
        )
        await connection.response.create()
        events = await receive_response(connection)
        done = next(e for e in events if e.type == "response.function_call_arguments.done")
        assert done.name == "get_weather" and json.loads(done.arguments) == {"city": "Oslo"}
        calls = [item for item in events[-1].response.output if item.type == "function_call"]
        assert [(c.call_id, c.name) for c in calls] == [(done.call_id, "get_weather")]
        assert text_of(events) == ""  # the turn ends at the call (§6.5)

        await connection.conversation.item.create(
            item={
                "type": "function_call_output",
                "call_id": done.call_id,
                "output": json.dumps(result),
            }
        )
        await connection.response.create()
        events = await receive_response(connection)
        final = text_of(events)
        assert final == 'get_weather returned {"temp_c":21,"sky":"clear"}'
        assert events[-1].response.status == "completed"
    record = emu.connections[0]
    assert [e.kind for e in record.log] == [
        "session.update",
        "conversation.item.create",
        "response.create",
        "conversation.item.create",
        "response.create",
    ]


async def test_sdk_frames_validate_with_the_checker(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the SDK sends passes the same checker as realtalk's frames (a control).

    The frames are caught at ``AsyncWebSocketConnectionBase.send_raw``, which
    ``AsyncRealtimeConnection.send`` calls with the JSON it built.
    """
    sent: list[str] = []
    original = websocket_connection.AsyncWebSocketConnectionBase.send_raw

    async def spy(self: Any, data: bytes | str) -> None:
        sent.append(data if isinstance(data, str) else data.decode())
        await original(self, data)

    monkeypatch.setattr(websocket_connection.AsyncWebSocketConnectionBase, "send_raw", spy)
    async with client_for(emu).realtime.connect(model=MODEL) as connection:
        assert (await connection.recv()).type == "session.created"
        await connection.session.update(
            session={
                "type": "realtime",
                "output_modalities": ["text"],
                "audio": {"input": {"turn_detection": None}},
            }
        )
        await connection.recv()
        await connection.conversation.item.create(item=user_text("hi"), previous_item_id="root")
        await connection.response.create(response={"metadata": {"k": "v"}})
        await receive_response(connection)
        await connection.response.cancel()
        async with asyncio.timeout(WAIT):
            while (event := await connection.recv()).type != "error":
                assert event.type == "rate_limits.updated", event
        assert event.error.code == "response_cancel_not_active"
    assert [check_client(frame).type for frame in sent] == [
        "session.update",
        "conversation.item.create",
        "response.create",
        "response.cancel",
    ]
