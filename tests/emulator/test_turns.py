"""Turns of the echo assistant: text, audio, transcripts, usage, VAD (gemini-live.md §5, §6)."""

from __future__ import annotations

import base64
import math

import pytest

from realtalk.audio import silence, synthesize, tone
from realtalk.audio.synth import CHAR_SECONDS
from realtalk.emulator import Scenario

from .conftest import Factory, content, kinds, model_text, transcript

TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}}
SPEECH = tone(220, 0.3, 16000)


async def test_text_turn_in_text_modality(make: Factory) -> None:
    h = await make()
    client = await h.connect(TEXT)
    await client.text("hello there")
    messages = await client.turn()
    assert model_text(messages) == "You said: hello there"
    assert kinds(messages)[-2:] == ["generationComplete", "turnComplete"]
    assert set(kinds(messages[:-2])) == {"modelTurn"}
    assert all(m["serverContent"]["modelTurn"]["role"] == "model" for m in messages[:-2])
    usage = messages[-1]["usageMetadata"]
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["responseTokenCount"] > 0


async def test_realtime_text_turn(make: Factory) -> None:
    h = await make()
    client = await h.connect(TEXT)
    await client.send({"realtimeInput": {"text": "typed"}})
    assert model_text(await client.turn()) == "You said: typed"
    record = h.emulator.connections[0]
    assert record.texts() == ["typed"]
    assert [(e.role, e.text) for e in record.history] == [
        ("user", "typed"),
        ("model", "You said: typed"),
    ]


async def test_text_turn_in_audio_modality(make: Factory) -> None:
    h = await make()
    client = await h.connect()  # AUDIO is the default modality
    await client.text("hi")
    messages = await client.turn()
    reply = "You said: hi"
    blobs = [p["inlineData"] for turn in content(messages, "modelTurn") for p in turn["parts"]]
    assert {b["mimeType"] for b in blobs} == {"audio/pcm;rate=24000"}
    pcm = [base64.b64decode(b["data"]) for b in blobs]
    total = sum(len(p) for p in pcm) / 2 / 24000
    assert total == pytest.approx(len(reply) * CHAR_SECONDS)
    assert len(pcm) == math.ceil(total / 0.04)
    assert all(len(p) == 1920 for p in pcm[:-1])  # 40 ms chunks
    assert b"".join(pcm) == synthesize(reply, 24000)
    assert "outputTranscription" not in kinds(messages)  # not enabled
    assert kinds(messages)[-2:] == ["generationComplete", "turnComplete"]


async def test_output_transcription_fragments(make: Factory) -> None:
    h = await make()
    client = await h.connect({"outputAudioTranscription": {}})
    await client.text("a somewhat longer sentence to split into several fragments")
    messages = await client.turn()
    fragments = content(messages, "outputTranscription")
    assert len(fragments) > 1
    assert (
        transcript(messages)
        == "You said: a somewhat longer sentence to split into several fragments"
    )
    assert fragments[-1].get("finished") is True
    assert not any(f.get("finished") for f in fragments[:-1])
    order = kinds(messages)
    assert order.index("outputTranscription") < order.index("generationComplete")


