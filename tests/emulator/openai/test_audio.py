"""User audio: server VAD, commits, transcription, barge-in, truncation (§4.2-§4.7, §6.2-§6.6)."""

from __future__ import annotations

import base64
import json

import pytest

from realtalk.audio import silence, tone
from realtalk.emulator import Scenario, Turn
from realtalk.protocol.openai import codec
from realtalk.protocol.openai.pcm import ulaw_encode

from .conftest import Factory, joined, types

RATE = 24000
SPEECH = silence(0.5, RATE) + tone(220, 0.5, RATE) + silence(0.4, RATE)


async def test_audio_turn_with_server_vad(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.append(SPEECH)
    events = await client.response()
    kinds = types(events)
    assert kinds[:6] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        "response.created",
    ]
    started, stopped, committed, added = events[:4]
    item_id = started["item_id"]
    assert started["audio_start_ms"] == 200  # speech at 500 ms, minus 300 ms prefix padding
    assert stopped["audio_end_ms"] == 1000 and stopped["item_id"] == item_id
    assert committed["item_id"] == item_id and committed["previous_item_id"] is None
    assert added["item"] == {
        "id": item_id,
        "object": "realtime.item",
        "status": "completed",
        "type": "message",
        "role": "user",
        "content": [{"type": "input_audio", "transcript": None}],
    }
    assert "conversation.item.input_audio_transcription.completed" not in kinds  # not enabled
    assert joined(events, "response.output_audio_transcript.delta") == "You said: (audio 0.5 s)"
    assert events[-1]["response"]["usage"]["input_token_details"]["audio_tokens"] > 0
    record = h.emulator.connections[0]
    user = record.history[0]
    assert (user.role, user.kind, user.text) == ("user", "audio", "(audio 0.5 s)")
    assert user.seconds == pytest.approx(1.2)  # buffered until 200 ms of silence ended the turn
    assert set(record.kinds()) == {"input_audio_buffer.append"}


async def test_manual_commit_then_response_create(make: Factory) -> None:
    h = await make(Scenario(input_transcripts=["what's the weather"]))
    client = await h.connect()
    await client.update(audio={"input": {"turn_detection": None}}, output_modalities=["text"])
    await client.send({"type": "input_audio_buffer.commit", "event_id": "evt_empty"})
    error = (await client.recv())["error"]
    assert (error["code"], error["event_id"]) == ("input_audio_buffer_commit_empty", "evt_empty")
    assert "0.00ms" in error["message"]
    await client.append(tone(220, 0.05, RATE))
    await client.send({"type": "input_audio_buffer.commit"})
    assert "50.00ms" in (await client.recv())["error"]["message"]
    await client.append(tone(220, 0.3, RATE))  # 350 ms buffered in all; no VAD events
    await client.send({"type": "input_audio_buffer.commit"})
    events = [await client.recv() for _ in range(3)]
    assert types(events) == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]
    await client.send({"type": "response.create"})
    response = await client.response()
    assert joined(response, "response.output_text.delta") == "You said: what's the weather"
    await client.append(tone(220, 0.2, RATE))
    await client.send({"type": "input_audio_buffer.clear"})
    assert (await client.recv())["type"] == "input_audio_buffer.cleared"
    await client.send({"type": "input_audio_buffer.commit"})
    assert (await client.recv())["error"]["code"] == "input_audio_buffer_commit_empty"
    history = h.emulator.connections[0].history
    assert history[0].seconds == pytest.approx(0.35)


async def test_input_transcription_events(make: Factory) -> None:
    h = await make(Scenario(input_transcripts=["a transcript long enough for several deltas"]))
    client = await h.connect()
    await client.update(
        audio={"input": {"transcription": {"model": "gpt-4o-transcribe"}}},
        output_modalities=["text"],
    )
    await client.append(SPEECH)
    events = await client.response()
    item_id = events[0]["item_id"]
    deltas = [e for e in events if e["type"].endswith("input_audio_transcription.delta")]
    completed = next(e for e in events if e["type"].endswith("input_audio_transcription.completed"))
    text = "a transcript long enough for several deltas"
    assert len(deltas) > 1 and "".join(d["delta"] for d in deltas) == text
    assert all(d["item_id"] == item_id and d["content_index"] == 0 for d in deltas)
    assert completed["transcript"] == text and completed["usage"]["type"] == "tokens"
    assert joined(events, "response.output_text.delta") == f"You said: {text}"
    await client.send({"type": "conversation.item.retrieve", "item_id": item_id})
    retrieved = (await client.recv())["item"]
    assert retrieved["content"][0]["transcript"] == text
    assert len(base64.b64decode(retrieved["content"][0]["audio"])) == 1200 * 48  # up to the stop


