"""Client-role codec: server frames to neutral events, commands to bytes (spec §4-§6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realtalk.protocol import events as ev
from realtalk.protocol.openai import codec, pcm, wire
from realtalk.protocol.openai.codec import OpenAIDecoder

from .conftest import PCM, SERVER, SESSION_CREATED


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "event_id": "event_x", **fields})


def response(
    rid: str, status: str, output: list[Any] | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"object": "realtime.response", "id": rid, "status": status, "output": output or []}
    body.setdefault("conversation_id", "conv_1")
    return {**body, **extra}


def created(rid: str, **extra: Any) -> str:
    return frame("response.created", response=response(rid, "in_progress", **extra))


def done(rid: str, status: str = "completed", output: list[Any] | None = None, **extra: Any) -> str:
    return frame("response.done", response=response(rid, status, output, **extra))


def call_item(call_id: str, name: str, arguments: str, status: str = "completed") -> dict[str, Any]:
    return {
        "id": f"item_{call_id}",
        "object": "realtime.item",
        "type": "function_call",
        "status": status,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }


def feed_all(decoder: OpenAIDecoder, *frames: str) -> list[ev.Event]:
    return [event for data in frames for event in decoder.feed(data)]


# -- one spec example -> documented events ----------------------------------------------------

USAGE = ev.Usage(
    prompt_tokens=132,
    response_tokens=121,
    total_tokens=253,
    cached_tokens=64,
    prompt_details={"TEXT": 119, "AUDIO": 13, "IMAGE": 0},
    response_details={"TEXT": 30, "AUDIO": 91},
)

SINGLE = [
    (
        "error",
        (
            ev.Error(
                code="invalid_value",
                message="Invalid value: 'scooby.dooby.doo' ...",
                param="type",
                event_id="evt_client_42",
            ),
        ),
    ),
    ("response.output_audio.delta", (ev.AudioDelta(data=PCM, sample_rate=24000),)),
    ("response.audio.delta", (ev.AudioDelta(data=PCM, sample_rate=24000),)),
    ("response.output_text.delta", (ev.TextDelta(text="Sure, I can h"),)),
    ("response.text.delta", (ev.TextDelta(text="Sure"),)),
    ("response.output_text.done", (ev.TextDelta(text="Sure, I can help with that."),)),
    ("response.output_audio_transcript.delta", (ev.OutputTranscript(text="Hello, how can I a"),)),
    ("response.audio_transcript.delta", (ev.OutputTranscript(text="Hello"),)),
    (
        "response.output_audio_transcript.done",
        (ev.OutputTranscript(text="Hello, how can I assist you today?", final=True),),
    ),
    ("transcription.delta", (ev.InputTranscript(text="Hey"),)),
    ("transcription.completed", (ev.InputTranscript(text="Hey, can you hear me?", final=True),)),
    (
        "transcription.failed",
        (ev.Error(code="audio_unintelligible", message="The audio could not be transcribed."),),
    ),
    ("input_audio_buffer.speech_started", (ev.SpeechStarted(offset=1.0),)),
    ("input_audio_buffer.speech_stopped", (ev.SpeechStopped(offset=2.0),)),
    ("response.created", (ev.ResponseStarted(response_id="resp_C9G8p7IH2WxLbkgPNouYL"),)),
    (
        "response.done",
        (
            USAGE,
            ev.ResponseDone(status="completed", response_id="resp_CCXHw0UJld10EzIUXQCNh"),
            ev.GenerationComplete(),
            ev.TurnComplete(),
        ),
    ),
    (
        "response.done/cancelled",  # the spec's placeholders: skipped item, empty usage
        (
            ev.Usage(),
            ev.ResponseDone(status="cancelled", response_id="resp_X", reason="turn_detected"),
            ev.Interrupted(),
            ev.TurnComplete(reason="cancelled"),
        ),
    ),
    (
        "rate_limits.updated",
        (
            ev.RateLimits(
                limits=(
                    ev.RateLimit(name="requests", limit=1000, remaining=999, reset_seconds=60),
                    ev.RateLimit(name="tokens", limit=50000, remaining=49950, reset_seconds=60),
                )
            ),
        ),
    ),
]

SILENT = [
    "conversation.created",
    "conversation.item.added",
    "conversation.item.done",
    "conversation.item.created",
    "conversation.item.retrieved",
    "conversation.item.truncated",
    "conversation.item.deleted",
    "transcription.segment",
    "input_audio_buffer.committed",
    "input_audio_buffer.cleared",
    "input_audio_buffer.timeout_triggered",
    "response.output_item.added",
    "response.output_item.done",
    "response.content_part.added",
    "response.content_part.done",
    "response.output_audio.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "output_audio_buffer.started",
    "output_audio_buffer.stopped",
    "output_audio_buffer.cleared",
]


@pytest.mark.parametrize(("name", "expected"), SINGLE, ids=[name for name, _ in SINGLE])
def test_spec_example_gives_documented_events(name: str, expected: tuple[ev.Event, ...]) -> None:
    assert OpenAIDecoder().feed(SERVER[name]) == expected
    assert OpenAIDecoder().feed(SERVER[name].encode()) == expected  # bytes too


@pytest.mark.parametrize("name", SILENT)
def test_bookkeeping_events_give_nothing(name: str) -> None:
    assert OpenAIDecoder().feed(SERVER[name]) == ()


def test_session_created_then_updated_completes_the_setup() -> None:
    decoder = OpenAIDecoder()
    first = decoder.feed(SESSION_CREATED)
    assert len(first) == 1 and isinstance(first[0], ev.SessionUpdated)
    assert first[0].created and first[0].session_id == "sess_C9G5QPteg4UIbotdKLoYQ"
    assert first[0].session["audio"]["output"]["voice"] == "marin"  # the raw session object
    second = decoder.feed(SERVER["session.updated"])
    assert [type(e) for e in second] == [ev.SessionUpdated, ev.SetupComplete]
    assert second[1] == ev.SetupComplete(session_id="sess_C9G8l3zp50uFv4qgxfJ8o")
    assert not second[0].created and second[0].session["..."] == "full config"
    third = decoder.feed(SERVER["session.updated"])  # later updates: no second SetupComplete
    assert [type(e) for e in third] == [ev.SessionUpdated]


def test_session_updated_without_created_is_not_a_setup() -> None:
    assert [type(e) for e in OpenAIDecoder().feed(SERVER["session.updated"])] == [ev.SessionUpdated]


# -- malformed / unknown ------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["", b"", "   ", b"\n"])
def test_empty_frames_give_nothing(data: str | bytes) -> None:
    assert OpenAIDecoder().feed(data) == ()


@pytest.mark.parametrize(
    "data", ["garbage", b"\xff\xfe", "[]", "null", "42", '{"no": "type"}', '{"type": 7}']
)
def test_garbage_gives_malformed_error(data: str | bytes) -> None:
    (event,) = OpenAIDecoder().feed(data)
    assert isinstance(event, ev.Error) and event.code == "malformed"


def test_unknown_type_gives_unknown() -> None:
    raw = {"type": "response.reasoning.delta", "event_id": "e", "delta": "hmm"}
    assert OpenAIDecoder().feed(json.dumps(raw)) == (ev.Unknown(raw=raw),)


def test_known_type_with_an_unknown_item_gives_unknown() -> None:
    raw = {"type": "conversation.item.added", "item": {"type": "reasoning", "id": "x"}}
    assert OpenAIDecoder().feed(json.dumps(raw)) == (ev.Unknown(raw=raw),)


def test_known_type_with_invalid_fields_gives_malformed() -> None:
    (event,) = OpenAIDecoder().feed(frame("response.output_audio.delta", delta="not base64!"))
    assert isinstance(event, ev.Error) and event.code == "malformed"
    (event,) = OpenAIDecoder().feed(frame("input_audio_buffer.speech_started", audio_start_ms="x"))
    assert isinstance(event, ev.Error) and event.code == "malformed"


def test_unknown_fields_are_ignored() -> None:
    data = frame("response.output_text.delta", item_id="i", delta="hi", brand_new={"x": 1})
    assert OpenAIDecoder().feed(data) == (ev.TextDelta(text="hi"),)


def test_error_without_code_uses_the_type() -> None:
    data = frame(
        "error", error={"type": "server_error", "code": None, "message": "m", "param": None}
    )
    assert OpenAIDecoder().feed(data) == (ev.Error(code="server_error", message="m"),)


# -- transcripts are deltas ---------------------------------------------------------------------


def test_transcript_done_sends_only_the_rest() -> None:
    decoder = OpenAIDecoder()
    key = {"response_id": "r", "item_id": "i", "content_index": 0}
    events = feed_all(
        decoder,
        frame("response.output_audio_transcript.delta", delta="Hello, ", **key),
        frame("response.output_audio_transcript.delta", delta="world", **key),
        frame("response.output_audio_transcript.done", transcript="Hello, world!", **key),
        frame("response.output_audio_transcript.done", transcript="again", item_id="j"),
    )
    assert events == [
        ev.OutputTranscript(text="Hello, "),
        ev.OutputTranscript(text="world"),
        ev.OutputTranscript(text="!", final=True),
        ev.OutputTranscript(text="again", final=True),
    ]


def test_transcript_that_does_not_extend_the_deltas_ends_with_an_empty_final() -> None:
    decoder = OpenAIDecoder()
    events = feed_all(
        decoder,
        frame("conversation.item.input_audio_transcription.delta", item_id="u", delta="Hi ther"),
        frame(
            "conversation.item.input_audio_transcription.completed", item_id="u", transcript="Hey"
        ),
    )
    assert events == [ev.InputTranscript(text="Hi ther"), ev.InputTranscript(text="", final=True)]


def test_text_done_after_all_deltas_gives_nothing() -> None:
    events = feed_all(
        OpenAIDecoder(),
        frame("response.output_text.delta", item_id="m", delta="Paris"),
        frame("response.output_text.done", item_id="m", text="Paris"),
    )
    assert events == [ev.TextDelta(text="Paris")]


# -- audio formats ----------------------------------------------------------------------------


def session_frame(kind: str, audio: dict[str, Any]) -> str:
    return frame(kind, session={"type": "realtime", "id": "sess_1", "audio": audio})


def test_output_rate_and_g711_follow_the_session() -> None:
    decoder = OpenAIDecoder()
    decoder.feed(session_frame("session.created", {"output": {"format": {"type": "audio/pcmu"}}}))
    ulaw = bytes([0x00, 0x80, 0xFF])
    (event,) = decoder.feed(frame("response.output_audio.delta", delta="AID/"))
    assert event == ev.AudioDelta(data=pcm.ulaw_decode(ulaw), sample_rate=8000)
    decoder.feed(session_frame("session.updated", {"output": {"format": {"type": "audio/pcma"}}}))
    (event,) = decoder.feed(frame("response.output_audio.delta", delta="AID/"))
    assert event == ev.AudioDelta(data=pcm.alaw_decode(ulaw), sample_rate=8000)
    decoder.feed(frame("session.updated", session={"output_audio_format": "pcm16"}))  # beta shape
    (event,) = decoder.feed(frame("response.output_audio.delta", delta="AID/"))
    assert event == ev.AudioDelta(data=ulaw, sample_rate=24000)


def test_per_response_output_format_override() -> None:
    decoder = OpenAIDecoder()
    fmt = {"output": {"format": {"type": "audio/pcma"}, "voice": "marin"}}
    decoder.feed(created("resp_g711", audio=fmt))
    (a,) = decoder.feed(frame("response.output_audio.delta", response_id="resp_g711", delta="AA=="))
    (b,) = decoder.feed(frame("response.output_audio.delta", response_id="other", delta="AA=="))
    assert a == ev.AudioDelta(data=pcm.alaw_decode(b"\x00"), sample_rate=8000)
    assert b == ev.AudioDelta(data=b"\x00", sample_rate=24000)
    decoder.feed(done("resp_g711"))
    (c,) = decoder.feed(frame("response.output_audio.delta", response_id="resp_g711", delta="AA=="))
    assert c.sample_rate == 24000  # type: ignore[attr-defined]


def test_audio_item_is_remembered_for_truncation() -> None:
    decoder = OpenAIDecoder()
    assert decoder.audio_item is None
    decoder.feed(SERVER["response.output_audio.delta"])
    assert decoder.audio_item == ("msg_008", 0)


# -- flows (§6) ---------------------------------------------------------------------------------


def test_audio_turn_with_server_vad() -> None:
    """§6.2, in the documented order."""
    decoder = OpenAIDecoder()
    part = {"response_id": "resp_1", "item_id": "item_A", "output_index": 0, "content_index": 0}
    user_item = {
        "id": "item_U",
        "type": "message",
        "role": "user",
        "content": [{"type": "input_audio", "transcript": None}],
    }
    assistant = {
        "id": "item_A",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_audio", "transcript": "Hi!"}],
    }
    events = feed_all(
        decoder,
        frame("input_audio_buffer.speech_started", audio_start_ms=300, item_id="item_U"),
        frame("input_audio_buffer.speech_stopped", audio_end_ms=1800, item_id="item_U"),
        frame("input_audio_buffer.committed", item_id="item_U", previous_item_id=None),
        frame("conversation.item.added", previous_item_id=None, item=user_item),
        frame("conversation.item.done", previous_item_id=None, item=user_item),
        created("resp_1"),
        frame(
            "response.output_item.added",
            response_id="resp_1",
            output_index=0,
            item={**assistant, "status": "in_progress", "content": []},
        ),
        frame("conversation.item.added", item={**assistant, "content": []}),
        frame("response.content_part.added", part={"type": "audio", "transcript": ""}, **part),
        frame("response.output_audio.delta", delta="AAAA", **part),
        frame("response.output_audio_transcript.delta", delta="Hi", **part),
        frame("conversation.item.input_audio_transcription.delta", item_id="item_U", delta="Hello"),
        frame(
            "conversation.item.input_audio_transcription.completed",
            item_id="item_U",
            transcript="Hello",
        ),
        frame("response.output_audio.done", **part),
        frame("response.output_audio_transcript.done", transcript="Hi!", **part),
        frame("response.content_part.done", part={"type": "audio", "transcript": "Hi!"}, **part),
        frame("response.output_item.done", response_id="resp_1", output_index=0, item=assistant),
        frame("conversation.item.done", item=assistant),
        done(
            "resp_1",
            output=[assistant],
            usage={"total_tokens": 3, "input_tokens": 2, "output_tokens": 1},
        ),
        SERVER["rate_limits.updated"],
    )
    assert [type(e) for e in events] == [
        ev.SpeechStarted,
        ev.SpeechStopped,
        ev.ResponseStarted,
        ev.AudioDelta,
        ev.OutputTranscript,
        ev.InputTranscript,
        ev.InputTranscript,
        ev.OutputTranscript,
        ev.Usage,
        ev.ResponseDone,
        ev.GenerationComplete,
        ev.TurnComplete,
        ev.RateLimits,
    ]
    assert events[0] == ev.SpeechStarted(offset=0.3)
    assert events[6] == ev.InputTranscript(text="", final=True)
    assert events[7] == ev.OutputTranscript(text="!", final=True)
    assert events[8] == ev.Usage(prompt_tokens=2, response_tokens=1, total_tokens=3)


def test_function_calling_with_two_parallel_calls() -> None:
    """§6.5: one ToolCall with both calls, no turn end; the follow-up response ends the turn."""
    decoder = OpenAIDecoder()
    oslo = call_item("call_1", "get_weather", '{"city": "Oslo"}')
    bergen = call_item("call_2", "get_weather", '{"city": "Bergen"}')
    events = feed_all(
        decoder,
        created("resp_1"),
        frame(
            "response.output_item.added",
            response_id="resp_1",
            output_index=0,
            item={**oslo, "status": "in_progress", "arguments": ""},
        ),
        frame(
            "response.function_call_arguments.delta",
            response_id="resp_1",
            item_id="item_call_1",
            call_id="call_1",
            delta='{"city": ',
        ),
        frame(
            "response.function_call_arguments.done",
            response_id="resp_1",
            item_id="item_call_1",
            call_id="call_1",
            name="get_weather",
            arguments='{"city": "Oslo"}',
        ),
        frame("response.output_item.done", response_id="resp_1", output_index=0, item=oslo),
        frame(
            "response.output_item.added",
            response_id="resp_1",
            output_index=1,
            item={**bergen, "status": "in_progress", "arguments": ""},
        ),
        frame(
            "response.function_call_arguments.done",
            response_id="resp_1",
            item_id="item_call_2",
            call_id="call_2",
            name="get_weather",
            arguments='{"city": "Bergen"}',
        ),
        frame("response.output_item.done", response_id="resp_1", output_index=1, item=bergen),
        done("resp_1", output=[oslo, bergen]),
    )
    assert events == [
        ev.ResponseStarted(response_id="resp_1"),
        ev.ToolCall(
            calls=(
                ev.FunctionCall("call_1", "get_weather", {"city": "Oslo"}),
                ev.FunctionCall("call_2", "get_weather", {"city": "Bergen"}),
            )
        ),
        ev.ResponseDone(status="completed", response_id="resp_1"),
    ]
    assert not any(isinstance(e, ev.TurnComplete | ev.GenerationComplete) for e in events)
    follow_up = feed_all(decoder, created("resp_2"), done("resp_2"))
    assert follow_up[-2:] == [ev.GenerationComplete(), ev.TurnComplete()]


def test_spoken_preamble_and_call_in_one_response() -> None:
    assistant = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [],
    }
    events = OpenAIDecoder().feed(done("r", output=[assistant, call_item("c", "f", "{}")]))
    assert events[0] == ev.ToolCall(calls=(ev.FunctionCall("c", "f", {}),))
    assert [type(e) for e in events] == [ev.ToolCall, ev.ResponseDone]


def test_calls_are_taken_from_output_item_done_when_response_done_has_no_output() -> None:
    decoder = OpenAIDecoder()
    item = call_item("call_1", "f", "")
    item.pop("arguments")
    events = feed_all(
        decoder,
        created("r"),
        frame(
            "response.function_call_arguments.done",
            response_id="r",
            call_id="call_1",
            name="f",
            arguments='{"a": 1}',
        ),
        frame("response.output_item.done", response_id="r", item=item),
        frame("response.done", response={"id": "r", "status": "completed"}),
    )
    assert events[1] == ev.ToolCall(calls=(ev.FunctionCall("call_1", "f", {"a": 1}),))


@pytest.mark.parametrize("arguments", ['{"city": ', "[1, 2]", '"Oslo"'])
def test_invalid_arguments_keep_the_call_and_report_an_error(arguments: str) -> None:
    events = OpenAIDecoder().feed(done("r", output=[call_item("call_9", "get_weather", arguments)]))
    assert events[0] == ev.ToolCall(
        calls=(ev.FunctionCall("call_9", "get_weather", {codec.RAW_ARGUMENTS_KEY: arguments}),)
    )
    assert isinstance(events[1], ev.Error)
    assert (events[1].code, events[1].param) == ("invalid_function_arguments", "call_9")
    assert isinstance(events[2], ev.ResponseDone)


def test_empty_arguments_are_an_empty_dict() -> None:
    events = OpenAIDecoder().feed(done("r", output=[call_item("c", "now", "")]))
    assert events[0] == ev.ToolCall(calls=(ev.FunctionCall("c", "now", {}),))


def test_calls_of_a_cancelled_response_or_incomplete_calls_are_not_run() -> None:
    cancelled = OpenAIDecoder().feed(
        done(
            "r",
            "cancelled",
            [call_item("c", "f", "{}")],
            status_details={"type": "cancelled", "reason": "client_cancelled"},
        )
    )
    assert not any(isinstance(e, ev.ToolCall) for e in cancelled)
    assert cancelled[-1] == ev.TurnComplete(reason="cancelled")
    partial = OpenAIDecoder().feed(
        done("r", "incomplete", [call_item("c", "f", '{"a', "incomplete")])
    )
    assert not any(isinstance(e, ev.ToolCall) for e in partial)


def test_interruption_by_vad_gives_interrupted_once() -> None:
    """§6.6: speech_started during a response, then response.done cancelled/turn_detected."""
    decoder = OpenAIDecoder()
    decoder.feed(SESSION_CREATED)  # server_vad with interrupt_response: true
    events = feed_all(
        decoder,
        created("resp_1"),
        frame("response.output_audio.delta", response_id="resp_1", item_id="item_A", delta="AAAA"),
        frame("input_audio_buffer.speech_started", audio_start_ms=2500, item_id="item_U"),
        frame("response.output_audio.done", response_id="resp_1", item_id="item_A"),
        done(
            "resp_1", "cancelled", status_details={"type": "cancelled", "reason": "turn_detected"}
        ),
        frame("input_audio_buffer.speech_started", audio_start_ms=2600, item_id="item_U2"),
    )
    assert events == [
        ev.ResponseStarted(response_id="resp_1"),
        ev.AudioDelta(data=b"\x00\x00\x00", sample_rate=24000),
        ev.SpeechStarted(offset=2.5),
        ev.Interrupted(),
        ev.ResponseDone(status="cancelled", response_id="resp_1", reason="turn_detected"),
        ev.TurnComplete(reason="cancelled"),
        ev.SpeechStarted(offset=2.6),
    ]
    assert decoder.audio_item == ("item_A", 0)


def test_no_interrupted_when_vad_does_not_interrupt() -> None:
    decoder = OpenAIDecoder()
    vad = {"input": {"turn_detection": {"type": "server_vad", "interrupt_response": False}}}
    decoder.feed(session_frame("session.created", vad))
    events = feed_all(
        decoder, created("r"), frame("input_audio_buffer.speech_started", audio_start_ms=0)
    )
    assert events == [ev.ResponseStarted(response_id="r"), ev.SpeechStarted(offset=0.0)]


def test_out_of_band_responses_are_not_interrupted_by_speech() -> None:
    decoder = OpenAIDecoder()
    events = feed_all(
        decoder,
        created("oob", conversation_id=None),
        frame("input_audio_buffer.speech_started", audio_start_ms=0),
    )
    assert ev.Interrupted() not in events
    assert decoder.active_response_id is None


def test_client_cancel_gives_interrupted_at_response_done() -> None:
    decoder = OpenAIDecoder()
    decoder.feed(created("r"))
    assert decoder.active_response_id == "r"
    events = decoder.feed(
        done("r", "cancelled", status_details={"type": "cancelled", "reason": "client_cancelled"})
    )
    assert events == (
        ev.ResponseDone(status="cancelled", response_id="r", reason="client_cancelled"),
        ev.Interrupted(),
        ev.TurnComplete(reason="cancelled"),
    )
    assert decoder.active_response_id is None


def test_incomplete_and_failed_responses() -> None:
    incomplete = OpenAIDecoder().feed(
        done(
            "r", "incomplete", status_details={"type": "incomplete", "reason": "max_output_tokens"}
        )
    )
    assert incomplete == (
        ev.ResponseDone(status="incomplete", response_id="r", reason="max_output_tokens"),
        ev.GenerationComplete(),
        ev.TurnComplete(reason="incomplete"),
    )
    error = {"type": "server_error", "code": "overloaded", "message": "try again"}
    failed = OpenAIDecoder().feed(
        done("r", "failed", status_details={"type": "failed", "error": error})
    )
    assert failed == (
        ev.ResponseDone(status="failed", response_id="r", reason="overloaded", error="try again"),
        ev.TurnComplete(reason="failed"),
    )


def test_new_session_resets_the_state() -> None:
    decoder = OpenAIDecoder()
    decoder.feed(created("r"))
    decoder.feed(SESSION_CREATED)
    assert decoder.active_response_id is None
    assert decoder.feed(frame("input_audio_buffer.speech_started", audio_start_ms=0)) == (
        ev.SpeechStarted(offset=0.0),
    )


def test_decoder_assumes_the_configured_session_until_told_otherwise() -> None:
    session = wire.Session(
        audio=wire.SessionAudio(
            input=wire.AudioInput(format=wire.AudioFormat(type="audio/pcmu"), turn_detection=None),
            output=wire.AudioOutput(format=wire.AudioFormat(type="audio/pcma")),
        )
    )
    decoder = OpenAIDecoder(session)
    assert decoder.input_format == wire.AudioFormat(type="audio/pcmu")
    assert decoder.output_rate == 8000
    assert decoder.interrupt_response is False


# -- encoders ------------------------------------------------------------------------------------


def test_fast_builders_write_the_spec_shapes() -> None:
    assert codec.encode_input_audio_buffer_append(PCM) == (
        b'{"type":"input_audio_buffer.append","audio":"AAAAAP//AQD+/wIA"}'
    )
    assert codec.encode_input_audio_buffer_append_base64("AAAAAP__AQD-_wIA", "e1") == (
        b'{"type":"input_audio_buffer.append","event_id":"e1","audio":"AAAAAP//AQD+/wIA"}'
    )
    assert codec.encode_input_audio_buffer_commit("evt_commit_7") == (
        b'{"type":"input_audio_buffer.commit","event_id":"evt_commit_7"}'
    )
    assert codec.encode_input_audio_buffer_clear() == b'{"type":"input_audio_buffer.clear"}'
    assert codec.encode_output_audio_buffer_clear() == b'{"type":"output_audio_buffer.clear"}'
    assert codec.encode_response_create() == b'{"type":"response.create"}'
    assert codec.encode_response_cancel("resp_1") == (
        b'{"type":"response.cancel","response_id":"resp_1"}'
    )
    assert codec.encode_conversation_item_truncate("item_1", 0, 1500) == (
        b'{"type":"conversation.item.truncate","item_id":"item_1","content_index":0,"audio_end_ms":1500}'
    )
    assert codec.encode_conversation_item_delete("item_003") == (
        b'{"type":"conversation.item.delete","item_id":"item_003"}'
    )
    assert codec.encode_conversation_item_retrieve("i") == (
        b'{"type":"conversation.item.retrieve","item_id":"i"}'
    )
    assert json.loads(codec.encode_function_call_output("call_1", '{"temp_c": 4}')) == {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": "call_1", "output": '{"temp_c": 4}'},
    }
    assert json.loads(codec.encode_user_text("hi")) == {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hi"}],
        },
    }
    assert json.loads(codec.encode_input_image(b"\x89PNG", "image/png", "low")) == {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [
                {
                    "type": "input_image",
                    "image_url": "data:image/png;base64,iVBORw==",
                    "detail": "low",
                }
            ],
        },
    }
    root = codec.encode_conversation_item_create(codec.text_message_item("x", "system"), "root")
    assert json.loads(root)["previous_item_id"] == "root"
    oob = wire.ResponseCreateParams(conversation="none", output_modalities=["text"])
    assert json.loads(codec.encode_response_create(oob)) == {
        "type": "response.create",
        "response": {"conversation": "none", "output_modalities": ["text"]},
    }


def test_assistant_text_items_use_output_text() -> None:
    (part,) = codec.text_message_item("ok", "assistant").content
    assert isinstance(part, wire.OutputTextContent)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: codec.encode_conversation_item_truncate("i", -1, 0), ValueError),
        (lambda: codec.encode_conversation_item_truncate("i", 0, 1.5), TypeError),
        (lambda: codec.encode_input_audio_buffer_append_base64("not base64!"), ValueError),
        (lambda: codec.encode_input_audio_buffer_append("text"), TypeError),
        (lambda: codec.encode_input_image(b"x", "text/plain"), ValueError),
        (lambda: codec.text_message_item("x", "model"), ValueError),
        (lambda: codec.function_call_output_item("", "x"), ValueError),
        (lambda: codec.encode_response_create({"conversation": "none"}), TypeError),
        (lambda: codec.encode_conversation_item_create({"type": "message"}), TypeError),
        (lambda: codec.encode_response_cancel(event_id=7), TypeError),
    ],
)
def test_builders_validate_their_arguments(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


def test_event_ids_are_deterministic() -> None:
    ids = codec.EventIds("c_", start=5)
    assert [ids(), ids(), ids()] == ["c_5", "c_6", "c_7"]
    assert codec.EventIds()() == "evt_rt_1"
