"""Every client event realtalk encodes is a valid ``openai`` SDK ``RealtimeClientEvent``.

Each frame, from the codec encoders (``encode_*``, ``encode_client``) and from every
command of :class:`OpenAIProtocol` (pure, no event loop), goes through
:func:`~.conftest.check_client`: strict validation, no undeclared key anywhere, and a
dump that equals the frame (openai-realtime.md §3, §4). The tests also check which
SDK type each union picked and the values it holds.

Allowed representation differences:

* ``response.create`` ``response.input`` entries of type ``item_reference`` (§4.9) are
  not in the SDK's ``ConversationItem`` union (it sends them through the
  ``ResponseCreateEventWithReferencesParam`` TypedDict); they are validated with the
  SDK's ``ResponseItemReference`` model instead.
* Beta-interface events (§9) are validated with ``openai.types.beta.realtime``.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import msgspec
import pytest
from openai.types import realtime as rt
from openai.types.beta import realtime as beta
from openai.types.realtime import realtime_audio_formats as formats
from openai.types.realtime import realtime_audio_input_turn_detection as vad
from pydantic import TypeAdapter, ValidationError

from realtalk.protocol import events as ev
from realtalk.protocol.openai import OpenAIProtocol, build_session, codec, openai_protocol, wire

from .conftest import CLIENT_EVENT, MODEL, canonical, check_client, sdk_check

PCM = b"\xfb\xff\xbf\x00\x01\x02\xff\x7f"  # base64 "+/+/AAEC/38=": both special characters
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
#: The members of the SDK's ``RealtimeClientEvent`` union.
RT_CLIENT_TYPES = rt.RealtimeClientEvent.__origin__.__args__  # type: ignore[attr-defined]
BETA_CLIENT_EVENT: TypeAdapter[Any] = TypeAdapter(beta.RealtimeClientEvent)
ITEM_REFERENCE: TypeAdapter[Any] = TypeAdapter(rt.ResponseItemReference)
WEATHER = wire.FunctionTool(
    name="get_weather",
    description="Current weather for a city",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
MCP = wire.McpTool(
    server_label="docs",
    server_url="https://mcp.example/sse",
    server_description="Docs search",
    allowed_tools=["search"],
    require_approval="never",
    headers={"X-Team": "a"},
    authorization="token",
)


def check_response_create(frame: bytes) -> tuple[Any, list[Any]]:
    """Validate ``response.create``; item references in ``input`` go to their own SDK type.

    Returns:
        The ``ResponseCreateEvent`` and the ``ResponseItemReference`` models, in order.
    """
    original = json.loads(frame)
    body = copy.deepcopy(original)
    inputs = body.get("response", {}).get("input", [])
    references = [entry for entry in inputs if entry.get("type") == "item_reference"]
    body.get("response", {})["input" if inputs else "_"] = [
        entry for entry in inputs if entry.get("type") != "item_reference"
    ]
    body.get("response", {}).pop("_", None)
    event = sdk_check(CLIENT_EVENT, body)
    return event, [sdk_check(ITEM_REFERENCE, entry) for entry in references]


def test_checker_rejects_what_lax_validation_lets_through() -> None:
    """The checker can fail: every body below validates in the SDK's default lax mode."""
    bad = [
        # an undeclared key (a beta field in a GA session) is kept as an extra
        {"type": "session.update", "session": {"type": "realtime", "temperature": 0.8}},
        # a misplaced key: turn_detection at the top level of a GA session
        {"type": "session.update", "session": {"type": "realtime", "turn_detection": None}},
        # a number as a string
        {"type": "conversation.item.truncate", "item_id": "i", "content_index": "0",
         "audio_end_ms": 1},
        # a number as a boolean
        {"type": "session.update", "session": {"type": "realtime", "audio": {"input": {
            "turn_detection": {"type": "server_vad", "create_response": 1}}}}},
        # a misspelled optional field is silently an extra
        {"type": "response.cancel", "responseId": "resp_1"},
    ]  # fmt: skip
    for body in bad:
        CLIENT_EVENT.validate_python(body)
        with pytest.raises((AssertionError, ValidationError)):
            sdk_check(CLIENT_EVENT, body)
    assert canonical({"a": True}) != canonical({"a": 1})
    assert canonical({"a": 1}) == canonical({"a": 1.0})