async def test_vad_without_create_response(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    detection = {"type": "semantic_vad", "create_response": False, "interrupt_response": False}
    await client.update(audio={"input": {"turn_detection": detection}})
    await client.append(SPEECH + silence(0.2, RATE))  # semantic VAD waits 500 ms of silence
    events = await client.until("conversation.item.done")
    assert types(events)[0] == "input_audio_buffer.speech_started"
    await client.send({"type": "conversation.item.delete", "item_id": events[0]["item_id"]})
    assert (await client.recv())["type"] == "conversation.item.deleted"  # no response came first
    assert h.emulator.connections[0].history == []


async def test_barge_in_cancels_the_response(make: Factory) -> None:
    reply = "a reply of many words to interrupt " * 4
    h = await make(Scenario(turns=[Turn(match="talk", reply=reply, chunk_delay=0.01)]))
    client = await h.connect()
    await client.say("talk")
    await client.until("response.output_audio.delta")
    await client.append(tone(220, 0.3, RATE))
    events = await client.response()
    kinds = types(events)
    started = kinds.index("input_audio_buffer.speech_started")
    assert started < kinds.index("response.output_audio.done")
    response = events[-1]["response"]
    assert response["status"] == "cancelled"
    assert response["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    assert response["output"][0]["status"] == "incomplete"
    spoken = h.emulator.connections[0].history[-1]
    assert 0 < len(spoken.text) < len(reply) and reply.startswith(spoken.text)
    assert spoken.text == events[kinds.index("response.output_audio_transcript.done")]["transcript"]


async def test_no_barge_in_without_interrupt_response(make: Factory) -> None:
    h = await make(Scenario(turns=[Turn(match="talk", reply="x" * 30, chunk_delay=0.005)]))
    client = await h.connect()
    detection = {"type": "server_vad", "interrupt_response": False}
    await client.update(audio={"input": {"turn_detection": detection}})
    await client.say("talk")
    await client.until("response.output_audio.delta")
    await client.append(SPEECH)
    first = await client.response()
    assert first[-1]["response"]["status"] == "completed"
    assert "input_audio_buffer.speech_started" in types(first)
    second = await client.response()  # the VAD turn is answered once the first is done
    assert second[-1]["response"]["status"] == "completed"
    assert "You said: (audio" in joined(second, "response.output_audio_transcript.delta")


async def test_truncate(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("truncate me")
    events = await client.response()
    item_id = events[1]["item"]["id"]
    sent = sum(
        len(base64.b64decode(e["delta"]))
        for e in events
        if e["type"] == "response.output_audio.delta"
    )
    have_ms = sent // 48  # PCM16 at 24 kHz
    await client.send(
        {
            "type": "conversation.item.truncate",
            "event_id": "evt_t",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": have_ms + 85,
        }
    )
    error = (await client.recv())["error"]
    assert error["type"] == "invalid_request_error" and error["event_id"] == "evt_t"
    assert (
        error["message"] == f"Audio content of {have_ms}ms is already shorter than {have_ms + 85}ms"
    )
    user_item = events[0]["response"]["id"]  # any id that is not model audio
    first_item = h.emulator.connections[0].history[0]
    assert first_item.role == "user"
    await client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": "nope",
            "content_index": 0,
            "audio_end_ms": 0,
        }
    )
    assert (await client.recv())["error"]["param"] == "item_id"
    assert user_item
    await client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 500,
        }
    )
    truncated = await client.recv()
    assert truncated == {
        "type": "conversation.item.truncated",
        "event_id": truncated["event_id"],
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": 500,
    }
    model = h.emulator.connections[0].history[-1]
    assert (model.text, model.seconds) == ("", 0.5)  # the transcript left the context
    await client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 600,
        }
    )
    assert "is already shorter than 600ms" in (await client.recv())["error"]["message"]


async def test_truncating_a_user_item_is_refused(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("just text", respond=False)
    item_id = client.received[-1]["item"]["id"]
    await client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 0,
        }
    )
    error = (await client.recv())["error"]
    assert error["message"] == "Only model output audio messages can be truncated"
    assert error["code"] is None


async def test_g711_input_is_detected_and_counted(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(audio={"input": {"format": {"type": "audio/pcmu"}}})
    speech = ulaw_encode(silence(0.2, 8000) + tone(220, 0.4, 8000) + silence(0.3, 8000))
    for i in range(0, len(speech), 320):  # 40 ms of 8 kHz G.711
        data = base64.b64encode(speech[i : i + 320]).decode()
        await client.send({"type": "input_audio_buffer.append", "audio": data})
    events = await client.response()
    started, stopped = events[0], events[1]
    assert (started["type"], started["audio_start_ms"]) == ("input_audio_buffer.speech_started", 0)
    assert (stopped["type"], stopped["audio_end_ms"]) == ("input_audio_buffer.speech_stopped", 600)
    user = h.emulator.connections[0].history[0]
    assert user.seconds == pytest.approx(0.8)  # 8 bytes per ms
    assert user.text == "(audio 0.4 s)"


async def test_the_client_decoder_sees_one_interruption(make: Factory) -> None:
    reply = "a reply of many words to interrupt " * 4
    h = await make(Scenario(turns=[Turn(match="talk", reply=reply, chunk_delay=0.01)]))
    client = await h.connect()
    await client.say("talk")
    await client.until("response.output_audio.delta")
    await client.append(tone(220, 0.3, RATE) + silence(0.3, RATE))
    await client.response()  # the cancelled one
    await client.response()  # the answer to the speech
    decoder = codec.OpenAIDecoder()
    out = [e for ev in client.received for e in decoder.feed(json.dumps(ev).encode())]
    names = [type(e).__name__ for e in out]
    assert "Error" not in names and "Unknown" not in names
    assert names.count("Interrupted") == 1
    assert names.index("SpeechStarted") < names.index("Interrupted")
    done = [e for e in out if type(e).__name__ == "ResponseDone"]
    assert [d.status for d in done] == ["cancelled", "completed"]  # type: ignore[attr-defined]
    assert decoder.audio_item is not None
