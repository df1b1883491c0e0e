"""Server role: client events validated like the OpenAI server does (spec §4, §5.1, §10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realtalk.errors import ProtocolError
from realtalk.protocol.openai import codec, wire
from realtalk.protocol.openai.server_role import ClientEventError

from .conftest import CLIENT, PCM


def refuse(data: str | bytes, **options: Any) -> ClientEventError:
    with pytest.raises(ClientEventError) as info:
        codec.decode_client(data, **options)
    return info.value


def test_decodes_typed_events_with_audio_as_bytes() -> None:
    event = codec.decode_client(CLIENT["input_audio_buffer.append"])
    assert event == wire.InputAudioBufferAppend(audio=PCM)
    truncate = codec.decode_client(CLIENT["conversation.item.truncate"])
    assert truncate == wire.ConversationItemTruncate(
        item_id="item_CCXLfxmM5sXVJVz4mCa2S", content_index=0, audio_end_ms=1500
    )


def test_unknown_type_is_invalid_value_with_the_event_id_echoed() -> None:
    error = refuse('{"type": "scooby.dooby.doo", "event_id": "evt_client_42"}')
    assert (error.type, error.code, error.param, error.event_id) == (
        "invalid_request_error",
        "invalid_value",
        "type",
        "evt_client_42",
    )
    assert error.message.startswith("Invalid value: 'scooby.dooby.doo'.")
    assert isinstance(error, ProtocolError) and len(error.reason.encode()) <= 123


def test_missing_type() -> None:
    error = refuse('{"event_id": "e"}')
    assert (error.code, error.param, error.event_id) == ("missing_required_parameter", "type", "e")


@pytest.mark.parametrize("data", ["not json", b"\xff", "[1]", '"x"', "null"])
def test_not_an_object_is_invalid_event(data: str | bytes) -> None:
    assert refuse(data).code == "invalid_event"


def test_unknown_parameter_names_its_path() -> None:
    data = {
        "type": "session.update",
        "event_id": "e",
        "session": {"type": "realtime", "audio": {"input": {"formatt": {}}}},
    }
    error = refuse(json.dumps(data))
    assert (error.code, error.param) == ("unknown_parameter", "session.audio.input.formatt")
    item = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "x", "bold": True}],
    }
    error = refuse(json.dumps({"type": "conversation.item.create", "item": item}))
    assert error.param == "item.content[0].bold"
    assert codec.decode_client(
        json.dumps({"type": "conversation.item.create", "item": item}), strict=False
    )


def test_free_form_objects_are_not_checked() -> None:
    tool = {
        "type": "function",
        "name": "f",
        "parameters": {"type": "object", "anything": {"goes": 1}},
    }
    mcp = {"type": "mcp", "server_label": "s", "server_url": "https://x", "future_key": 1}
    event = codec.decode_client(
        json.dumps(
            {"type": "session.update", "session": {"type": "realtime", "tools": [tool, mcp]}}
        )
    )
    assert isinstance(event, wire.SessionUpdate)


def test_missing_required_parameter() -> None:
    error = refuse(
        '{"type": "conversation.item.truncate", "item_id": "i", "content_index": 0,'
        ' "event_id": "t"}'
    )
    assert (error.code, error.param, error.event_id) == (
        "missing_required_parameter",
        "audio_end_ms",
        "t",
    )
    error = refuse('{"type": "conversation.item.create", "item": {"role": "user", "content": []}}')
    assert (error.code, error.param) == ("missing_required_parameter", "item.type")


def test_invalid_values() -> None:
    error = refuse(
        '{"type": "conversation.item.truncate", "item_id": "i", "content_index": 0,'
        ' "audio_end_ms": "x"}'
    )
    assert (error.code, error.param) == ("invalid_value", "audio_end_ms")
    error = refuse('{"type": "input_audio_buffer.append", "audio": "not base64!"}')
    assert (error.code, error.param) == ("invalid_value", "audio")
    error = refuse('{"type": "conversation.item.create", "item": {"type": "bogus"}}')
    assert (error.code, error.param) == ("invalid_value", "item.type")


def test_ga_interface_requires_session_type_and_refuses_beta_shapes() -> None:
    error = refuse('{"type": "session.update", "session": {"instructions": "x"}}', interface="ga")
    assert (error.code, error.param) == ("missing_required_parameter", "session.type")
    error = refuse(CLIENT["session.update/beta"], interface="ga")
    assert error.code == "unknown_parameter" and error.param == "session.modalities"
    error = refuse(CLIENT["transcription_session.update"], interface="ga")
    assert (error.code, error.param) == ("invalid_value", "type")
    assert "'transcription_session.update'." not in error.message.partition("Supported")[2]
    assert isinstance(
        codec.decode_client(CLIENT["session.update"], interface="ga"), wire.SessionUpdate
    )


def test_beta_shapes_are_accepted_by_default() -> None:
    event = codec.decode_client(CLIENT["session.update/beta"])
    assert isinstance(event, wire.SessionUpdate)
    assert event.session.voice == "alloy" and event.session.temperature == 0.8
    assert isinstance(
        codec.decode_client(CLIENT["transcription_session.update"]), wire.TranscriptionSessionUpdate
    )
    beta_item = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "hi"}],
    }
    event = codec.decode_client(json.dumps({"type": "conversation.item.create", "item": beta_item}))
    assert isinstance(event, wire.ConversationItemCreate)
    assert isinstance(event.item, wire.MessageItem) and isinstance(
        event.item.content[0], wire.TextContent
    )


def test_error_converts_to_the_server_error_event() -> None:
    error = refuse('{"type": "nope", "event_id": "evt_1"}')
    frame = json.loads(codec.encode_server(error.to_event("event_9")))
    assert frame["type"] == "error" and frame["event_id"] == "event_9"
    assert frame["error"] == {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "message": error.message,
        "param": "type",
        "event_id": "evt_1",
    }
    assert (
        codec.OpenAIDecoder().feed(codec.encode_server(error.to_event()))[0].code == "invalid_value"
    )  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "frame",
    [
        codec.encode_session_update(wire.Session(type="realtime", instructions="x")),
        codec.encode_input_audio_buffer_append(PCM, "a1"),
        codec.encode_input_audio_buffer_append_base64("AAAA"),
        codec.encode_input_audio_buffer_commit("c"),
        codec.encode_input_audio_buffer_clear(),
        codec.encode_output_audio_buffer_clear(),
        codec.encode_user_text("hi", "t"),
        codec.encode_input_image(b"\xff\xd8", "image/jpeg"),
        codec.encode_function_call_output("call_1", "{}"),
        codec.encode_conversation_item_create(codec.text_message_item("x", "system"), "root"),
        codec.encode_conversation_item_retrieve("i"),
        codec.encode_conversation_item_truncate("i", 0, 10),
        codec.encode_conversation_item_delete("i"),
        codec.encode_response_create(),
        codec.encode_response_create(
            wire.ResponseCreateParams(conversation="none", input=[wire.ItemReference(id="x")])
        ),
        codec.encode_response_cancel("r"),
    ],
)
def test_every_builder_output_is_accepted_by_the_strict_ga_server(frame: bytes) -> None:
    event = codec.decode_client(frame, interface="ga")
    assert json.loads(codec.encode_client(event)) == json.loads(frame)
