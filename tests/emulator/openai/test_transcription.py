"""Transcription sessions: ``?intent=transcription`` and ``session.type`` (§1.1, §3.3, §4.12)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realtalk.audio import silence, tone
from realtalk.emulator import Emulator, Scenario
from realtalk.protocol.openai import decode_client, wire
from realtalk.transport.http import http_request

from .conftest import MODEL, Client, Event, Factory, types

RATE = 24000
SPEECH = silence(0.5, RATE) + tone(220, 0.5, RATE) + silence(0.4, RATE)
TRANSCRIBE = {"model": "gpt-4o-transcribe", "language": "en"}


async def transcription(client: Client, **session: Any) -> Event:
    """``session.update`` with ``type: transcription``; returns the ``session.updated``."""
    await client.send({"type": "session.update", "session": {"type": "transcription", **session}})
    event = await client.recv()
    assert event["type"] == "session.updated", event
    return event


async def roundtrip(client: Client) -> None:
    """An answer that comes after everything the server did before it."""
    await client.send({"type": "input_audio_buffer.clear"})
    assert (await client.recv())["type"] == "input_audio_buffer.cleared"


async def test_intent_transcription_opens_a_transcription_session(make: Factory) -> None:
    h = await make()
    client = await h.connect(query="?intent=transcription")  # no model needed
    session = client.session
    assert session == {
        "type": "transcription",
        "object": "realtime.transcription_session",
        "id": session["id"],
        "expires_at": session["expires_at"],
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.5,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 500,
                },
            }
        },
        "include": None,
    }
    assert session["id"].startswith("sess_")
    # the protocol layer reads it strictly (every field known, GA shape)
    frame = json.dumps({"type": "session.update", "session": session})
    decoded = decode_client(frame, strict=True, interface="ga")
    assert isinstance(decoded, wire.SessionUpdate) and decoded.session.type == "transcription"
    updated = await transcription(
        client,
        audio={"input": {"transcription": TRANSCRIBE, "noise_reduction": {"type": "near_field"}}},
        include=["item.input_audio_transcription.logprobs"],
    )
    audio_in = updated["session"]["audio"]["input"]
    assert audio_in["transcription"] == TRANSCRIBE
    assert audio_in["noise_reduction"] == {"type": "near_field"}
    assert audio_in["turn_detection"]["silence_duration_ms"] == 500  # untouched
    assert updated["session"]["include"] == ["item.input_audio_transcription.logprobs"]
    assert h.emulator.connections[0].model is None


async def test_audio_gives_input_events_and_no_response(make: Factory) -> None:
    text = "a transcript long enough for several deltas"
    h = await make(Scenario(input_transcripts=[text]))
    client = await h.connect(query=f"?intent=transcription&model={MODEL}")
    await transcription(client, audio={"input": {"transcription": TRANSCRIBE}})
    await client.append(SPEECH + silence(0.3, RATE))  # 500 ms of silence end the turn
    events = await client.until("conversation.item.input_audio_transcription.completed")
    kinds = types(events)
    assert kinds[:5] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]
    assert set(kinds[5:-1]) == {"conversation.item.input_audio_transcription.delta"}
    item_id = events[0]["item_id"]
    assert all(e["item_id"] == item_id for e in events if "item_id" in e)
    assert "".join(e["delta"] for e in events[5:-1]) == text
    assert events[-1]["transcript"] == text and events[-1]["usage"]["type"] == "tokens"
    await roundtrip(client)
    record = h.emulator.connections[0]
    assert not [kind for kind in record.sent if kind.startswith("response.")]
    assert [(e.role, e.kind, e.text) for e in record.history] == [("user", "audio", text)]


async def test_manual_commits_without_turn_detection(make: Factory) -> None:
    h = await make()
    client = await h.connect(query="?intent=transcription")
    whisper = {"model": "gpt-realtime-whisper"}
    await transcription(client, audio={"input": {"transcription": whisper, "turn_detection": None}})
    await client.append(tone(220, 0.3, RATE))  # no VAD events
    await client.send({"type": "input_audio_buffer.commit"})
    events = await client.until("conversation.item.input_audio_transcription.completed")
    assert types(events)[:3] == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]
    assert events[-1]["transcript"] == "(audio 0.3 s)"
    await roundtrip(client)
    assert not [k for k in h.emulator.connections[0].sent if k.startswith("response.")]


async def test_response_create_is_an_error(make: Factory) -> None:
    h = await make()
    client = await h.connect(query="?intent=transcription")
    await client.send({"type": "response.create", "event_id": "evt_r"})
    error = (await client.recv())["error"]
    assert error["type"] == "invalid_request_error"
    assert (error["code"], error["param"], error["event_id"]) == ("invalid_value", "type", "evt_r")
    assert "Transcription sessions do not create responses" in error["message"]
    await roundtrip(client)  # the session goes on


async def test_beta_transcription_session_update_is_refused(make: Factory) -> None:
    h = await make()
    client = await h.connect(query="?intent=transcription")
    beta = {"input_audio_format": "pcm16", "input_audio_transcription": {"model": "whisper-1"}}
    await client.send({"type": "transcription_session.update", "session": beta})
    error = (await client.recv())["error"]
    assert (error["code"], error["param"]) == ("invalid_value", "type")


async def test_a_realtime_session_switches_to_transcription_and_back(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(instructions="Be brief.", output_modalities=["text"])
    switched = await transcription(client, audio={"input": {"transcription": TRANSCRIBE}})
    session = switched["session"]
    assert (session["type"], session["object"]) == (
        "transcription",
        "realtime.transcription_session",
    )
    assert set(session) == {"type", "object", "id", "expires_at", "audio", "include"}
    assert set(session["audio"]) == {"input"}
    assert session["id"] == client.session["id"]
    assert session["audio"]["input"]["transcription"] == TRANSCRIBE
    await client.send({"type": "response.create"})
    assert (await client.recv())["error"]["param"] == "type"
    await client.append(SPEECH)  # the realtime session's VAD (200 ms of silence)
    events = await client.until("conversation.item.input_audio_transcription.completed")
    assert "input_audio_buffer.committed" in types(events)
    await roundtrip(client)
    back = (await client.update())["session"]  # type realtime: the realtime settings return
    assert (back["type"], back["object"], back["model"]) == ("realtime", "realtime.session", MODEL)
    assert back["instructions"] == "Be brief." and back["output_modalities"] == ["text"]
    assert back["audio"]["input"]["transcription"] == TRANSCRIBE
    await client.send({"type": "response.create"})
    response = await client.response()
    assert response[-1]["response"]["status"] == "completed"


async def test_without_a_model_the_session_stays_a_transcription_session(make: Factory) -> None:
    h = await make()
    client = await h.connect(query="?intent=transcription")
    for session in ({"type": "realtime"}, {"type": "realtime", "model": MODEL}):
        await client.send({"type": "session.update", "session": session})
        error = (await client.recv())["error"]
        assert (error["code"], error["param"]) == ("invalid_value", "session.type")
    assert (await transcription(client))["session"]["type"] == "transcription"


@pytest.mark.parametrize(
    ("session", "code", "param"),
    [
        ({"instructions": "hi"}, "unknown_parameter", "session.instructions"),
        ({"model": MODEL}, "unknown_parameter", "session.model"),
        ({"output_modalities": ["text"]}, "unknown_parameter", "session.output_modalities"),
        ({"audio": {"output": {"voice": "alloy"}}}, "unknown_parameter", "session.audio.output"),
        ({"include": ["everything"]}, "invalid_value", "session.include[0]"),
        (
            {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}},
            "invalid_value",
            "session.audio.input.format.rate",
        ),
        (
            {"audio": {"input": {"noise_reduction": {"type": "mid_field"}}}},
            "invalid_value",
            "session.audio.input.noise_reduction.type",
        ),
        (
            {"audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 2}}}},
            "invalid_value",
            "session.audio.input.turn_detection.threshold",
        ),
        (
            {"audio": {"input": {"transcription": {"model": "gpt-realtime-whisper"}}}},
            "invalid_value",
            "session.audio.input.turn_detection",
        ),
        ({"type": "translation"}, "invalid_value", "session.type"),
    ],
)
async def test_invalid_transcription_update(
    make: Factory, session: dict[str, Any], code: str, param: str
) -> None:
    h = await make()
    client = await h.connect(query="?intent=transcription")
    body = {"type": "transcription", **session}
    await client.send({"type": "session.update", "event_id": "evt_t", "session": body})
    error = (await client.recv())["error"]
    assert (error["code"], error["param"], error["event_id"]) == (code, param, "evt_t")
    unchanged = (await transcription(client))["session"]
    assert unchanged["audio"]["input"] == client.session["audio"]["input"]
    assert unchanged["include"] is None


async def test_lenient_emulator_ignores_realtime_fields(make: Factory) -> None:
    h = await make(strict=False)
    client = await h.connect(query="?intent=transcription")
    updated = await transcription(
        client, instructions="ignored", audio={"input": {"transcription": TRANSCRIBE}}
    )
    assert "instructions" not in updated["session"]
    assert updated["session"]["audio"]["input"]["transcription"] == TRANSCRIBE


async def test_unknown_intent_is_refused(make: Factory) -> None:
    h = await make()
    client = await h.open(query="?intent=translation")
    error = await client.recv()
    assert (error["error"]["code"], error["error"]["param"]) == ("invalid_value", "intent")
    closed = await client.closed()
    assert (closed.code, closed.reason) == (3000, "invalid_request_error.invalid_value")


async def test_client_secret_bound_to_a_transcription_session() -> None:
    session = {"type": "transcription", "audio": {"input": {"transcription": TRANSCRIBE}}}
    async with Emulator(api_keys=["sk-good"]) as emu:
        reply = await http_request(
            "POST",
            emu.rest_url + "/v1/realtime/client_secrets",
            body=json.dumps({"session": session}).encode(),
            headers={"Authorization": "Bearer sk-good", "Content-Type": "application/json"},
        )
        assert reply.status == 200
        minted = json.loads(reply.body)
        assert minted["session"]["object"] == "realtime.transcription_session"
        url = emu.endpoint_url("openai")  # neither model nor intent: the secret says it all
        headers = {"Authorization": f"Bearer {minted['value']}"}
        client = Client(await emu.connector()(url, headers))
        created = await client.recv()
        assert created["type"] == "session.created"
        assert created["session"]["type"] == "transcription"
        assert created["session"]["audio"]["input"]["transcription"] == TRANSCRIBE
        await client.close()
        bad = {"session": {"type": "transcription", "instructions": "no"}}
        refused = await http_request(
            "POST",
            emu.rest_url + "/v1/realtime/client_secrets",
            body=json.dumps(bad).encode(),
            headers={"Authorization": "Bearer sk-good", "Content-Type": "application/json"},
        )
        assert refused.status == 400
