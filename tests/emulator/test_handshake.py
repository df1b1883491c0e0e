"""Handshake, validation and close codes of the Gemini emulator (gemini-live.md §3, §6.10)."""

from __future__ import annotations

import base64
import json

import pytest

from realtalk.protocol.gemini import wire

from .conftest import AI_STUDIO_MODEL, VERTEX_MODEL, Factory, model_text


@pytest.mark.parametrize("platform", ["ai_studio", "vertex"])
async def test_handshake_with_codec_encoded_setup(make: Factory, platform: str) -> None:
    h = await make()
    client = await h.open(platform)
    model = AI_STUDIO_MODEL if platform == "ai_studio" else VERTEX_MODEL
    await client.send(wire.ClientMessage(setup=wire.Setup(model=model)))
    first = await client.recv()
    assert set(first) == {"setupComplete"}
    assert first["setupComplete"]["sessionId"].startswith("session-")
    assert isinstance(client.raw_frames[0], bytes)  # binary frames by default (§2.1)
    record = h.emulator.connections[0]
    assert record.platform == platform
    assert record.setup is not None and record.setup.model == model
    assert record.log[0].index == 0 and record.log[0].kind == "setup"


async def test_text_frames_option(make: Factory) -> None:
    h = await make(send_text_frames=True)
    client = await h.connect()
    assert isinstance(client.raw_frames[0], str)


async def test_setup_must_come_first(make: Factory) -> None:
    h = await make()
    client = await h.open()
    await client.send({"realtimeInput": {"text": "hello"}})
    closed = await client.closed()
    assert closed.code == 1007
    assert "setup" in closed.reason
    assert h.emulator.connections[0].close_code == 1007


