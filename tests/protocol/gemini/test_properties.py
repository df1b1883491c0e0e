"""Property tests for the Gemini codec (gemini-live.md §2.3).

Strategies are derived from the wire Structs' field types, so every field of every
message is exercised, including ones added later.
"""

from __future__ import annotations

import base64
import contextlib
import json
import types
import typing
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtalk.errors import ProtocolError
from realtalk.protocol import events as ev
from realtalk.protocol.gemini import codec, wire

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ENUMS: dict[tuple[type, str], tuple[str, ...]] = {
    (wire.GenerationConfig, "response_modalities"): wire.RESPONSE_MODALITIES,
    (wire.GenerationConfig, "media_resolution"): wire.MEDIA_RESOLUTIONS,
    (wire.AutomaticActivityDetection, "start_of_speech_sensitivity"): wire.START_SENSITIVITIES,
    (wire.AutomaticActivityDetection, "end_of_speech_sensitivity"): wire.END_SENSITIVITIES,
    (wire.RealtimeInputConfig, "activity_handling"): wire.ACTIVITY_HANDLINGS,
    (wire.RealtimeInputConfig, "turn_coverage"): wire.TURN_COVERAGES,
    (wire.FunctionDeclaration, "behavior"): wire.BEHAVIORS,
    (wire.FunctionResponse, "scheduling"): wire.SCHEDULINGS,
}
DURATIONS = {(wire.GoAway, "time_left"), (wire.VoiceActivity, "audio_offset")}

texts = st.text(max_size=12)
ints = st.integers(-(2**63), 2**63 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | ints | floats | texts
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
# keys that are not "scheduling", so the §4.4 fix-up never fires on generated responses
json_objects = st.dictionaries(texts.filter(lambda k: k != "scheduling"), json_values, max_size=3)


def for_type(tp: Any, owner: type | None = None, name: str = "") -> st.SearchStrategy[Any]:
    """A strategy of valid Python values for a wire field annotation."""
    enum = ENUMS.get((owner, name)) if owner is not None else None
    if (owner, name) in DURATIONS:
        return st.floats(-1e6, 1e6, allow_nan=False).map(wire.format_duration)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return for_type(inner, owner, name)
    if origin is list:
        item = st.sampled_from(enum) if enum else for_type(typing.get_args(tp)[0])
        return st.lists(item, max_size=2)
    if origin is dict:
        value_type = typing.get_args(tp)[1]
        return json_objects if value_type is Any else st.dictionaries(texts, texts, max_size=2)
    if enum:
        return st.sampled_from(enum)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return structs(tp)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: texts,
        int: ints,
        float: floats,
        bool: st.booleans(),
        bytes: st.binary(max_size=24),
        Any: json_values,
    }
    return simple[tp]