# -- session.update (§3, §4.1) ------------------------------------------------------------


def full_session(turn_detection: wire.TurnDetection | None) -> wire.Session:
    """A GA realtime session with every field realtalk's ``Session`` has for GA."""
    return wire.Session(
        type="realtime",
        model=MODEL,
        output_modalities=["audio"],
        instructions="Answer briefly.",
        audio=wire.SessionAudio(
            input=wire.AudioInput(
                format=wire.AudioFormat(type=wire.AUDIO_PCM, rate=wire.PCM_RATE),
                transcription=wire.InputTranscription(
                    model="gpt-4o-transcribe",
                    language="en",
                    prompt="Names: Oslo",
                    languages=["en", "nb"],
                    keywords=["Oslo"],
                    delay="low",
                ),
                noise_reduction=wire.NoiseReduction(type="far_field", strength=0.5),
                turn_detection=turn_detection,
            ),
            output=wire.AudioOutput(
                format=wire.AudioFormat(type=wire.AUDIO_PCMU), voice="marin", speed=1.25
            ),
        ),
        tools=[WEATHER, MCP],
        tool_choice="required",
        max_output_tokens=1024,
        tracing=wire.TracingConfig(workflow_name="wf", group_id="g", metadata={"k": "v"}),
        truncation="disabled",  # retention_ratio: see test_retention_ratio_truncation
        prompt=wire.Prompt(id="pmpt_1", version="2", variables={"city": "Oslo"}),
        include=["item.input_audio_transcription.logprobs"],
        reasoning=wire.Reasoning(effort="low"),
        parallel_tool_calls=False,
    )


SERVER_VAD = wire.ServerVad(
    threshold=0.6,
    prefix_padding_ms=200,
    silence_duration_ms=600,
    idle_timeout_ms=10_000,
    create_response=True,
    interrupt_response=False,
)
SEMANTIC_VAD = wire.SemanticVad(eagerness="high", create_response=False, interrupt_response=True)


@pytest.mark.parametrize(
    ("detection", "sdk_type"),
    [(SERVER_VAD, vad.ServerVad), (SEMANTIC_VAD, vad.SemanticVad), (None, type(None))],
    ids=["server_vad", "semantic_vad", "null"],
)
def test_full_session_update(detection: wire.TurnDetection | None, sdk_type: type) -> None:
    frame = codec.encode_session_update(full_session(detection), event_id="evt_cfg_1")
    event = check_client(frame)
    assert isinstance(event, rt.SessionUpdateEvent) and event.event_id == "evt_cfg_1"
    session = event.session
    assert isinstance(session, rt.RealtimeSessionCreateRequest)
    audio_in = session.audio.input
    assert isinstance(audio_in.turn_detection, sdk_type)
    assert "turn_detection" in audio_in.model_fields_set  # null is kept, not dropped (§4.1)
    assert isinstance(audio_in.format, formats.AudioPCM) and audio_in.format.rate == 24000
    assert isinstance(session.audio.output.format, formats.AudioPCMU)
    assert session.audio.output.voice == "marin" and session.audio.output.speed == 1.25
    assert audio_in.transcription.model == "gpt-4o-transcribe"
    assert audio_in.transcription.delay == "low"
    assert audio_in.noise_reduction.type == "far_field"
    assert [type(t).__name__ for t in session.tools] == ["RealtimeFunctionTool", "Mcp"]
    assert session.tools[0].parameters["required"] == ["city"]
    assert session.tool_choice == "required" and session.max_output_tokens == 1024
    assert session.truncation == "disabled"
    assert session.tracing.workflow_name == "wf" and session.reasoning.effort == "low"
    if isinstance(detection, wire.ServerVad):
        assert audio_in.turn_detection.idle_timeout_ms == 10_000
        assert audio_in.turn_detection.interrupt_response is False
    if isinstance(detection, wire.SemanticVad):
        assert audio_in.turn_detection.eagerness == "high"


