"""OpenAIProtocol: the runner's provider protocol for OpenAI Realtime (ARCHITECTURE §3, spec §6)."""

from __future__ import annotations

import base64
import json
from array import array
from typing import Any

import msgspec
import pytest

from realtalk.errors import ConfigError, SetupError
from realtalk.protocol import events as ev
from realtalk.protocol.openai import codec, pcm, wire
from realtalk.protocol.openai.protocol import (
    OpenAIProtocol,
    build_session,
    openai_protocol,
    to_function_outputs,
    to_items,
)

from .conftest import SERVER, SESSION_CREATED


def make(session: Any = None) -> OpenAIProtocol:
    return openai_protocol("gpt-realtime", api_key="sk-x", session=session)


def bodies(frames: bytes | list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(f) for f in ([frames] if isinstance(frames, bytes) else frames)]


def handshake(protocol: OpenAIProtocol, updated: str = SERVER["session.updated"]) -> list[Any]:
    """Run the handshake as session/link.py does; returns (sent frames, early events)."""
    assert protocol.opening_frames() == []
    sent: list[bytes] = []
    early: list[ev.Event] = []
    for data in (SESSION_CREATED, updated):
        for event in protocol.decode(data):
            done, frames = protocol.handshake_event(event)
            sent.extend(frames)
            if done:
                return [sent, early]
            early.append(event)
    raise AssertionError("handshake did not complete")


def test_handshake_sends_session_update_after_created_and_ends_at_updated() -> None:
    protocol = make({"instructions": "Be brief.", "audio": {"output": {"voice": "marin"}}})
    assert protocol.resumption_enabled is False and protocol.text_frames is True
    sent, early = handshake(protocol)
    assert bodies(sent) == [
        {
            "type": "session.update",
            "event_id": "evt_rt_1",
            "session": {
                "type": "realtime",
                "instructions": "Be brief.",
                "audio": {"output": {"voice": "marin"}},
            },
        }
    ]
    assert protocol.setup_event_id == "evt_rt_1"
    assert [type(e) for e in early] == [ev.SessionUpdated, ev.SessionUpdated]


def test_setup_complete_is_the_last_event_of_its_frame() -> None:
    protocol = make()
    protocol.decode(SESSION_CREATED)
    events = protocol.decode(SERVER["session.updated"])
    assert isinstance(events[-1], ev.SetupComplete)
    assert events[-1].session_id == "sess_C9G8l3zp50uFv4qgxfJ8o"


def test_server_error_during_the_handshake_fails_the_setup() -> None:
    protocol = make()
    protocol.opening_frames()
    for event in protocol.decode(SESSION_CREATED):
        protocol.handshake_event(event)
    (error,) = protocol.decode(SERVER["error"])
    with pytest.raises(SetupError, match="invalid_value"):
        protocol.handshake_event(error)
    (garbage,) = protocol.decode("garbage")
    assert protocol.handshake_event(garbage) == (False, [])


def test_each_connection_starts_afresh() -> None:
    protocol = make()
    handshake(protocol)
    protocol.decode(SERVER["response.created"])
    assert protocol.decoder.active_response_id is not None
    sent, _ = handshake(protocol)  # a reconnect: opening_frames resets the decoder
    assert protocol.decoder.active_response_id is None
    assert bodies(sent)[0]["event_id"] == "evt_rt_2"


def test_endpoint_for_rebuilds_with_a_fresh_credential() -> None:
    protocol = make()
    assert protocol.endpoint_for is not None
    fresh = protocol.endpoint_for("ek_fresh")
    assert fresh.headers["Authorization"] == "Bearer ek_fresh"
    assert fresh.url == protocol.endpoint.url
    assert "ek_fresh" not in repr(fresh) and "sk-x" not in repr(protocol.endpoint)


# -- session config ---------------------------------------------------------------------


def test_build_session_defaults_type_and_validates() -> None:
    assert build_session(None) == wire.Session(type="realtime")
    assert build_session({"instructions": "x"}).type == "realtime"
    assert build_session({"voice": "alloy"}).type is msgspec.UNSET  # beta shape stays untyped
    with pytest.raises(ConfigError, match=r"session\.audio\.input\.format\.rate"):
        build_session({"audio": {"input": {"format": {"type": "audio/pcm", "rate": "fast"}}}})
    with pytest.raises(ConfigError, match=r"Unknown parameter.*instrutions"):
        build_session({"instrutions": "typo"})
    with pytest.raises(TypeError):
        build_session("realtime")  # type: ignore[arg-type]