def structs(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` with each optional field either unset or set."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for info in msgspec.structs.fields(cls):
        value = for_type(info.type, cls, info.name)
        required = info.default is msgspec.NODEFAULT and info.default_factory is msgspec.NODEFAULT
        fields[info.name] = value if required else st.none() | value
    return st.builds(cls, **fields)


def envelopes(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """Envelopes with exactly one message field set."""

    def one(name: str, tp: Any) -> st.SearchStrategy[Any]:
        return for_type(tp, cls, name).map(lambda value: cls(**{name: value}))

    return st.one_of([one(info.name, info.type) for info in msgspec.structs.fields(cls)])


client_messages = envelopes(wire.ClientMessage)
server_messages = structs(wire.ServerMessage)


def wire_json(tp: Any) -> st.SearchStrategy[Any]:
    """Dicts shaped like the wire (known keys, both spellings) with valid or junk values."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return wire_json(inner)
    if origin is list:
        return st.lists(wire_json(typing.get_args(tp)[0]), max_size=2) | json_values
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        optional = {}
        for info in msgspec.structs.fields(tp):
            key = st.sampled_from(sorted({info.encode_name, info.name}))
            optional[info.encode_name] = st.tuples(key, wire_json(info.type) | json_values)
        return (
            st.fixed_dictionaries({}, optional=optional).map(lambda d: dict(d.values()))
            | json_values
        )
    if tp is bytes:
        return st.binary(max_size=12).map(lambda b: base64.urlsafe_b64encode(b).decode()) | texts
    return json_values


# -- client messages: round trip and robustness ----------------------------------------------------


@SETTINGS
@given(client_messages)
def test_client_messages_round_trip(message: wire.ClientMessage) -> None:
    frame = codec.encode_client(message)
    assert codec.decode_client(frame) == message
    assert codec.decode_client(frame.decode()) == message  # text frames too


@SETTINGS
@given(client_messages)
def test_client_frames_use_int64_strings_and_camel_case(message: wire.ClientMessage) -> None:
    body = json.loads(codec.encode_client(message))
    assert len(body) == 1
    setup = body.get("setup") or {}
    cwc = setup.get("contextWindowCompression") or {}
    for value in (cwc.get("triggerTokens"), (cwc.get("slidingWindow") or {}).get("targetTokens")):
        assert value is None or isinstance(value, str)


@SETTINGS
@given(st.binary(max_size=64))
def test_decode_client_raises_only_protocol_error_on_bytes(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        codec.decode_client(data)


@SETTINGS
@given(json_values, st.booleans())
def test_decode_client_raises_only_protocol_error_on_json(value: Any, strict: bool) -> None:
    try:
        codec.decode_client(json.dumps(value), strict=strict)
    except ProtocolError as exc:
        assert len(exc.reason.encode()) <= 123


@SETTINGS
@given(wire_json(wire.ClientMessage), st.booleans())
def test_decode_client_raises_only_protocol_error_on_shaped_junk(value: Any, strict: bool) -> None:
    try:
        message = codec.decode_client(json.dumps(value), strict=strict)
    except ProtocolError as exc:
        assert len(exc.reason.encode()) <= 123
    else:
        assert sum(v is not None for v in msgspec.structs.astuple(message)) == 1


# -- server messages -------------------------------------------------------------------------------


@SETTINGS
@given(server_messages)
def test_server_messages_round_trip(message: wire.ServerMessage) -> None:
    frame = codec.encode_server(message)
    assert codec.decode_server_message(frame) == message
    events = codec.decode_server(frame)
    assert all(isinstance(e, ev.Event) for e in events)
    assert not any(isinstance(e, ev.Error) for e in events)
    if message.usage_metadata is not None:
        # Usage is last, except that a TurnComplete of the same message follows it.
        tail = events[:-1] if isinstance(events[-1], ev.TurnComplete) else events
        assert isinstance(tail[-1], ev.Usage)
        assert sum(isinstance(e, ev.Usage) for e in events) == 1


def check_events(events: tuple[ev.Event, ...]) -> None:
    assert isinstance(events, tuple)
    assert all(isinstance(e, ev.Event) for e in events)
    if any(isinstance(e, ev.Error) for e in events):
        assert len(events) == 1


@SETTINGS
@given(st.binary(max_size=64))
def test_decode_server_never_raises_on_bytes(data: bytes) -> None:
    check_events(codec.decode_server(data))


@SETTINGS
@given(json_values)
def test_decode_server_never_raises_on_json(value: Any) -> None:
    check_events(codec.decode_server(json.dumps(value)))
    check_events(codec.decode_server(json.dumps(value).encode()))


@SETTINGS
@given(wire_json(wire.ServerMessage))
def test_decode_server_never_raises_on_shaped_junk(value: Any) -> None:
    check_events(codec.decode_server(json.dumps(value)))


# -- scalars ---------------------------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=64), st.booleans(), st.booleans())
def test_decode_base64_variants(data: bytes, urlsafe: bool, strip: bool) -> None:
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    assert codec.decode_base64(text.rstrip("=") if strip else text) == data


@SETTINGS
@given(st.floats(-1e9, 1e9, allow_nan=False))
def test_duration_round_trip(seconds: float) -> None:
    text = wire.format_duration(seconds)
    assert abs(wire.parse_duration(text) - seconds) <= 1e-9 * max(1.0, abs(seconds))


@SETTINGS
@given(st.binary(max_size=200), st.sampled_from([8000, 16000, 24000, 48000]))
def test_encode_audio_matches_struct_encoding(pcm: bytes, rate: int) -> None:
    blob = wire.Blob(mime_type=f"audio/pcm;rate={rate}", data=pcm)
    message = wire.ClientMessage(realtime_input=wire.RealtimeInput(audio=blob))
    assert codec.encode_audio(pcm, rate) == codec.encode_client(message)
    assert codec.decode_client(codec.encode_audio(pcm, rate)) == message
    b64 = base64.b64encode(pcm)
    assert codec.encode_audio_base64(b64, rate) == codec.encode_audio(pcm, rate)
