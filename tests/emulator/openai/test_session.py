"""Connecting, ``session.created`` / ``.update``, auth, refused events (§1, §3, §4.1, §5.1)."""

from __future__ import annotations

import json

import pytest

from realtalk.emulator import ConnectionState
from realtalk.emulator.openai_link import OpenAIConnectionRecord
from realtalk.protocol.openai import decode_client, wire

from .conftest import MODEL, Factory


async def test_session_created_carries_the_default_configuration(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    session = client.session
    assert session["type"] == "realtime" and session["object"] == "realtime.session"
    assert session["id"].startswith("sess_") and session["model"] == MODEL
    assert session["output_modalities"] == ["audio"]
    assert session["tools"] == [] and session["tool_choice"] == "auto"
    assert session["max_output_tokens"] == "inf" and session["expires_at"] > 0
    audio = session["audio"]
    assert audio["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert audio["input"]["transcription"] is None
    assert audio["input"]["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }
    assert audio["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert audio["output"]["voice"] == "marin"
    # the protocol layer reads it strictly (every field known, GA shape)
    frame = json.dumps({"type": "session.update", "session": session})
    decoded = decode_client(frame, strict=True, interface="ga")
    assert isinstance(decoded, wire.SessionUpdate) and decoded.session.model == MODEL
    await client.update()
    record = h.emulator.connections[0]
    assert isinstance(record, OpenAIConnectionRecord)
    assert record.platform == "openai" and record.model == MODEL
    assert record.sent[:1] == ["session.created"]


async def test_session_update_merges_and_answers_with_the_full_session(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    updated = await client.update(
        instructions="Be brief.",
        output_modalities=["text"],
        audio={"input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 600}}},
        tools=[{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
    )
    session = updated["session"]
    assert session["instructions"] == "Be brief."
    assert session["output_modalities"] == ["text"]
    detection = session["audio"]["input"]["turn_detection"]
    assert detection["silence_duration_ms"] == 600
    assert detection["threshold"] == 0.5 and detection["create_response"] is True  # filled in
    assert session["audio"]["output"]["voice"] == "marin"  # untouched fields stay
    assert [t["name"] for t in session["tools"]] == ["get_weather"]
    assert session["id"] == client.session["id"]
    # null disables turn detection; "" clears the instructions
    second = await client.update(instructions="", audio={"input": {"turn_detection": None}})
    assert second["session"]["instructions"] == ""
    assert second["session"]["audio"]["input"]["turn_detection"] is None
    assert second["session"]["output_modalities"] == ["text"]
    record = h.emulator.connections[0]
    assert isinstance(record, OpenAIConnectionRecord) and record.session is not None
    assert record.session.instructions == ""
    assert record.kinds() == ["session.update", "session.update"]


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"output_modalities": ["audio", "text"]}, "session.output_modalities"),
        ({"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}}, None),
        ({"audio": {"output": {"speed": 3.0}}}, "session.audio.output.speed"),
        ({"max_output_tokens": 0}, "session.max_output_tokens"),
        ({"temperature": 0.8}, "session.temperature"),  # a beta field: unknown in GA
        ({"model": "other-model"}, "session.model"),
    ],
)
async def test_invalid_update_is_an_error_and_the_session_goes_on(
    make: Factory, session: dict[str, object], param: str | None
) -> None:
    h = await make()
    client = await h.connect()
    await client.send(
        {"type": "session.update", "event_id": "evt_7", "session": {"type": "realtime", **session}}
    )
    error = await client.recv()
    assert error["type"] == "error" and error["event_id"].startswith("event_")
    detail = error["error"]
    assert detail["type"] == "invalid_request_error" and detail["event_id"] == "evt_7"
    assert detail["code"] in ("invalid_value", "unknown_parameter")
    assert detail["message"]
    if param is not None:
        assert detail["param"] == param
    else:
        assert detail["param"].startswith("session.audio.input.format")
    # nothing changed, and the session still answers
    updated = await client.update(instructions="ok")
    assert updated["session"]["output_modalities"] == ["audio"]
    assert updated["session"]["audio"]["output"].get("speed", 1.0) == 1.0


async def test_unknown_and_malformed_events_get_errors(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.send({"type": "scooby.dooby.doo", "event_id": "evt_42"})
    error = (await client.recv())["error"]
    assert (error["code"], error["param"], error["event_id"]) == ("invalid_value", "type", "evt_42")
    await client.send("{not json")
    assert (await client.recv())["error"]["code"] == "invalid_event"
    await client.send({"type": "session.update", "session": {"instructions": "no type"}})
    error = (await client.recv())["error"]
    assert (error["code"], error["param"]) == ("missing_required_parameter", "session.type")
    await client.update(instructions="still here")
    assert h.emulator.connections[0].kinds() == ["invalid", "invalid", "invalid", "session.update"]


async def test_missing_model_is_refused(make: Factory) -> None:
    h = await make()
    client = await h.open(query="")
    error = await client.recv()
    assert error["type"] == "error"
    assert (error["error"]["code"], error["error"]["param"]) == (
        "missing_required_parameter",
        "model",
    )
    closed = await client.closed()
    assert (closed.code, closed.reason) == (
        3000,
        "invalid_request_error.missing_required_parameter",
    )


async def test_model_allowlist(make: Factory) -> None:
    h = await make(model_allowlist=["gpt-realtime"])
    await h.connect()
    client = await h.open(query="?model=gpt-unknown")
    assert (await client.recv())["error"]["code"] == "model_not_found"
    assert (await client.closed()).code == 3000


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({}, False),
        ({"Authorization": "Bearer sk-wrong"}, False),
        ({"Authorization": "Bearer sk-good"}, True),
        ({"Sec-WebSocket-Protocol": "realtime, openai-insecure-api-key.sk-good"}, True),
    ],
)
async def test_auth(make: Factory, headers: dict[str, str], accepted: bool) -> None:
    h = await make(api_keys=["sk-good"])
    client = await h.open(headers=headers)
    first = await client.recv()
    if accepted:
        assert first["type"] == "session.created"
        assert h.emulator.connections[0].close_code is None
        return
    assert first["type"] == "error" and first["error"]["code"] == "invalid_api_key"
    closed = await client.closed()
    assert (closed.code, closed.reason) == (3000, "invalid_request_error.invalid_api_key")
    record = h.emulator.connections[0]
    await record.wait_closed()
    assert record.close_code == 3000


async def test_any_credential_is_accepted_without_require_auth(make: Factory) -> None:
    h = await make()
    await h.connect()  # no credential at all
    await h.connect(headers={"Authorization": "Bearer anything"})
    strict = await make(require_auth=True)
    client = await strict.open()
    assert (await client.recv())["error"]["code"] == "invalid_api_key"
    await strict.connect(headers={"Authorization": "Bearer anything"})


async def test_beta_interface_is_retired(make: Factory) -> None:
    h = await make()
    client = await h.open(headers={"OpenAI-Beta": "realtime=v1"})
    assert (await client.recv())["error"]["code"] == "beta_api_shape_disabled"
    assert (await client.closed()).code == 3000


async def test_state_follows_the_connection(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    record = h.emulator.connections[0]
    assert isinstance(record, OpenAIConnectionRecord)
    assert record.state is ConnectionState.IDLE
    await client.close()
    await record.wait_closed()
    assert (record.close_code, record.state) == (1000, ConnectionState.CLOSED)