async def test_second_setup_is_rejected(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.send({"setup": {"model": AI_STUDIO_MODEL}})
    assert (await client.closed()).code == 1007


async def test_invalid_json_closes_1007(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.send("{not json")
    closed = await client.closed()
    assert closed.code == 1007 and "Invalid JSON" in closed.reason


async def test_unknown_field_is_rejected_when_strict(make: Factory) -> None:
    h = await make()
    client = await h.open()
    await client.send({"setup": {"model": AI_STUDIO_MODEL, "bogusField": 1}})
    closed = await client.closed()
    assert closed.code == 1007
    assert "bogusField" in closed.reason


async def test_unknown_field_is_ignored_when_lenient(make: Factory) -> None:
    h = await make(strict=False)
    client = await h.connect(
        {"bogusField": 1, "generationConfig": {"responseModalities": ["TEXT"]}}
    )
    await client.text("hi")
    assert "You said: hi" in json.dumps(await client.turn())


async def test_invalid_enum_and_two_modalities_close_1007(make: Factory) -> None:
    h = await make()
    client = await h.open()
    await client.send(
        {"setup": {"model": AI_STUDIO_MODEL, "generationConfig": {"responseModalities": ["SMELL"]}}}
    )
    assert (await client.closed()).code == 1007
    client = await h.open()
    await client.send(
        {
            "setup": {
                "model": AI_STUDIO_MODEL,
                "generationConfig": {"responseModalities": ["TEXT", "AUDIO"]},
            }
        }
    )
    assert (await client.closed()).code == 1007


@pytest.mark.parametrize(
    ("platform", "model"),
    [
        ("ai_studio", "gemini-live-test"),
        ("ai_studio", VERTEX_MODEL),
        ("ai_studio", "models/"),
        ("vertex", AI_STUDIO_MODEL),
        ("vertex", "projects/p/locations/l/models/x"),
    ],
)
async def test_model_malformed_for_path_closes_1008(
    make: Factory, platform: str, model: str
) -> None:
    h = await make()
    client = await h.open(platform)
    await client.send({"setup": {"model": model}})
    closed = await client.closed()
    assert closed.code == 1008
    assert "not found" in closed.reason


async def test_model_allowlist(make: Factory) -> None:
    h = await make(model_allowlist=["gemini-live-test"])
    await h.connect()  # allowed by bare id
    client = await h.open()
    await client.send({"setup": {"model": "models/other-model"}})
    closed = await client.closed()
    assert closed.code == 1008 and "models/other-model" in closed.reason
    await h.connect({"model": VERTEX_MODEL}, platform="vertex")


async def test_unknown_path_closes_1008(make: Factory) -> None:
    """Without an HTTP step (in-memory transport) an unknown path is closed with 1008."""
    h = await make()
    if h.transport == "ws":
        pytest.skip("over sockets the upgrade is refused with 404 (next test)")
    client = await h.open(path="/ws/not.a.real.Service/Method")
    closed = await client.closed()
    assert closed.code == 1008
    assert h.emulator.connections[0].platform is None


async def test_missing_credential_with_require_auth(make: Factory) -> None:
    h = await make(require_auth=True)
    client = await h.open()
    await client.send({"setup": {"model": AI_STUDIO_MODEL}})
    closed = await client.closed()
    assert closed.code == 1008 and "API key not valid" in closed.reason
    await h.connect(headers={"x-goog-api-key": "anything"})
    await h.connect(platform="vertex", headers={"Authorization": "Bearer tok"})


async def test_api_keys_allowlist(make: Factory) -> None:
    h = await make(api_keys=["good"])
    client = await h.open(headers={"x-goog-api-key": "bad"})
    await client.send({"setup": {"model": AI_STUDIO_MODEL}})
    assert (await client.closed()).code == 1008
    await h.connect(headers={"x-goog-api-key": "good"})


async def test_snake_case_sdk_style_frames(make: Factory) -> None:
    """Frames as google-genai sends them: snake_case keys, mime_type, URL-safe base64 (§2.3)."""
    h = await make()
    client = await h.open()
    await client.send(
        {
            "setup": {
                "model": AI_STUDIO_MODEL,
                "generation_config": {"response_modalities": ["TEXT"]},
                "realtime_input_config": {
                    "automatic_activity_detection": {"disabled": True},
                    "activity_handling": "START_OF_ACTIVITY_INTERRUPTS",
                },
                "input_audio_transcription": {},
                "tools": [{"function_declarations": [{"name": "ping", "behavior": "BLOCKING"}]}],
            }
        }
    )
    assert "setupComplete" in await client.recv()
    await client.send(
        {
            "client_content": {
                "turns": [{"role": "user", "parts": [{"text": "hey"}]}],
                "turn_complete": True,
            }
        }
    )
    assert model_text(await client.turn()) == "You said: hey"
    await client.send({"realtime_input": {"activity_start": {}}})
    pcm = b"\xff\xfe" * 1600  # 0.1 s; its URL-safe base64 contains '_' and '-'
    data = base64.urlsafe_b64encode(pcm).decode().rstrip("=")
    assert "_" in data and "-" in data
    audio = {"mime_type": "audio/pcm;rate=16000", "data": data}
    await client.send({"realtime_input": {"audio": audio}})
    await client.send({"realtime_input": {"activity_end": {}}})
    messages = await client.turn()
    assert model_text(messages) == "You said: (audio 0.1 s)"
    log = h.emulator.connections[0].log
    assert [e.kind for e in log] == [
        "setup",
        "client_content",
        "activity_start",
        "audio",
        "activity_end",
    ]
    assert log[3].size == len(pcm)


async def test_unknown_path_is_refused_with_404_over_sockets() -> None:
    from realtalk.emulator import Emulator
    from realtalk.errors import ConnectError
    from realtalk.transport import WebSocketConnector

    async with Emulator() as emulator:
        with pytest.raises(ConnectError) as info:
            await WebSocketConnector()(f"{emulator.url}/ws/not.a.real.Service/Method", {})
        assert info.value.status == 404