def test_update_session_sends_the_change_and_keeps_it_for_reconnects() -> None:
    protocol = make({"instructions": "a", "audio": {"output": {"voice": "marin"}}})
    frame = protocol.update_session({"audio": {"output": {"speed": 1.2}}})
    assert bodies(frame)[0]["session"] == {"type": "realtime", "audio": {"output": {"speed": 1.2}}}
    assert protocol.session.audio == wire.SessionAudio(
        output=wire.AudioOutput(voice="marin", speed=1.2)
    )
    assert protocol.session.instructions == "a"


# -- audio --------------------------------------------------------------------------------


def test_audio_at_the_session_rate_is_sent_as_is() -> None:
    protocol = make()
    data = array("h", [1, -1, 300]).tobytes()
    (body,) = bodies(protocol.audio(data, 24000))
    assert body == {"type": "input_audio_buffer.append", "audio": base64.b64encode(data).decode()}


def test_audio_at_another_rate_is_resampled_to_24k() -> None:
    protocol = make()
    data = array("h", [0, 300, 600, 900]).tobytes()
    (body,) = bodies(protocol.audio(data, 16000))
    assert base64.b64decode(body["audio"]) == array("h", [0, 200, 400, 600, 800]).tobytes()
    b64 = base64.b64encode(array("h", [1200, 1500]).tobytes()).decode()
    (body,) = bodies(protocol.audio_base64(b64, 16000))  # continues the same stream
    assert base64.b64decode(body["audio"]) == array("h", [1000, 1200, 1400]).tobytes()


def test_audio_follows_a_g711_input_format() -> None:
    protocol = make({"audio": {"input": {"format": {"type": "audio/pcmu"}}}})
    assert protocol.input_rate == 8000 and make().input_rate == 24000
    data = array("h", [0, 1000, -1000, 32000] * 2).tobytes()
    (body,) = bodies(protocol.audio(data, 8000))
    assert base64.b64decode(body["audio"]) == pcm.ulaw_encode(data)
    (body,) = bodies(protocol.audio(array("h", [0] * 6).tobytes(), 24000))  # 24k -> 8k
    assert len(base64.b64decode(body["audio"])) == 2
    (body,) = bodies(protocol.audio_base64(base64.b64encode(data), 8000))  # base64 PCM re-encoded
    assert base64.b64decode(body["audio"]) == pcm.ulaw_encode(data)


def test_audio_base64_at_the_session_rate_is_passed_through() -> None:
    protocol = make()
    assert protocol.audio_base64("AAAA//8A", 24000) == (
        b'{"type":"input_audio_buffer.append","audio":"AAAA//8A"}'
    )


def test_audio_input_format_comes_from_the_server_session() -> None:
    protocol = make()
    updated = json.dumps(
        {
            "type": "session.updated",
            "session": {"audio": {"input": {"format": {"type": "audio/pcma"}}}},
        }
    )
    handshake(protocol, updated)
    (body,) = bodies(protocol.audio(bytes(4), 8000))
    assert base64.b64decode(body["audio"]) == pcm.alaw_encode(bytes(4))


@pytest.mark.parametrize(("data", "rate"), [(b"\x00", 24000), (b"\x00\x00", 0), (b"\x00\x00", -5)])
def test_audio_arguments_are_checked(data: bytes, rate: int) -> None:
    with pytest.raises(ValueError):
        make().audio(data, rate)


def test_audio_event_ids_are_optional() -> None:
    protocol = OpenAIProtocol(make().endpoint, audio_event_ids=True, event_ids=codec.EventIds("a"))
    assert bodies(protocol.audio(bytes(2), 24000))[0]["event_id"] == "a1"


# -- commands ---------------------------------------------------------------------------------


def test_text_is_an_item_then_response_create() -> None:
    assert bodies(make().text("Hi")) == [
        {
            "type": "conversation.item.create",
            "event_id": "evt_rt_1",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Hi"}],
            },
        },
        {"type": "response.create", "event_id": "evt_rt_2"},
    ]


def test_video_is_an_input_image_item() -> None:
    (body,) = bodies(make().video(b"\xff\xd8\xff", "image/jpeg"))
    assert body["item"]["content"] == [
        {"type": "input_image", "image_url": "data:image/jpeg;base64,/9j/"}
    ]
    with pytest.raises(ValueError):
        make().video(b"x", "audio/wav")


def test_client_content_maps_turns_to_items() -> None:
    turns = [
        "hello",
        {"role": "model", "parts": [{"text": "Hi!"}]},
        {"role": "system", "text": "Be terse."},
        {"type": "function_call_output", "call_id": "c", "output": "{}"},
        wire.MessageItem(role="user", content=[wire.InputTextContent(text="again")]),
    ]
    frames = bodies(make().client_content(turns, turn_complete=True))
    assert [f["type"] for f in frames] == ["conversation.item.create"] * 5 + ["response.create"]
    assert frames[1]["item"] == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Hi!"}],
    }
    assert frames[2]["item"]["content"] == [{"type": "input_text", "text": "Be terse."}]
    assert frames[3]["item"]["type"] == "function_call_output"
    assert (
        bodies(make().client_content("x", turn_complete=False))[-1]["type"]
        == "conversation.item.create"
    )
    assert make().client_content([], turn_complete=False) == []