@pytest.mark.parametrize(
    "fields",
    [
        {"output_modalities": ["text"], "tool_choice": "auto", "max_output_tokens": "inf"},
        {"tool_choice": "none", "tools": [], "instructions": ""},  # [] and "" clear (§4.1)
        {"tool_choice": wire.ToolChoiceFunction(name="get_weather"), "tools": [WEATHER]},
        {"tool_choice": wire.ToolChoiceMcp(server_label="docs", name="search"), "tools": [MCP]},
        {"tracing": "auto", "truncation": "disabled"},
        {"tracing": None, "truncation": "auto", "prompt": None, "include": None},
        {"reasoning": None, "parallel_tool_calls": True},
        {"audio": wire.SessionAudio(output=wire.AudioOutput(voice=wire.VoiceRef(id="voice_1")))},
        {
            "audio": wire.SessionAudio(
                input=wire.AudioInput(
                    format=wire.AudioFormat(type=wire.AUDIO_PCMA),
                    transcription=None,
                    noise_reduction=None,
                    turn_detection=wire.ServerVad(idle_timeout_ms=None),
                ),
                output=wire.AudioOutput(format=wire.AudioFormat(type=wire.AUDIO_PCMA)),
            )
        },
    ],
    ids=[
        "text",
        "clear",
        "force-function",
        "force-mcp",
        "tracing-auto",
        "nulls",
        "reasoning",
        "voice-id",
        "g711-nulls",
    ],
)
def test_partial_session_updates(fields: dict[str, Any]) -> None:
    session = wire.Session(type="realtime", **fields)
    event = check_client(codec.encode_session_update(session))
    assert isinstance(event.session, rt.RealtimeSessionCreateRequest)
    assert event.session.model_fields_set == {"type", *fields}


def test_retention_ratio_truncation() -> None:
    """The ``type`` of a retention-ratio truncation is always written (§3.1)."""
    truncation = wire.RetentionRatioTruncation(
        retention_ratio=0.5, token_limits={"post_instructions": 1000}
    )
    session = wire.Session(type="realtime", truncation=truncation)
    event = check_client(codec.encode_session_update(session))
    assert event.session.truncation.type == "retention_ratio"
    assert event.session.truncation.token_limits.post_instructions == 1000


def test_transcription_session_update() -> None:
    session = wire.Session(
        type="transcription",
        audio=wire.SessionAudio(
            input=wire.AudioInput(
                format=wire.AudioFormat(type=wire.AUDIO_PCM, rate=24000),
                transcription=wire.InputTranscription(
                    model="gpt-4o-transcribe", language="en", prompt=""
                ),
                turn_detection=wire.ServerVad(
                    threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500
                ),
                noise_reduction=wire.NoiseReduction(type="near_field"),
            )
        ),
        include=["item.input_audio_transcription.logprobs"],
    )
    event = check_client(codec.encode_session_update(session))
    assert isinstance(event.session, rt.RealtimeTranscriptionSessionCreateRequest)
    assert event.session.audio.input.transcription.model == "gpt-4o-transcribe"


def test_session_from_a_mapping_validates() -> None:
    """``build_session`` (mappings in the wire shape, as users pass them) and the protocol."""
    config = {
        "instructions": "Be brief.",
        "audio": {
            "input": {"turn_detection": {"type": "semantic_vad", "eagerness": "auto"}},
            "output": {"voice": "cedar"},
        },
        "tools": [msgspec.to_builtins(WEATHER)],
    }
    frame = codec.encode_session_update(build_session(config))
    event = check_client(frame)
    assert event.session.type == "realtime"  # added by build_session (GA requires it)
    assert isinstance(event.session.audio.input.turn_detection, vad.SemanticVad)


# -- input audio buffer (§4.2-§4.4, §4.11) ----------------------------------------------


@pytest.mark.parametrize("event_id", [None, "evt_a"])
def test_input_audio_buffer_events(event_id: str | None) -> None:
    append = check_client(codec.encode_input_audio_buffer_append(PCM, event_id))
    assert isinstance(append, rt.InputAudioBufferAppendEvent)
    assert append.audio == "+/+/AAEC/38=" and base64.b64decode(append.audio) == PCM
    assert append.event_id == event_id
    urlsafe = codec.encode_input_audio_buffer_append_base64("-_-_AAEC_38=", event_id)
    assert check_client(urlsafe).audio == "+/+/AAEC/38="  # standard alphabet on the wire
    for encode, sdk_type in [
        (codec.encode_input_audio_buffer_commit, rt.InputAudioBufferCommitEvent),
        (codec.encode_input_audio_buffer_clear, rt.InputAudioBufferClearEvent),
        (codec.encode_output_audio_buffer_clear, rt.OutputAudioBufferClearEvent),
    ]:
        event = check_client(encode(event_id))
        assert isinstance(event, sdk_type) and event.event_id == event_id


