"""Wire types: every spec example decodes to its type and back (openai-realtime.md §3-§5, §9)."""

from __future__ import annotations

import json

import msgspec
import pytest
from msgspec import UNSET

from realtalk.protocol.openai import codec, wire

from .conftest import CLIENT, PCM, SERVER

SERVER_DECODER = msgspec.json.Decoder(wire.ServerEvent)
PLACEHOLDERS = {"session.updated", "response.done/cancelled"}  # hold "..." stand-ins


@pytest.mark.parametrize("name", sorted(set(SERVER) - {"response.done/cancelled"}))
def test_every_server_example_decodes_to_its_type(name: str) -> None:
    event = SERVER_DECODER.decode(SERVER[name])
    assert wire.event_type(event) == json.loads(SERVER[name])["type"]
    assert type(event) is wire.SERVER_EVENT_TYPES[wire.event_type(event)]


@pytest.mark.parametrize("name", sorted(set(SERVER) - PLACEHOLDERS))
def test_server_examples_encode_back_to_the_same_json(name: str) -> None:
    event = SERVER_DECODER.decode(SERVER[name])
    assert json.loads(codec.encode_server(event)) == json.loads(SERVER[name])


@pytest.mark.parametrize("name", sorted(CLIENT))
def test_client_examples_decode_and_encode_back_to_the_same_json(name: str) -> None:
    event = codec.decode_client(CLIENT[name])
    assert type(event) is wire.CLIENT_EVENT_TYPES[json.loads(CLIENT[name])["type"]]
    assert json.loads(codec.encode_client(event)) == json.loads(CLIENT[name])


def test_every_event_type_of_the_spec_is_known() -> None:
    client = {
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "conversation.item.create",
        "conversation.item.retrieve",
        "conversation.item.truncate",
        "conversation.item.delete",
        "response.create",
        "response.cancel",
        "output_audio_buffer.clear",
        "transcription_session.update",
    }
    assert set(wire.CLIENT_EVENT_TYPES) == client
    mcp = {
        "mcp_list_tools.in_progress",
        "mcp_list_tools.completed",
        "mcp_list_tools.failed",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
        "input_audio_buffer.dtmf_event_received",
        "conversation.item.input_audio_transcription.segment",
    }
    examples = {json.loads(frame)["type"] for frame in SERVER.values()}
    assert examples | mcp | set(wire.BETA_ALIASES) <= set(wire.SERVER_EVENT_TYPES)
    assert len(wire.SERVER_EVENT_TYPES) == 54


# -- typed content -----------------------------------------------------------------------------


def test_audio_is_base64_decoded_by_msgspec() -> None:
    event = SERVER_DECODER.decode(SERVER["response.output_audio.delta"])
    assert isinstance(event, wire.ResponseOutputAudioDelta)
    assert event.delta == PCM
    assert json.loads(codec.encode_server(event))["delta"] == "AAAAAP//AQD+/wIA"


def test_session_created_fields() -> None:
    event = SERVER_DECODER.decode(SERVER["session.created"])
    assert isinstance(event, wire.SessionCreated)
    session = event.session
    assert session.id == "sess_C9G5QPteg4UIbotdKLoYQ"
    assert session.max_output_tokens == "inf"
    assert session.tracing is None and session.prompt is None and session.include is None
    assert isinstance(session.audio, wire.SessionAudio)
    assert isinstance(session.audio.input, wire.AudioInput)
    vad = session.audio.input.turn_detection
    assert isinstance(vad, wire.ServerVad)
    assert (vad.silence_duration_ms, vad.idle_timeout_ms, vad.interrupt_response) == (
        200,
        None,
        True,
    )
    assert session.audio.input.transcription is None
    assert session.reasoning is UNSET  # absent stays absent