@pytest.mark.parametrize(
    ("turns", "error"),
    [
        (b"bytes", TypeError),
        ([3], TypeError),
        ({"role": "tool", "text": "x"}, ValueError),
        ({"role": "user", "parts": [{"inline_data": {}}]}, ValueError),
        ({"type": "message", "role": "user"}, ValueError),
    ],
)
def test_client_content_rejects_what_it_cannot_send(turns: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_items(turns)


def test_activity_start_cancels_a_running_response_and_clears() -> None:
    protocol = make()
    assert [b["type"] for b in bodies(protocol.activity_start())] == ["input_audio_buffer.clear"]
    protocol.decode(SERVER["response.created"])
    assert [b["type"] for b in bodies(protocol.activity_start())] == [
        "response.cancel",
        "input_audio_buffer.clear",
    ]


def test_activity_end_and_audio_stream_end() -> None:
    protocol = make()
    assert [b["type"] for b in bodies(protocol.activity_end())] == [
        "input_audio_buffer.commit",
        "response.create",
    ]
    assert [b["type"] for b in bodies(protocol.audio_stream_end())] == ["input_audio_buffer.commit"]


def test_tool_response_is_outputs_plus_one_response_create() -> None:
    frames, ids = make().tool_response(
        [
            {"id": "call_1", "name": "get_weather", "response": {"temp_c": 4}},
            {"call_id": "call_2", "output": "sunny"},
        ]
    )
    assert ids == ["call_1", "call_2"]
    assert [b["type"] for b in bodies(frames)] == ["conversation.item.create"] * 2 + [
        "response.create"
    ]
    items = [b["item"] for b in bodies(frames)[:2]]
    assert items == [
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp_c":4}'},
        {"type": "function_call_output", "call_id": "call_2", "output": "sunny"},
    ]


def test_silent_tool_responses_do_not_create_a_response() -> None:
    frames, ids = make().tool_response({"id": "c", "response": "ok", "scheduling": "SILENT"})
    assert ids == ["c"] and [b["type"] for b in bodies(frames)] == ["conversation.item.create"]


def test_tool_response_accepts_structs() -> None:
    class GeminiLike(msgspec.Struct):
        id: str
        name: str
        response: dict[str, Any]

    items, respond = to_function_outputs([GeminiLike("c1", "f", {"output": 1})])
    assert items == [wire.FunctionCallOutputItem(call_id="c1", output='{"output":1}')] and respond
    item = wire.FunctionCallOutputItem(call_id="c2", output="x")
    assert to_function_outputs(item) == ([item], True)


@pytest.mark.parametrize(
    ("responses", "error"),
    [
        ([], ValueError),
        ("x", TypeError),
        ({"output": "x"}, ValueError),
        ({"id": "c"}, ValueError),
        ([1], TypeError),
    ],
)
def test_tool_response_validates(responses: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        make().tool_response(responses)


def test_raw_and_the_openai_specific_commands() -> None:
    protocol = make()
    assert protocol.raw({"type": "response.create"}) == b'{"type":"response.create"}'
    assert protocol.raw(wire.InputAudioBufferClear()) == b'{"type":"input_audio_buffer.clear"}'
    assert protocol.raw('{"type":"x"}') == b'{"type":"x"}'
    with pytest.raises(TypeError):
        protocol.raw(42)
    assert bodies(protocol.cancel_response())[0]["type"] == "response.cancel"
    assert bodies(protocol.create_response(wire.ResponseCreateParams(conversation="none")))[0][
        "response"
    ] == {"conversation": "none"}
    # clamped to the audio received for the item: none yet, then 1.6 s of it
    assert bodies(protocol.truncate("item_A", 0, 1500))[0]["audio_end_ms"] == 0
    audio = base64.b64encode(b"\x00\x00" * 38400).decode()  # 1.6 s at 24 kHz
    protocol.decode(
        json.dumps(
            {
                "type": "response.output_audio.delta",
                "event_id": "e1",
                "response_id": "r1",
                "item_id": "item_A",
                "output_index": 0,
                "content_index": 0,
                "delta": audio,
            }
        )
    )
    assert bodies(protocol.truncate("item_A", 0, 1500))[0]["audio_end_ms"] == 1500
    assert bodies(protocol.truncate("item_A", 0, 9000))[0]["audio_end_ms"] == 1600
    assert bodies(protocol.commit_audio())[0]["type"] == "input_audio_buffer.commit"
    assert bodies(protocol.clear_audio())[0]["type"] == "input_audio_buffer.clear"