# -- conversation items (§3.4, §4.5-§4.8) -------------------------------------------------


ITEMS: list[tuple[str, wire.Item, type]] = [
    ("user-text", codec.text_message_item("hi"), rt.RealtimeConversationItemUserMessage),
    (
        "user-audio",
        wire.MessageItem(
            role="user",
            content=[wire.InputAudioContent(audio=PCM, transcript="hello")],
        ),
        rt.RealtimeConversationItemUserMessage,
    ),
    (
        "user-audio-text-image",
        wire.MessageItem(
            id="item_mine",
            role="user",
            content=[
                wire.InputTextContent(text="look"),
                wire.InputAudioContent(audio=PCM),
                wire.InputImageContent(image_url=codec.image_data_url(PNG, "image/png")),
            ],
        ),
        rt.RealtimeConversationItemUserMessage,
    ),
    *[
        (f"user-image-{detail}", codec.input_image_item(PNG, "image/png", detail), object)
        for detail in ("auto", "low", "high")
    ],
    ("system", codec.text_message_item("Use metric.", "system"), object),
    ("assistant", codec.text_message_item("Sure.", "assistant"), object),
    (
        "function-call",
        wire.FunctionCallItem(call_id="call_1", name="get_weather", arguments='{"city":"Oslo"}'),
        rt.RealtimeConversationItemFunctionCall,
    ),
    (
        "function-call-output",
        codec.function_call_output_item("call_1", '{"temp_c": 4}'),
        rt.RealtimeConversationItemFunctionCallOutput,
    ),
    (
        "mcp-approval-response",
        wire.McpApprovalResponseItem(id="mcpa_1", approval_request_id="mcpr_1", approve=True),
        rt.RealtimeMcpApprovalResponse,
    ),
]
SDK_MESSAGE_TYPES = {
    "system": rt.RealtimeConversationItemSystemMessage,
    "assistant": rt.RealtimeConversationItemAssistantMessage,
}


@pytest.mark.parametrize(
    ("item", "sdk_type"), [(i, t) for _, i, t in ITEMS], ids=[n for n, *_ in ITEMS]
)
def test_conversation_item_create(item: wire.Item, sdk_type: type) -> None:
    for previous in (None, "root", "item_prev"):
        frame = codec.encode_conversation_item_create(item, previous, event_id="evt_i")
        event = check_client(frame)
        assert isinstance(event, rt.ConversationItemCreateEvent)
        assert event.previous_item_id == previous and event.event_id == "evt_i"
        if sdk_type is object:
            sdk_type = SDK_MESSAGE_TYPES.get(
                getattr(item, "role", ""), rt.RealtimeConversationItemUserMessage
            )
        assert isinstance(event.item, sdk_type), type(event.item)
    for part, sdk_part in zip(
        getattr(item, "content", []), getattr(event.item, "content", []), strict=True
    ):
        assert sdk_part.type == part.__struct_config__.tag
        if isinstance(part, wire.InputAudioContent):
            assert base64.b64decode(sdk_part.audio) == PCM
        if isinstance(part, wire.InputImageContent):
            assert sdk_part.image_url.startswith("data:image/png;base64,")
            assert base64.b64decode(sdk_part.image_url.split(",", 1)[1]) == PNG


def test_item_shortcuts() -> None:
    text = check_client(codec.encode_user_text("hello", event_id="e1"))
    assert text.item.content[0].text == "hello" and text.item.role == "user"
    image = check_client(codec.encode_input_image(PNG, "image/jpeg", "low"))
    assert image.item.content[0].detail == "low"
    output = check_client(codec.encode_function_call_output("call_9", "done"))
    assert (output.item.call_id, output.item.output) == ("call_9", "done")


