"""Responses of the echo assistant: the GA event ladder, usage, overrides (§5.12, §6.4)."""

from __future__ import annotations

import base64

import pytest

from realtalk.audio import synthesize
from realtalk.audio.synth import CHAR_SECONDS
from realtalk.emulator import Scenario, Turn
from realtalk.protocol.openai import codec
from realtalk.protocol.openai.pcm import ulaw_decode

from .conftest import Factory, joined, types

TEXT_LADDER = [
    "response.created",
    "response.output_item.added",
    "conversation.item.added",
    "response.content_part.added",
]
TEXT_CLOSE = [
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "conversation.item.done",
    "response.done",
]


async def test_text_turn_full_event_sequence(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(output_modalities=["text"])
    await client.say("hello there, how are you today?")
    events = await client.response()
    kinds = types(events)
    deltas = kinds.count("response.output_text.delta")
    assert deltas > 1
    assert kinds == TEXT_LADDER + ["response.output_text.delta"] * deltas + TEXT_CLOSE
    reply = "You said: hello there, how are you today?"
    assert joined(events, "response.output_text.delta") == reply
    created, done = events[0]["response"], events[-1]["response"]
    rid = created["id"]
    assert rid.startswith("resp_") and created["status"] == "in_progress"
    assert created["output"] == [] and created["usage"] is None
    assert created["object"] == "realtime.response" and created["output_modalities"] == ["text"]
    assert created["conversation_id"].startswith("conv_")
    item_id = events[1]["item"]["id"]
    assert events[1]["item"] == {
        "id": item_id,
        "object": "realtime.item",
        "status": "in_progress",
        "type": "message",
        "role": "assistant",
        "content": [],
    }
    for event in events[1:-1]:
        if event["type"].startswith("response."):
            assert event["response_id"] == rid and event["output_index"] == 0
        if "content_index" in event:
            assert event["item_id"] == item_id and event["content_index"] == 0
    assert events[3]["part"] == {"type": "text", "text": ""}
    assert events[-5]["text"] == reply and events[-4]["part"] == {"type": "text", "text": reply}
    final_item = {**events[1]["item"], "status": "completed"}
    final_item["content"] = [{"type": "output_text", "text": reply}]
    assert events[-3]["item"] == final_item == events[-2]["item"]
    assert done["status"] == "completed" and done["status_details"] is None
    assert done["output"] == [final_item]
    usage = done["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["output_token_details"] == {"text_tokens": 11, "audio_tokens": 0}
    assert usage["input_token_details"]["cached_tokens"] == 0
    limits = client.limits
    assert {r["name"] for r in limits["rate_limits"]} == {"requests", "tokens"}
    tokens = next(r for r in limits["rate_limits"] if r["name"] == "tokens")
    assert tokens["remaining"] == tokens["limit"] - usage["total_tokens"]
    record = h.emulator.connections[0]
    assert [(e.role, e.kind, e.text) for e in record.history] == [
        ("user", "text", "hello there, how are you today?"),
        ("model", "text", reply),
    ]
    assert record.texts() == ["hello there, how are you today?"]


async def test_audio_reply_with_transcript(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("hi")
    events = await client.response()
    kinds = types(events)
    assert kinds[:4] == [*TEXT_LADDER[:3], "response.content_part.added"]
    assert events[3]["part"] == {"type": "audio", "transcript": ""}
    assert kinds[-6:] == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    reply = "You said: hi"
    pcm = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert pcm == synthesize(reply, 24000)
    assert len(pcm) / 48000 == pytest.approx(len(reply) * CHAR_SECONDS)
    assert joined(events, "response.output_audio_transcript.delta") == reply
    assert events[-5]["transcript"] == reply
    item = events[-1]["response"]["output"][0]
    assert item["content"] == [{"type": "output_audio", "transcript": reply}]  # no audio bytes
    usage = events[-1]["response"]["usage"]["output_token_details"]
    assert usage["audio_tokens"] > 0 and usage["text_tokens"] > 0
    history = h.emulator.connections[0].history
    assert history[-1].kind == "audio" and history[-1].seconds == pytest.approx(0.84, abs=0.01)


async def test_the_client_decoder_reads_a_whole_turn(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("decode me")
    decoder = codec.OpenAIDecoder()
    await client.response()
    out = [e for ev in client.received for e in decoder.feed(_frame(ev))]
    names = [type(e).__name__ for e in out]
    assert "Error" not in names and "Unknown" not in names
    assert names[-3:] == ["GenerationComplete", "TurnComplete", "RateLimits"]
    assert names[:2] == ["SessionUpdated", "ResponseStarted"]
    assert "".join(e.text for e in out if type(e).__name__ == "OutputTranscript") == (
        "You said: decode me"
    )


def _frame(event: dict[str, object]) -> bytes:
    import json

    return json.dumps(event).encode()


async def test_response_overrides_and_out_of_band(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("first", output_modalities=["text"], metadata={"k": "v"})
    events = await client.response()
    assert events[-1]["response"]["metadata"] == {"k": "v"}
    assert events[-1]["response"]["output_modalities"] == ["text"]
    await client.send(
        {
            "type": "response.create",
            "response": {"conversation": "none", "output_modalities": ["text"], "input": []},
        }
    )
    oob = await client.response()
    assert "conversation.item.added" not in types(oob)
    assert oob[-1]["response"]["conversation_id"] is None
    assert joined(oob, "response.output_text.delta") == "You said: "
    assert len(h.emulator.connections[0].history) == 2  # not stored


async def test_g711_output(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(audio={"output": {"format": {"type": "audio/pcmu"}}})
    await client.say("abc")
    events = await client.response()
    data = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert len(data) == len(synthesize("You said: abc", 8000)) // 2
    assert len(ulaw_decode(data)) == len(synthesize("You said: abc", 8000))


async def test_active_response_error(make: Factory) -> None:
    h = await make(Scenario(chunk_delay=0.1))
    client = await h.connect()
    await client.say("a long enough reply to still be running", output_modalities=["text"])
    created = await client.recv()
    assert created["type"] == "response.created"
    await client.send({"type": "response.create", "event_id": "evt_again"})
    events = await client.until("error")
    error = events[-1]["error"]
    assert error["code"] == "conversation_already_has_active_response"
    assert error["event_id"] == "evt_again"
    assert created["response"]["id"] in error["message"]
    done = await client.response()
    assert done[-1]["response"]["status"] == "completed"
    await client.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
    assert (await client.response())[-1]["response"]["status"] == "completed"  # free again


async def test_response_cancel(make: Factory) -> None:
    h = await make(Scenario(chunk_delay=0.02))
    client = await h.connect()
    await client.say("please keep talking for a while so that I can cancel")
    await client.until("response.output_audio.delta")
    await client.send({"type": "response.cancel", "event_id": "evt_c"})
    events = await client.response()
    kinds = types(events)
    assert kinds[-6:] == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    response = events[-1]["response"]
    assert response["status"] == "cancelled"
    assert response["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    assert response["output"][0]["status"] == "incomplete"
    sent = "".join(e["delta"] for e in client.received if e["type"].endswith("transcript.delta"))
    reply = "You said: please keep talking for a while so that I can cancel"
    assert sent != reply and reply.startswith(sent)
    assert events[-5]["transcript"] == sent
    assert h.emulator.connections[0].history[-1].text == sent  # what was sent, no more
    await client.send({"type": "response.cancel", "event_id": "evt_c2"})
    error = (await client.recv())["error"]
    assert (error["code"], error["event_id"]) == ("response_cancel_not_active", "evt_c2")
    assert error["message"] == "Cancellation failed: no active response found"


async def test_max_output_tokens_makes_it_incomplete(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("x" * 40, output_modalities=["text"], max_output_tokens=2)
    events = await client.response()
    assert joined(events, "response.output_text.delta") == "You said"
    response = events[-1]["response"]
    assert response["status"] == "incomplete"
    assert response["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}


async def test_scenario_rules_answer(make: Factory) -> None:
    h = await make(
        Scenario(turns=[Turn(turn=1, reply="Welcome!"), Turn(match="bye", reply="Bye.")])
    )
    client = await h.connect()
    await client.say("hi", output_modalities=["text"])
    assert joined(await client.response(), "response.output_text.delta") == "Welcome!"
    await client.say("ok bye", output_modalities=["text"])
    assert joined(await client.response(), "response.output_text.delta") == "Bye."


@pytest.mark.parametrize(
    ("response", "param"),
    [
        ({"output_modalities": ["audio", "text"]}, "response.output_modalities"),
        ({"conversation": "other"}, "response.conversation"),
        ({"max_output_tokens": 5000}, "response.max_output_tokens"),
        ({"input": [{"type": "item_reference", "id": "item_missing"}]}, "response.input[0].id"),
    ],
)
async def test_invalid_response_create(
    make: Factory, response: dict[str, object], param: str
) -> None:
    h = await make()
    client = await h.connect()
    await client.send({"type": "response.create", "event_id": "evt_r", "response": response})
    error = (await client.recv())["error"]
    assert (error["param"], error["event_id"]) == (param, "evt_r")
    await client.say("still fine", output_modalities=["text"])
    assert (await client.response())[-1]["response"]["status"] == "completed"


async def test_voice_is_fixed_once_audio_was_sent(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(audio={"output": {"voice": "alloy"}})  # free before any audio
    await client.say("hi")
    done = (await client.response())[-1]["response"]
    assert done["audio"]["output"]["voice"] == "alloy"
    voice = {"type": "realtime", "audio": {"output": {"voice": "cedar"}}}
    await client.send({"type": "session.update", "session": voice})
    error = (await client.recv())["error"]
    assert (error["code"], error["param"]) == ("cannot_update_voice", "session.audio.output.voice")
    await client.update(audio={"output": {"voice": "alloy"}})  # the same voice is fine
    record = h.emulator.connections[0]
    assert [code for code, _ in record.errors] == ["cannot_update_voice"]  # type: ignore[attr-defined]


async def test_out_of_band_runs_beside_the_default_response(make: Factory) -> None:
    h = await make(Scenario(chunk_delay=0.1))
    client = await h.connect()
    await client.say("a reply long enough to overlap with another one", output_modalities=["text"])
    assert (await client.recv())["type"] == "response.created"
    oob = {"conversation": "none", "output_modalities": ["text"], "metadata": {"purpose": "x"}}
    await client.send({"type": "response.create", "response": oob})
    events: list[dict[str, object]] = []
    while types(events).count("response.done") < 2:
        events.append(await client.recv())
    assert "error" not in types(events)
    kinds = types(events)
    assert kinds.index("response.created") < kinds.index("response.done")  # they overlapped
    done = [e["response"] for e in events if e["type"] == "response.done"]
    by_purpose = {str(r["metadata"]): r for r in done}
    assert by_purpose["{'purpose': 'x'}"]["conversation_id"] is None
    assert by_purpose["None"]["conversation_id"] is not None
    assert all(r["status"] == "completed" for r in done)
    assert [e.role for e in h.emulator.connections[0].history] == ["user", "model"]