def test_session_update_tools_and_null_vs_absent() -> None:
    event = codec.decode_client(CLIENT["session.update"])
    assert isinstance(event, wire.SessionUpdate)
    (tool,) = event.session.tools  # type: ignore[misc]
    assert tool == wire.FunctionTool(
        name="get_weather",
        description="Current weather for a city",
        parameters={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    )
    assert event.session.tracing is None  # explicit null is kept ...
    assert event.session.prompt is UNSET  # ... and differs from absent
    body = json.loads(codec.encode_session_update(wire.Session(type="realtime", tracing=None)))
    assert body == {"type": "session.update", "session": {"type": "realtime", "tracing": None}}


def test_turn_detection_union_and_manual_turns() -> None:
    semantic = wire.AudioInput(turn_detection=wire.SemanticVad(eagerness="low"))
    manual = wire.AudioInput(turn_detection=None)
    assert (
        msgspec.json.encode(semantic)
        == b'{"turn_detection":{"type":"semantic_vad","eagerness":"low"}}'
    )
    assert msgspec.json.encode(manual) == b'{"turn_detection":null}'
    assert msgspec.json.decode(b'{"turn_detection":null}', type=wire.AudioInput) == manual


def test_tool_choice_and_voice_unions() -> None:
    session = msgspec.json.decode(
        b'{"tool_choice": {"type": "function", "name": "f"}, "voice": {"id": "voice_1"},'
        b' "truncation": {"type": "retention_ratio", "retention_ratio": 0.5}}',
        type=wire.Session,
    )
    assert session.tool_choice == wire.ToolChoiceFunction(name="f")
    assert session.voice == wire.VoiceRef(id="voice_1")
    assert session.truncation == wire.RetentionRatioTruncation(retention_ratio=0.5)
    assert (
        msgspec.json.decode(b'{"tool_choice": "required"}', type=wire.Session).tool_choice
        == "required"
    )


def test_items_and_parts() -> None:
    event = SERVER_DECODER.decode(SERVER["conversation.item.retrieved"])
    assert isinstance(event, wire.ConversationItemRetrieved)
    item = event.item
    assert isinstance(item, wire.MessageItem) and item.role == "assistant"
    (part,) = item.content
    assert isinstance(part, wire.OutputAudioContent)
    assert (part.audio, part.transcript) == (PCM, "Yes, I can hear you.")
    part_event = SERVER_DECODER.decode(SERVER["response.content_part.added"])
    assert isinstance(part_event, wire.ResponseContentPartAdded)
    assert isinstance(part_event.part, wire.AudioContent)  # the SDK's "audio" part name ...
    assert isinstance(part_event.part, wire.OutputAudioContent)  # ... is an output_audio alias


def test_function_call_item() -> None:
    frame = (
        b'{"type": "response.output_item.added", "response_id": "r", "output_index": 1,'
        b' "item": {"type": "function_call", "status": "in_progress", "call_id": "call_1",'
        b' "name": "get_weather", "arguments": ""}}'
    )
    event = SERVER_DECODER.decode(frame)
    assert isinstance(event, wire.ResponseOutputItemAdded)
    assert event.item == wire.FunctionCallItem(
        status="in_progress", call_id="call_1", name="get_weather", arguments=""
    )
    assert b'"arguments":""' in codec.encode_server(event)  # empty strings are written


def test_response_object() -> None:
    event = SERVER_DECODER.decode(SERVER["response.done"])
    assert isinstance(event, wire.ResponseDone)
    response = event.response
    assert (response.status, response.status_details, response.metadata) == (
        "completed",
        None,
        None,
    )
    assert isinstance(response.usage, wire.ResponseUsage)
    assert response.usage.input_token_details is not None
    assert response.usage.input_token_details.cached_tokens == 64
    assert response.audio is not None and response.audio.output is not None
    assert response.audio.output.format == wire.AudioFormat(type="audio/pcm", rate=24000)
    assert SERVER_DECODER.decode(SERVER["response.created"]).response.usage is None  # type: ignore[union-attr]


def test_rate_limits() -> None:
    event = SERVER_DECODER.decode(SERVER["rate_limits.updated"])
    assert isinstance(event, wire.RateLimitsUpdated)
    assert event.rate_limits[1] == wire.RateLimit(
        name="tokens", limit=50000, remaining=49950, reset_seconds=60
    )


# -- beta (§9) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("beta", "ga"),
    [
        (wire.ResponseTextDelta, wire.ResponseOutputTextDelta),
        (wire.ResponseTextDone, wire.ResponseOutputTextDone),
        (wire.ResponseAudioDelta, wire.ResponseOutputAudioDelta),
        (wire.ResponseAudioDone, wire.ResponseOutputAudioDone),
        (wire.ResponseAudioTranscriptDelta, wire.ResponseOutputAudioTranscriptDelta),
        (wire.ResponseAudioTranscriptDone, wire.ResponseOutputAudioTranscriptDone),
        (wire.TranscriptionSessionCreated, wire.SessionCreated),
        (wire.TranscriptionSessionUpdated, wire.SessionUpdated),
    ],
)
def test_beta_names_are_aliases_of_the_ga_types(beta: type, ga: type) -> None:
    assert issubclass(beta, ga)
    assert wire.BETA_ALIASES[wire.event_type(beta)] == wire.event_type(ga)
    assert msgspec.structs.fields(beta) == msgspec.structs.fields(ga)


def test_beta_examples_decode_as_their_ga_counterparts() -> None:
    audio = SERVER_DECODER.decode(SERVER["response.audio.delta"])
    assert isinstance(audio, wire.ResponseOutputAudioDelta) and audio.delta == PCM
    text = SERVER_DECODER.decode(SERVER["response.text.delta"])
    assert isinstance(text, wire.ResponseOutputTextDelta) and text.delta == "Sure"
    session = SERVER_DECODER.decode(SERVER["transcription_session.updated"])
    assert isinstance(session, wire.SessionUpdated)
    assert session.session.input_audio_format == "pcm16"
    assert isinstance(session.session.turn_detection, wire.ServerVad)


def test_beta_alias_encodes_the_beta_name() -> None:
    frame = codec.encode_server(wire.ResponseAudioDelta(event_id="e", delta=b"\x00\x01"))
    assert json.loads(frame)["type"] == "response.audio.delta"


# -- server-side encoding --------------------------------------------------------------------


def test_server_events_write_nulls_but_not_unset_fields() -> None:
    added = wire.ConversationItemAdded(
        event_id="event_1",
        previous_item_id=None,
        item=wire.MessageItem(role="user", content=[wire.InputTextContent(text="hi")]),
    )
    assert json.loads(codec.encode_server(added)) == {
        "type": "conversation.item.added",
        "event_id": "event_1",
        "previous_item_id": None,
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hi"}],
        },
    }
    error = wire.ErrorEvent(error=wire.ErrorDetail(type="server_error", message="boom", code=None))
    assert json.loads(codec.encode_server(error)) == {
        "type": "error",
        "error": {"type": "server_error", "code": None, "message": "boom"},
    }
    delta = json.loads(
        codec.encode_server(wire.InputAudioTranscriptionDelta(item_id="i", delta=""))
    )
    assert delta == {
        "type": "conversation.item.input_audio_transcription.delta",
        "item_id": "i",
        "content_index": 0,
        "delta": "",
    }


def test_encoders_reject_the_wrong_role() -> None:
    with pytest.raises(TypeError):
        codec.encode_server(wire.InputAudioBufferClear())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        codec.encode_client(wire.InputAudioBufferCleared())  # type: ignore[arg-type]