@pytest.mark.parametrize("event_id", [None, "evt_x"])
def test_truncate_delete_retrieve(event_id: str | None) -> None:
    truncate = check_client(codec.encode_conversation_item_truncate("item_1", 0, 1500, event_id))
    assert isinstance(truncate, rt.ConversationItemTruncateEvent)
    assert (truncate.item_id, truncate.content_index, truncate.audio_end_ms) == ("item_1", 0, 1500)
    delete = check_client(codec.encode_conversation_item_delete("item_2", event_id))
    assert isinstance(delete, rt.ConversationItemDeleteEvent) and delete.item_id == "item_2"
    retrieve = check_client(codec.encode_conversation_item_retrieve("item_3", event_id))
    assert isinstance(retrieve, rt.ConversationItemRetrieveEvent) and retrieve.item_id == "item_3"
    assert {truncate.event_id, delete.event_id, retrieve.event_id} == {event_id}


# -- responses (§4.9, §4.10) ----------------------------------------------------------------


def test_response_create_without_options() -> None:
    bare = check_client(codec.encode_response_create())
    assert isinstance(bare, rt.ResponseCreateEvent) and bare.response is None
    empty = check_client(codec.encode_response_create(wire.ResponseCreateParams(), "e"))
    assert empty.response.model_fields_set == set() and empty.event_id == "e"


def test_response_create_with_every_option() -> None:
    params = wire.ResponseCreateParams(
        conversation="none",
        input=[
            wire.ItemReference(id="item_12345"),
            codec.text_message_item("Label the last message."),
            codec.function_call_output_item("call_1", "{}"),
        ],
        instructions="Label it as sales or support.",
        tools=[WEATHER, MCP],
        tool_choice=wire.ToolChoiceFunction(name="get_weather"),
        max_output_tokens=200,
        output_modalities=["text"],
        prompt=wire.Prompt(id="pmpt_1", variables={"x": "y"}),
        reasoning=wire.Reasoning(effort="minimal"),
        parallel_tool_calls=True,
        audio=wire.ResponseAudio(
            output=wire.ResponseAudioOutput(
                format=wire.AudioFormat(type=wire.AUDIO_PCM, rate=24000), voice="alloy"
            )
        ),
        metadata={"purpose": "classify"},
    )
    event, references = check_response_create(codec.encode_response_create(params, "evt_r"))
    response = event.response
    assert isinstance(response, rt.RealtimeResponseCreateParams)
    assert response.conversation == "none" and response.metadata == {"purpose": "classify"}
    assert [type(i).__name__ for i in response.input] == [
        "RealtimeConversationItemUserMessage",
        "RealtimeConversationItemFunctionCallOutput",
    ]
    assert [(r.type, r.id) for r in references] == [("item_reference", "item_12345")]
    assert response.tool_choice.name == "get_weather"
    assert isinstance(response.audio.output.format, formats.AudioPCM)
    assert response.audio.output.voice == "alloy" and response.max_output_tokens == 200


@pytest.mark.parametrize(
    "params",
    [
        wire.ResponseCreateParams(conversation="auto", input=[], max_output_tokens="inf"),
        wire.ResponseCreateParams(tool_choice="none", metadata=None, prompt=None),
        wire.ResponseCreateParams(
            audio=wire.ResponseAudio(
                output=wire.ResponseAudioOutput(
                    format=wire.AudioFormat(type=wire.AUDIO_PCMU), voice=wire.VoiceRef(id="v_1")
                )
            )
        ),
    ],
    ids=["auto-empty-input", "nulls", "voice-id"],
)
def test_response_create_partial_options(params: wire.ResponseCreateParams) -> None:
    event, _ = check_response_create(codec.encode_response_create(params))
    assert event.response.model_fields_set == set(msgspec.to_builtins(params))


def test_response_cancel() -> None:
    default = check_client(codec.encode_response_cancel())
    assert isinstance(default, rt.ResponseCancelEvent) and default.response_id is None
    one = check_client(codec.encode_response_cancel("resp_1", event_id="evt_c"))
    assert (one.response_id, one.event_id) == ("resp_1", "evt_c")


# -- the generic encoder (encode_client) -----------------------------------------------------


