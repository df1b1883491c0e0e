"""Property tests: the decoder never raises; every event round-trips (openai-realtime.md §4, §5).

Strategies are derived from the wire Structs' field types, so every field of every
event is exercised, including ones added later.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtalk.protocol import events as ev
from realtalk.protocol.openai import codec, wire
from realtalk.protocol.openai.server_role import ClientEventError

from .conftest import CLIENT, SERVER

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(max_size=12)
ints = st.integers(-(2**63), 2**63 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | ints | floats | texts
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def for_type(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy of valid Python values for a wire field annotation."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not msgspec.UnsetType]
        return st.one_of([st.none() if a is type(None) else for_type(a) for a in args])
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if origin is list:
        return st.lists(for_type(typing.get_args(tp)[0]), max_size=2)
    if origin is dict:
        value_type = typing.get_args(tp)[1]
        values = json_values if value_type is Any else for_type(value_type)
        return st.dictionaries(texts, values, max_size=2)
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
    """Instances of ``cls`` with each optional field either left at its default or set."""
    hints = typing.get_type_hints(cls, include_extras=False)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for info in msgspec.structs.fields(cls):
        value = st.deferred(lambda tp=hints[info.name]: for_type(tp))
        if info.required:
            required[info.name] = value
        else:
            optional[info.name] = value
    return st.fixed_dictionaries(required, optional=optional).map(lambda kw: cls(**kw))


client_events = st.one_of([structs(c) for c in wire.CLIENT_EVENT_TYPES.values()])
server_events = st.one_of([structs(c) for c in wire.SERVER_EVENT_TYPES.values()])
SERVER_DECODER = msgspec.json.Decoder(wire.ServerEvent)


def check(events: tuple[ev.Event, ...]) -> None:
    assert isinstance(events, tuple)
    assert all(isinstance(e, ev.Event) for e in events)


# -- the decoder never raises -------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=200))
def test_decoder_never_raises_on_bytes(data: bytes) -> None:
    check(codec.OpenAIDecoder().feed(data))


@SETTINGS
@given(json_values)
def test_decoder_never_raises_on_json(value: Any) -> None:
    check(codec.OpenAIDecoder().feed(json.dumps(value)))


@SETTINGS
@given(
    st.sampled_from(sorted(wire.SERVER_EVENT_TYPES)),
    st.dictionaries(texts, json_values, max_size=4),
)
def test_decoder_never_raises_on_known_types_with_junk(kind: str, fields: dict[str, Any]) -> None:
    events = codec.OpenAIDecoder().feed(json.dumps({**fields, "type": kind}))
    check(events)


@SETTINGS
@given(
    st.lists(
        st.sampled_from(sorted(SERVER.values()))
        | json_values.map(json.dumps)
        | st.binary(max_size=20),
        max_size=25,
    )
)
def test_decoder_never_raises_on_sequences(frames: list[Any]) -> None:
    decoder = codec.OpenAIDecoder()
    for data in frames:
        check(decoder.feed(data))


# -- round trips ------------------------------------------------------------------------------


@SETTINGS
@given(server_events)
def test_server_events_round_trip_and_decode_cleanly(event: Any) -> None:
    frame = codec.encode_server(event)
    assert SERVER_DECODER.decode(frame) == event
    events = codec.OpenAIDecoder().feed(frame)
    check(events)
    assert not any(isinstance(e, ev.Error) and e.code == "malformed" for e in events)


@SETTINGS
@given(client_events)
def test_client_events_round_trip_through_the_strict_server(event: Any) -> None:
    frame = codec.encode_client(event)
    assert codec.decode_client(frame) == event
    assert codec.decode_client(frame.decode(), strict=True) == event


@SETTINGS
@given(json_values | st.sampled_from(sorted(CLIENT.values())).map(json.loads), st.booleans())
def test_decode_client_raises_only_client_event_errors(value: Any, strict: bool) -> None:
    try:
        codec.decode_client(json.dumps(value), strict=strict)
    except ClientEventError as exc:
        assert exc.code in {
            "invalid_event",
            "invalid_value",
            "missing_required_parameter",
            "unknown_parameter",
        }
        assert len(exc.reason.encode()) <= 123


@SETTINGS
@given(
    st.sampled_from(sorted(wire.CLIENT_EVENT_TYPES)),
    st.dictionaries(texts, json_values, max_size=3),
)
def test_decode_client_on_known_types_with_junk(kind: str, fields: dict[str, Any]) -> None:
    try:
        event = codec.decode_client(json.dumps({**fields, "type": kind}), strict=False)
    except ClientEventError:
        return
    assert wire.event_type(event) == kind


# -- turn structure -----------------------------------------------------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["created", "speech", "completed", "cancelled", "failed"]),
        st.integers(0, 3),
    ),
    max_size=30,
)


@SETTINGS
@given(STEPS)
def test_interrupted_exactly_once_per_cut_response_and_one_turn_end_per_done(
    steps: list[Any],
) -> None:
    """Model check: a response is cut by speech while running or by ending cancelled, once."""
    decoder = codec.OpenAIDecoder()
    running: dict[str, bool] = {}  # response id -> already interrupted
    for step, n in steps:
        rid = f"resp_{n}"
        expected_interrupted = expected_turn_ends = 0
        if step == "created":
            data = {"type": "response.created", "response": {"id": rid, "status": "in_progress"}}
            running.setdefault(rid, False)
        elif step == "speech":
            data = {"type": "input_audio_buffer.speech_started", "audio_start_ms": 0}
            expected_interrupted = int(not all(running.values()))
            running = dict.fromkeys(running, True)
        else:
            data = {"type": "response.done", "response": {"id": rid, "status": step}}
            was_interrupted = running.pop(rid, False)
            expected_interrupted = int(step == "cancelled" and not was_interrupted)
            expected_turn_ends = 1
        events = decoder.feed(json.dumps(data))
        assert sum(isinstance(e, ev.Interrupted) for e in events) == expected_interrupted
        assert sum(isinstance(e, ev.TurnComplete) for e in events) == expected_turn_ends
        assert decoder.active_response_id == next(iter(running), None)