@pytest.mark.parametrize(
    ("platform", "present", "absent"),
    [
        ("ai_studio", ("responseTokenCount", "responseTokensDetails"), ("candidatesTokenCount",)),
        (
            "vertex",
            ("candidatesTokenCount", "candidatesTokensDetails", "trafficType"),
            ("responseTokenCount",),
        ),
    ],
)
async def test_usage_names_per_platform(
    make: Factory, platform: str, present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    h = await make()
    client = await h.connect(platform=platform)
    await client.text("count me")
    usage = (await client.turn())[-1]["usageMetadata"]
    assert all(name in usage for name in present)
    assert not any(name in usage for name in absent)
    details = usage.get("responseTokensDetails") or usage["candidatesTokensDetails"]
    assert details[0]["modality"] == "AUDIO"
    assert usage["promptTokensDetails"][0] == {"modality": "TEXT", "tokenCount": 2}


async def test_audio_turn_with_server_vad(make: Factory) -> None:
    h = await make()
    client = await h.connect({"inputAudioTranscription": {}, **TEXT})
    await client.audio(silence(0.2) + SPEECH + silence(0.6))
    messages = await client.turn()
    assert transcript(messages, "inputTranscription") == "(audio 0.3 s)"
    assert content(messages, "inputTranscription")[-1]["finished"] is True
    assert model_text(messages) == "You said: (audio 0.3 s)"
    assert kinds(messages)[0] == "inputTranscription"
    assert h.emulator.connections[0].history[0].kind == "audio"


async def test_input_transcripts_from_scenario_and_no_transcription(make: Factory) -> None:
    h = await make(Scenario(input_transcripts=["what is the weather"]))
    client = await h.connect(TEXT)
    await client.audio(SPEECH + silence(0.6))
    messages = await client.turn()
    assert "inputTranscription" not in kinds(messages)
    assert model_text(messages) == "You said: what is the weather"


@pytest.mark.parametrize(("silence_ms", "turns"), [(None, 2), (1000, 1)])
async def test_silence_duration_is_honoured(
    make: Factory, silence_ms: int | None, turns: int
) -> None:
    h = await make()
    setup: dict[str, object] = dict(TEXT)
    if silence_ms is not None:
        setup["realtimeInputConfig"] = {
            "automaticActivityDetection": {"silenceDurationMs": silence_ms}
        }
    client = await h.connect(setup)
    await client.audio(SPEECH + silence(0.6) + SPEECH + silence(1.2))
    texts = [model_text(await client.turn()) for _ in range(turns)]
    expected = ["You said: (audio 0.3 s)"] * 2 if turns == 2 else ["You said: (audio 1.2 s)"]
    assert texts == expected
    assert h.emulator.connections[0].conversation.audio_turns == turns  # type: ignore[union-attr]


async def test_audio_stream_end_ends_the_turn(make: Factory) -> None:
    h = await make()
    client = await h.connect(TEXT)
    await client.audio(SPEECH)
    await client.send({"realtimeInput": {"audioStreamEnd": True}})
    assert model_text(await client.turn()) == "You said: (audio 0.3 s)"


async def test_quiet_audio_is_not_a_turn(make: Factory) -> None:
    h = await make()
    client = await h.connect(TEXT)
    await client.audio(tone(220, 0.5, 16000, amplitude=0.001) + silence(0.6))
    await client.send({"realtimeInput": {"audioStreamEnd": True}})
    await client.text("probe")
    assert model_text(await client.turn()) == "You said: probe"


async def test_manual_activity_detection(make: Factory) -> None:
    h = await make()
    client = await h.connect(
        {"realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}}, **TEXT}
    )
    await client.send({"realtimeInput": {"activityStart": {}}})
    await client.audio(silence(0.5))  # no VAD in manual mode: even silence counts
    await client.send({"realtimeInput": {"activityEnd": {}}})
    assert model_text(await client.turn()) == "You said: (audio 0.5 s)"


@pytest.mark.parametrize("signal", ["activityStart", "activityEnd"])
async def test_activity_signals_with_automatic_vad_close_1007(make: Factory, signal: str) -> None:
    h = await make()
    client = await h.connect()
    await client.send({"realtimeInput": {signal: {}}})
    closed = await client.closed()
    assert closed.code == 1007 and "activity" in closed.reason


async def test_client_content_history_then_turn(make: Factory) -> None:
    h = await make()
    client = await h.connect(TEXT)
    await client.send(
        {
            "clientContent": {
                "turns": [
                    {"role": "user", "parts": [{"text": "seed"}]},
                    {"role": "model", "parts": [{"text": "ok"}]},
                ],
            }
        }
    )
    await client.send(
        {
            "clientContent": {
                "turns": [{"role": "user", "parts": [{"text": "now"}]}],
                "turnComplete": True,
            }
        }
    )
    assert model_text(await client.turn()) == "You said: seed now"
    assert [e.text for e in h.emulator.connections[0].history][:3] == ["seed", "ok", "now"]


async def test_initial_history_in_client_content(make: Factory) -> None:
    h = await make()
    client = await h.connect({"historyConfig": {"initialHistoryInClientContent": True}, **TEXT})
    await client.send(
        {
            "clientContent": {
                "turns": [{"role": "user", "parts": [{"text": "old"}]}],
                "turnComplete": True,
            }
        }
    )
    await client.text("new")
    assert model_text(await client.turn()) == "You said: new"  # no reply to the seeded history
    assert [e.text for e in h.emulator.connections[0].history][:2] == ["old", "new"]


async def test_realtime_pacing_delivers_the_same_turn(make: Factory) -> None:
    h = await make(realtime=True)
    client = await h.connect({"outputAudioTranscription": {}})
    await client.text("x")
    assert transcript(await client.turn()) == "You said: x"