GA_EVENTS: list[wire.ClientEventBase] = [
    wire.SessionUpdate(session=full_session(SERVER_VAD), event_id="e"),
    wire.InputAudioBufferAppend(audio=PCM),
    wire.InputAudioBufferCommit(event_id="e"),
    wire.InputAudioBufferClear(),
    wire.OutputAudioBufferClear(),
    wire.ConversationItemCreate(item=codec.text_message_item("hi"), previous_item_id="root"),
    wire.ConversationItemRetrieve(item_id="item_1"),
    wire.ConversationItemTruncate(item_id="item_1", content_index=0, audio_end_ms=10),
    wire.ConversationItemDelete(item_id="item_1"),
    wire.ResponseCreate(response=wire.ResponseCreateParams(instructions="x")),
    wire.ResponseCreate(),
    wire.ResponseCancel(response_id="resp_1"),
    wire.ResponseCancel(),
]


@pytest.mark.parametrize("event", GA_EVENTS, ids=lambda e: type(e).__name__)
def test_encode_client_every_ga_event(event: wire.ClientEventBase) -> None:
    model = check_client(codec.encode_client(event))
    assert model.type == event.__struct_config__.tag
    # the fast builders and the generic encoder agree
    assert canonical(json.loads(codec.encode_client(event))) == canonical(
        msgspec.to_builtins(event) | {"type": model.type}
    )


def test_every_ga_client_event_type_is_covered() -> None:
    """Each GA client event type the SDK knows is produced by a test above."""
    ga = {
        t.__struct_config__.tag
        for t in wire.ClientEvent.__args__  # type: ignore[attr-defined]
        if t is not wire.TranscriptionSessionUpdate
    }
    sdk = {a.model_fields["type"].annotation.__args__[0] for a in RT_CLIENT_TYPES}
    assert {type(e).__struct_config__.tag for e in GA_EVENTS} == ga == sdk


# -- the beta interface (§9) ------------------------------------------------------------


def test_beta_shaped_events_validate_with_the_beta_types() -> None:
    session = wire.Session(
        modalities=["text", "audio"],
        instructions="Be brief.",
        voice="alloy",
        input_audio_format="pcm16",
        output_audio_format="g711_ulaw",
        input_audio_transcription=wire.InputTranscription(model="whisper-1"),
        turn_detection=wire.ServerVad(
            threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500
        ),
        input_audio_noise_reduction=wire.NoiseReduction(type="near_field"),
        tools=[WEATHER],
        tool_choice="auto",
        temperature=0.8,
        max_response_output_tokens="inf",
        speed=1.1,
    )
    update = sdk_check(BETA_CLIENT_EVENT, json.loads(codec.encode_session_update(session)))
    assert isinstance(update, beta.SessionUpdateEvent) and update.session.voice == "alloy"
    transcription = wire.TranscriptionSessionUpdate(
        session=wire.Session(
            input_audio_format="pcm16",
            input_audio_transcription=wire.InputTranscription(model="gpt-4o-transcribe"),
            turn_detection=wire.ServerVad(),
        )
    )
    event = sdk_check(BETA_CLIENT_EVENT, json.loads(codec.encode_client(transcription)))
    assert isinstance(event, beta.TranscriptionSessionUpdate)
    params = wire.ResponseCreateParams(
        modalities=["text"],
        voice="echo",
        output_audio_format="pcm16",
        temperature=0.7,
        max_response_output_tokens=50,
    )
    create = sdk_check(BETA_CLIENT_EVENT, json.loads(codec.encode_response_create(params)))
    assert create.response.temperature == 0.7
    with pytest.raises(ValidationError):  # the beta shape is not GA (no session.type)
        check_client(codec.encode_session_update(session))
    with pytest.raises(AssertionError, match="does not declare"):  # nor with a type
        check_client(codec.encode_session_update(msgspec.structs.replace(session, type="realtime")))


# -- OpenAIProtocol: the frames of every command (pure, §6) ---------------------------------


def server(event: dict[str, Any]) -> bytes:
    return json.dumps({"event_id": "event_1", **event}).encode()


def handshake(protocol: OpenAIProtocol, session: dict[str, Any]) -> list[bytes]:
    """Run the §6.1 handshake on ``protocol``; return the frames it sent."""
    sent: list[bytes] = list(protocol.opening_frames())
    created = server({"type": "session.created", "session": {"type": "realtime", **session}})
    updated = server({"type": "session.updated", "session": {"type": "realtime", **session}})
    for frame in (created, updated):
        for event in protocol.decode(frame):
            done, frames = protocol.handshake_event(event)
            sent.extend(frames)
    assert done
    return sent


def flatten(frames: bytes | list[bytes] | None) -> list[bytes]:
    if frames is None:
        return []
    return [frames] if isinstance(frames, bytes) else list(frames)


RATES = {"audio/pcm": {"rate": 24000}}


@pytest.mark.parametrize("input_format", ["audio/pcm", "audio/pcmu", "audio/pcma"])
def test_every_protocol_command_validates(input_format: str) -> None:
    config = {
        "instructions": "Be brief.",
        "output_modalities": ["audio"],
        "audio": {
            "input": {
                "format": {"type": input_format, **RATES.get(input_format, {})},
                "turn_detection": None,
            },
            "output": {"voice": "verse"},
        },
        "tools": [msgspec.to_builtins(WEATHER)],
    }
    protocol = openai_protocol(MODEL, api_key="sk-test", session=config)
    frames = handshake(protocol, config)
    assert len(frames) == 1 and b'"session.update"' in frames[0]
    tone = b"".join(int(v).to_bytes(2, "little", signed=True) for v in range(-3000, 3000, 7))
    frames += flatten(protocol.audio(tone, 16000))  # resampled (and G.711-encoded)
    frames += flatten(protocol.audio(tone[:96], 24000 if input_format == "audio/pcm" else 8000))
    frames += flatten(protocol.audio_base64(base64.b64encode(tone[:960]), 24000))
    frames += flatten(protocol.text("hello"))
    frames += flatten(protocol.video(PNG, "image/png"))
    frames += flatten(
        protocol.client_content(
            [
                "plain",
                {"role": "model", "parts": [{"text": "ok"}]},
                {"role": "system", "text": "s"},
            ],
            True,
        )
    )
    frames += flatten(protocol.client_content(codec.function_call_output_item("c", "o"), False))
    # a response is running: activity_start cancels it, interrupt targets it
    for event in protocol.decode(
        server({"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}})
    ):
        assert not isinstance(event, ev.Error), event
    frames += flatten(protocol.activity_start())
    frames += flatten(protocol.interrupt())
    frames += flatten(protocol.activity_end())
    frames += flatten(protocol.audio_stream_end())
    tool_frames, call_ids = protocol.tool_response(
        [{"id": "call_1", "response": {"temp_c": 4}}, {"call_id": "call_2", "output": "x"}]
    )
    assert call_ids == ["call_1", "call_2"]
    frames += flatten(tool_frames)
    frames += flatten(protocol.commit_audio())
    frames += flatten(protocol.clear_audio())
    frames += flatten(protocol.create_response())
    frames += flatten(
        protocol.create_response(wire.ResponseCreateParams(output_modalities=["text"]))
    )
    frames += flatten(protocol.cancel_response())
    frames += flatten(protocol.cancel_response("resp_1"))
    frames += flatten(protocol.truncate("item_1", 0, 500))
    frames += flatten(protocol.context_update({"instructions": "New."}))
    frames += flatten(
        protocol.update_session({"audio": {"input": {"turn_detection": {"type": "server_vad"}}}})
    )
    frames += flatten(protocol.raw(wire.ConversationItemDelete(item_id="item_1")))
    frames += flatten(protocol.raw({"type": "conversation.item.retrieve", "item_id": "item_1"}))
    kinds = [check_client(frame).type for frame in frames]
    assert set(kinds) == {
        "session.update",
        "input_audio_buffer.append",
        "conversation.item.create",
        "response.create",
        "response.cancel",
        "input_audio_buffer.clear",
        "input_audio_buffer.commit",
        "conversation.item.truncate",
        "conversation.item.delete",
        "conversation.item.retrieve",
    }
    ids = [json.loads(f).get("event_id") for f in frames if b"input_audio_buffer.append" not in f]
    assert all(ids[:-2]) and len(set(ids[:-2])) == len(ids) - 2  # unique ids on every command
