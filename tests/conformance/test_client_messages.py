"""Every client message realtalk encodes is a valid google-genai ``LiveClientMessage``.

Each frame is validated with ``LiveClientMessage.model_validate`` (the SDK's
models accept the camelCase wire names through their alias generator and forbid
unknown keys; unknown enum values, which the SDK only warns about, are made
errors by :func:`strict_enums`), compared with an SDK object built
independently, and dumped back with ``by_alias=True, exclude_none=True``: the
dump must equal realtalk's JSON up to the representation choices of
gemini-live.md §2.3 (:func:`canonical`), so a field the SDK silently drops,
coerces or accepts under a non-canonical spelling fails the test.

SDK typing gap (google-genai 3.4): ``LiveClientSetup`` does not declare
``realtimeInputConfig`` although the SDK's own converter sends it at
``setup.realtimeInputConfig`` (see test_sdk_frames.py); that one field is
validated with ``types.RealtimeInputConfig`` instead.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from google.genai import types

from realtalk.protocol.gemini import codec, wire

from .conftest import canonical, sdk_dump, strict_enums

#: Setup fields on the wire that the SDK's ``LiveClientSetup`` type does not declare.
SETUP_FIELDS_OUTSIDE_SDK_TYPE: dict[str, type[Any]] = {
    "realtimeInputConfig": types.RealtimeInputConfig
}

PCM = b"\xfb\xff\xbf\x00\x01\x02\xff\x7f"  # base64 "+/+/AAEC/38=": both special characters
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"  # base64 "/9j/4AAQ..."
AI_STUDIO_MODEL = "models/gemini-live-2.5-flash-preview"
VERTEX_MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-live-2.5-flash"


def validate(frame: bytes) -> tuple[Any, dict[str, Any]]:
    """Validate one realtalk frame with the SDK and check that nothing was lost.

    Returns:
        The ``LiveClientMessage`` and the SDK models of the setup fields listed in
        :data:`SETUP_FIELDS_OUTSIDE_SDK_TYPE`.
    """
    original = json.loads(frame)
    body = copy.deepcopy(original)
    extras: dict[str, Any] = {}
    setup = body.get("setup")
    if isinstance(setup, dict):
        for key, model in SETUP_FIELDS_OUTSIDE_SDK_TYPE.items():
            if key in setup:
                with strict_enums():
                    extras[key] = model.model_validate(setup.pop(key))
    with strict_enums():
        message = types.LiveClientMessage.model_validate(body)
        assert types.LiveClientMessage.model_validate_json(json.dumps(body)) == message
    dumped = sdk_dump(message)
    for key, model in extras.items():
        dumped["setup"][key] = sdk_dump(model)
    assert canonical(dumped) == canonical(original)
    return message, extras


# -- setup -----------------------------------------------------------------------------


def full_setup() -> wire.Setup:
    """A setup with every §4.1 field realtalk supports for AI Studio."""
    return wire.Setup(
        model=AI_STUDIO_MODEL,
        generation_config=wire.GenerationConfig(
            response_modalities=["AUDIO"],
            speech_config=wire.SpeechConfig(
                voice_config=wire.VoiceConfig(
                    prebuilt_voice_config=wire.PrebuiltVoiceConfig(voice_name="Kore")
                ),
                language_code="en-US",
            ),
            temperature=0.5,
            top_p=0.9,
            top_k=40,
            max_output_tokens=256,
            candidate_count=1,
            presence_penalty=0.25,
            frequency_penalty=0.125,
            seed=7,
            media_resolution="MEDIA_RESOLUTION_LOW",
            thinking_config=wire.ThinkingConfig(thinking_budget=0, include_thoughts=False),
            enable_affective_dialog=True,
        ),
        system_instruction=wire.Content(
            role="user", parts=[wire.Part(text="Be brief."), wire.Part(text="Be kind.")]
        ),
        tools=[
            wire.Tool(
                function_declarations=[
                    wire.FunctionDeclaration(
                        name="get_weather",
                        description="Current weather",
                        parameters={
                            "type": "OBJECT",
                            "properties": {"city": {"type": "STRING"}},
                            "required": ["city"],
                        },
                        behavior="NON_BLOCKING",
                    ),
                    wire.FunctionDeclaration(
                        name="lookup",
                        parameters_json_schema={
                            "type": "object",
                            "properties": {"query_text": {"type": "string"}},
                            "required": ["query_text"],
                        },
                        behavior="BLOCKING",
                    ),
                ]
            ),
            wire.Tool(google_search={}),
            wire.Tool(code_execution={}),
            wire.Tool(url_context={}),
        ],
        realtime_input_config=wire.RealtimeInputConfig(
            automatic_activity_detection=wire.AutomaticActivityDetection(
                disabled=False,
                start_of_speech_sensitivity="START_SENSITIVITY_LOW",
                end_of_speech_sensitivity="END_SENSITIVITY_HIGH",
                prefix_padding_ms=20,
                silence_duration_ms=500,
            ),
            activity_handling="NO_INTERRUPTION",
            turn_coverage="TURN_INCLUDES_ALL_INPUT",
        ),
        session_resumption=wire.SessionResumptionConfig(handle="handle-1"),
        context_window_compression=wire.ContextWindowCompressionConfig(
            trigger_tokens=25600, sliding_window=wire.SlidingWindow(target_tokens=12800)
        ),
        input_audio_transcription=wire.AudioTranscriptionConfig(),
        output_audio_transcription=wire.AudioTranscriptionConfig(),
        proactivity=wire.ProactivityConfig(proactive_audio=True),
        history_config=wire.HistoryConfig(initial_history_in_client_content=True),
    )


def test_full_setup_validates_with_every_value() -> None:
    frame = codec.encode_setup(full_setup())
    assert b'"triggerTokens":"25600"' in frame  # int64 as a string (§2.3)
    message, extras = validate(frame)

    expected = types.LiveClientSetup(
        model=AI_STUDIO_MODEL,
        generation_config=types.GenerationConfig(
            response_modalities=[types.Modality.AUDIO],
            speech_config=types.SpeechConfig(
                voice_config=types.VoiceConfig(
                    prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Kore")
                ),
                language_code="en-US",
            ),
            temperature=0.5,
            top_p=0.9,
            top_k=40,
            max_output_tokens=256,
            candidate_count=1,
            presence_penalty=0.25,
            frequency_penalty=0.125,
            seed=7,
            media_resolution=types.MediaResolution.MEDIA_RESOLUTION_LOW,
            thinking_config=types.ThinkingConfig(thinking_budget=0, include_thoughts=False),
            enable_affective_dialog=True,
        ),
        system_instruction=types.Content(
            role="user", parts=[types.Part(text="Be brief."), types.Part(text="Be kind.")]
        ),
        tools=[
            types.Tool(
                function_declarations=[
                    types.FunctionDeclaration(
                        name="get_weather",
                        description="Current weather",
                        parameters=types.Schema(
                            type=types.Type.OBJECT,
                            properties={"city": types.Schema(type=types.Type.STRING)},
                            required=["city"],
                        ),
                        behavior=types.Behavior.NON_BLOCKING,
                    ),
                    types.FunctionDeclaration(
                        name="lookup",
                        parameters_json_schema={
                            "type": "object",
                            "properties": {"query_text": {"type": "string"}},
                            "required": ["query_text"],
                        },
                        behavior=types.Behavior.BLOCKING,
                    ),
                ]
            ),
            types.Tool(google_search=types.GoogleSearch()),
            types.Tool(code_execution=types.ToolCodeExecution()),
            types.Tool(url_context=types.UrlContext()),
        ],
        session_resumption=types.SessionResumptionConfig(handle="handle-1"),
        context_window_compression=types.ContextWindowCompressionConfig(
            trigger_tokens=25600,
            sliding_window=types.SlidingWindow(target_tokens=12800),
        ),
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        proactivity=types.ProactivityConfig(proactive_audio=True),
        history_config=types.HistoryConfig(initial_history_in_client_content=True),
    )
    assert message == types.LiveClientMessage(setup=expected)
    assert extras == {
        "realtimeInputConfig": types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(
                disabled=False,
                start_of_speech_sensitivity=types.StartSensitivity.START_SENSITIVITY_LOW,
                end_of_speech_sensitivity=types.EndSensitivity.END_SENSITIVITY_HIGH,
                prefix_padding_ms=20,
                silence_duration_ms=500,
            ),
            activity_handling=types.ActivityHandling.NO_INTERRUPTION,
            turn_coverage=types.TurnCoverage.TURN_INCLUDES_ALL_INPUT,
        )
    }
    # a few values spelled out, so a failure reads plainly
    gen = message.setup.generation_config
    assert gen.response_modalities == [types.Modality.AUDIO]
    assert gen.thinking_config.thinking_budget == 0
    assert gen.enable_affective_dialog is True
    assert message.setup.context_window_compression.sliding_window.target_tokens == 12800
    assert message.setup.tools[0].function_declarations[1].parameters_json_schema["required"] == [
        "query_text"
    ]


def test_vertex_setup_validates() -> None:
    """Vertex-only fields: transparent resumption, explicit VAD signal, manual VAD."""
    setup = wire.Setup(
        model=VERTEX_MODEL,
        generation_config=wire.GenerationConfig(
            response_modalities=["TEXT"],
            thinking_config=wire.ThinkingConfig(include_thoughts=True, thinking_budget=1024),
            media_resolution="MEDIA_RESOLUTION_HIGH",
        ),
        realtime_input_config=wire.RealtimeInputConfig(
            automatic_activity_detection=wire.AutomaticActivityDetection(disabled=True),
            activity_handling="START_OF_ACTIVITY_INTERRUPTS",
            turn_coverage="TURN_INCLUDES_ONLY_ACTIVITY",
        ),
        session_resumption=wire.SessionResumptionConfig(transparent=True),
        context_window_compression=wire.ContextWindowCompressionConfig(
            sliding_window=wire.SlidingWindow()
        ),
        proactivity=wire.ProactivityConfig(proactive_audio=True),
        explicit_vad_signal=True,
        safety_settings=[
            wire.SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold="BLOCK_ONLY_HIGH")
        ],
        labels={"team": "voice"},
    )
    message, extras = validate(codec.encode_setup(setup))
    assert message == types.LiveClientMessage(
        setup=types.LiveClientSetup(
            model=VERTEX_MODEL,
            generation_config=types.GenerationConfig(
                response_modalities=[types.Modality.TEXT],
                thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_budget=1024),
                media_resolution=types.MediaResolution.MEDIA_RESOLUTION_HIGH,
            ),
            session_resumption=types.SessionResumptionConfig(transparent=True),
            context_window_compression=types.ContextWindowCompressionConfig(
                sliding_window=types.SlidingWindow()
            ),
            proactivity=types.ProactivityConfig(proactive_audio=True),
            explicit_vad_signal=True,
            safety_settings=[
                types.SafetySetting(
                    category=types.HarmCategory.HARM_CATEGORY_HARASSMENT,
                    threshold=types.HarmBlockThreshold.BLOCK_ONLY_HIGH,
                )
            ],
            labels={"team": "voice"},
        )
    )
    assert message.setup.session_resumption.transparent is True
    assert extras["realtimeInputConfig"].automatic_activity_detection.disabled is True
    assert extras["realtimeInputConfig"].activity_handling == (
        types.ActivityHandling.START_OF_ACTIVITY_INTERRUPTS
    )


def test_newer_setup_fields_validate() -> None:
    """Newer fields realtalk passes along: translation, thinking level, proactive video, ..."""
    setup = wire.Setup(
        model=AI_STUDIO_MODEL,
        generation_config=wire.GenerationConfig(
            thinking_config=wire.ThinkingConfig(thinking_level="LOW"),
            translation_config={"targetLanguageCode": "fr-FR", "echoTargetLanguage": True},
        ),
        tools=[
            wire.Tool(google_maps={}),
            wire.Tool(
                function_declarations=[
                    wire.FunctionDeclaration(
                        name="quote",
                        response={"type": "OBJECT", "properties": {"price": {"type": "NUMBER"}}},
                    ),
                    wire.FunctionDeclaration(
                        name="quote_json", response_json_schema={"type": "number"}
                    ),
                ]
            ),
        ],
        realtime_input_config=wire.RealtimeInputConfig(
            turn_coverage="TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
            interim_transcript_timestamp_enabled=True,
        ),
        input_audio_transcription=wire.AudioTranscriptionConfig(language_codes=["en-US", "de-DE"]),
        proactivity=wire.ProactivityConfig(proactive_audio=True, proactive_video=True),
    )
    message, extras = validate(codec.encode_setup(setup))
    assert message == types.LiveClientMessage(
        setup=types.LiveClientSetup(
            model=AI_STUDIO_MODEL,
            generation_config=types.GenerationConfig(
                thinking_config=types.ThinkingConfig(thinking_level=types.ThinkingLevel.LOW),
                translation_config=types.TranslationConfig(
                    target_language_code="fr-FR", echo_target_language=True
                ),
            ),
            tools=[
                types.Tool(google_maps=types.GoogleMaps()),
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name="quote",
                            response=types.Schema(
                                type=types.Type.OBJECT,
                                properties={"price": types.Schema(type=types.Type.NUMBER)},
                            ),
                        ),
                        types.FunctionDeclaration(
                            name="quote_json", response_json_schema={"type": "number"}
                        ),
                    ]
                ),
            ],
            input_audio_transcription=types.AudioTranscriptionConfig(
                language_codes=["en-US", "de-DE"]
            ),
            proactivity=types.ProactivityConfig(proactive_audio=True, proactive_video=True),
        )
    )
    assert extras["realtimeInputConfig"] == types.RealtimeInputConfig(
        turn_coverage=types.TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO,
        interim_transcript_timestamp_enabled=True,
    )


def test_minimal_setup_validates() -> None:
    message, extras = validate(codec.encode_setup(wire.Setup(model=AI_STUDIO_MODEL)))
    assert message == types.LiveClientMessage(setup=types.LiveClientSetup(model=AI_STUDIO_MODEL))
    assert extras == {}


def test_sdk_setup_type_lacks_realtime_input_config() -> None:
    """Pins the SDK gap worked around in :func:`validate`; drop the workaround when it fails."""
    assert "realtime_input_config" not in types.LiveClientSetup.model_fields
    assert "realtime_input_config" in types.LiveConnectConfig.model_fields


# -- clientContent ---------------------------------------------------------------------


def history() -> list[wire.Content]:
    return [
        wire.Content(
            role="user",
            parts=[
                wire.Part(text="What is in this picture?"),
                wire.Part(inline_data=wire.Blob(mime_type="image/jpeg", data=JPEG)),
                wire.Part(
                    file_data=wire.FileData(mime_type="image/png", file_uri="gs://bucket/a.png")
                ),
            ],
        ),
        wire.Content(
            role="model",
            parts=[
                wire.Part(text="Let me think.", thought=True, thought_signature=b"\xfa\xfb\xfc"),
                wire.Part(
                    function_call=wire.WireFunctionCall(
                        id="fc_1", name="get_weather", args={"city": "Paris"}
                    )
                ),
                wire.Part(executable_code=wire.ExecutableCode(language="PYTHON", code="print(1)")),
                wire.Part(
                    code_execution_result=wire.CodeExecutionResult(
                        outcome="OUTCOME_OK", output="1\n"
                    )
                ),
            ],
        ),
        wire.Content(
            role="user",
            parts=[
                wire.Part(
                    function_response=wire.FunctionResponse(
                        id="fc_1", name="get_weather", response={"output": {"tempC": 21}}
                    )
                )
            ],
        ),
    ]


@pytest.mark.parametrize("turn_complete", [True, False])
def test_client_content_validates(turn_complete: bool) -> None:
    frame = codec.encode_client_content(history(), turn_complete)
    message, _ = validate(frame)
    expected = types.LiveClientContent(
        turns=[
            types.Content(
                role="user",
                parts=[
                    types.Part(text="What is in this picture?"),
                    types.Part(inline_data=types.Blob(mime_type="image/jpeg", data=JPEG)),
                    types.Part(
                        file_data=types.FileData(
                            mime_type="image/png", file_uri="gs://bucket/a.png"
                        )
                    ),
                ],
            ),
            types.Content(
                role="model",
                parts=[
                    types.Part(
                        text="Let me think.", thought=True, thought_signature=b"\xfa\xfb\xfc"
                    ),
                    types.Part(
                        function_call=types.FunctionCall(
                            id="fc_1", name="get_weather", args={"city": "Paris"}
                        )
                    ),
                    types.Part(
                        executable_code=types.ExecutableCode(
                            language=types.Language.PYTHON, code="print(1)"
                        )
                    ),
                    types.Part(
                        code_execution_result=types.CodeExecutionResult(
                            outcome=types.Outcome.OUTCOME_OK, output="1\n"
                        )
                    ),
                ],
            ),
            types.Content(
                role="user",
                parts=[
                    types.Part(
                        function_response=types.FunctionResponse(
                            id="fc_1", name="get_weather", response={"output": {"tempC": 21}}
                        )
                    )
                ],
            ),
        ],
        turn_complete=turn_complete,
    )
    assert message == types.LiveClientMessage(client_content=expected)
    assert message.client_content.turns[0].parts[1].inline_data.data == JPEG
    assert message.client_content.turn_complete is turn_complete


def test_client_content_via_encode_client_validates() -> None:
    msg = wire.ClientMessage(
        client_content=wire.ClientContent(
            turns=[wire.Content(role="user", parts=[wire.Part(text="Hello!")])],
            turn_complete=True,
        )
    )
    message, _ = validate(codec.encode_client(msg))
    assert message.client_content == types.LiveClientContent(
        turns=[types.Content(role="user", parts=[types.Part(text="Hello!")])], turn_complete=True
    )


# -- realtimeInput ---------------------------------------------------------------------

REALTIME_CASES: list[tuple[str, bytes, Any]] = [
    (
        "audio",
        codec.encode_audio(PCM),
        types.LiveClientRealtimeInput(audio=types.Blob(mime_type="audio/pcm;rate=16000", data=PCM)),
    ),
    (
        "audio-24k",
        codec.encode_audio(PCM, 24000),
        types.LiveClientRealtimeInput(audio=types.Blob(mime_type="audio/pcm;rate=24000", data=PCM)),
    ),
    (
        "audio-base64-urlsafe",
        codec.encode_audio_base64("-_-_AAEC_38="),
        types.LiveClientRealtimeInput(audio=types.Blob(mime_type="audio/pcm;rate=16000", data=PCM)),
    ),
    (
        "video",
        codec.encode_video(JPEG, "image/jpeg"),
        types.LiveClientRealtimeInput(video=types.Blob(mime_type="image/jpeg", data=JPEG)),
    ),
    (
        "text",
        codec.encode_text('Actually, make it "Berlin" \u00fcber alles'),
        types.LiveClientRealtimeInput(text='Actually, make it "Berlin" \u00fcber alles'),
    ),
    (
        "activityStart",
        codec.encode_activity_start(),
        types.LiveClientRealtimeInput(activity_start=types.ActivityStart()),
    ),
    (
        "activityEnd",
        codec.encode_activity_end(),
        types.LiveClientRealtimeInput(activity_end=types.ActivityEnd()),
    ),
    (
        "audioStreamEnd",
        codec.encode_audio_stream_end(),
        types.LiveClientRealtimeInput(audio_stream_end=True),
    ),
    (
        "mediaChunks",
        codec.encode_client(
            wire.ClientMessage(
                realtime_input=wire.RealtimeInput(
                    media_chunks=[wire.Blob(mime_type="audio/pcm;rate=16000", data=PCM)]
                )
            )
        ),
        types.LiveClientRealtimeInput(
            media_chunks=[types.Blob(mime_type="audio/pcm;rate=16000", data=PCM)]
        ),
    ),
    (
        "audio-via-encode_client",
        codec.encode_client(
            wire.ClientMessage(
                realtime_input=wire.RealtimeInput(
                    audio=wire.Blob(mime_type="audio/pcm;rate=16000", data=PCM)
                )
            )
        ),
        types.LiveClientRealtimeInput(audio=types.Blob(mime_type="audio/pcm;rate=16000", data=PCM)),
    ),
]


@pytest.mark.parametrize(
    ("frame", "expected"), [case[1:] for case in REALTIME_CASES], ids=[c[0] for c in REALTIME_CASES]
)
def test_realtime_input_validates(frame: bytes, expected: Any) -> None:
    message, _ = validate(frame)
    assert message == types.LiveClientMessage(realtime_input=expected)


def test_audio_bytes_survive_exactly() -> None:
    pcm = bytes(range(256)) * 4
    message, _ = validate(codec.encode_audio(pcm))
    assert message.realtime_input.audio.data == pcm


# -- toolResponse ----------------------------------------------------------------------


def test_tool_response_validates() -> None:
    frame = codec.encode_tool_response(
        [
            wire.FunctionResponse(
                id="function-call-7342",
                name="get_weather",
                response={"output": {"tempC": 21, "sky": "clear", "snake_key": [1, None]}},
            ),
            wire.FunctionResponse(
                id="fc_91",
                name="start_timer",
                response={"output": "timer done"},
                scheduling="INTERRUPT",
                will_continue=True,
            ),
            wire.FunctionResponse(
                id="fc_92",
                name="start_timer",
                response={},
                scheduling="SILENT",
                will_continue=False,
            ),
            wire.FunctionResponse(
                id="fc_93",
                name="snapshot",
                response={"output": "see image"},
                scheduling="WHEN_IDLE",
                parts=[
                    wire.FunctionResponsePart(
                        inline_data=wire.Blob(mime_type="image/jpeg", data=JPEG)
                    )
                ],
            ),
        ]
    )
    message, _ = validate(frame)
    assert message == types.LiveClientMessage(
        tool_response=types.LiveClientToolResponse(
            function_responses=[
                types.FunctionResponse(
                    id="function-call-7342",
                    name="get_weather",
                    response={"output": {"tempC": 21, "sky": "clear", "snake_key": [1, None]}},
                ),
                types.FunctionResponse(
                    id="fc_91",
                    name="start_timer",
                    response={"output": "timer done"},
                    scheduling=types.FunctionResponseScheduling.INTERRUPT,
                    will_continue=True,
                ),
                types.FunctionResponse(
                    id="fc_92",
                    name="start_timer",
                    response={},
                    scheduling=types.FunctionResponseScheduling.SILENT,
                    will_continue=False,
                ),
                types.FunctionResponse(
                    id="fc_93",
                    name="snapshot",
                    response={"output": "see image"},
                    scheduling=types.FunctionResponseScheduling.WHEN_IDLE,
                    parts=[
                        types.FunctionResponsePart(
                            inline_data=types.FunctionResponseBlob(
                                mime_type="image/jpeg", data=JPEG
                            )
                        )
                    ],
                ),
            ]
        )
    )
    responses = message.tool_response.function_responses
    assert responses[1].will_continue is True
    assert responses[2].will_continue is False  # an explicit false is kept on the wire


# -- contextUpdate ---------------------------------------------------------------------


def test_context_update_validates() -> None:
    update = wire.ContextUpdate(
        system_instruction=wire.Content(role="user", parts=[wire.Part(text="Answer in French.")]),
        tools=wire.ToolsWrapper(
            tools=[
                wire.Tool(
                    function_declarations=[
                        wire.FunctionDeclaration(name="lookup", behavior="NON_BLOCKING")
                    ]
                ),
                wire.Tool(google_search={}),
            ]
        ),
    )
    message, _ = validate(codec.encode_context_update(update))
    assert message == types.LiveClientMessage(
        context_update=types.LiveClientContextUpdate(
            system_instruction=types.Content(
                role="user", parts=[types.Part(text="Answer in French.")]
            ),
            tools=types.LiveClientContextUpdateTools(
                tools=[
                    types.Tool(
                        function_declarations=[
                            types.FunctionDeclaration(
                                name="lookup", behavior=types.Behavior.NON_BLOCKING
                            )
                        ]
                    ),
                    types.Tool(google_search=types.GoogleSearch()),
                ]
            ),
        )
    )


def test_context_update_clearing_tools_validates() -> None:
    frame = codec.encode_context_update(wire.ContextUpdate(tools=wire.ToolsWrapper(tools=[])))
    assert json.loads(frame) == {"contextUpdate": {"tools": {"tools": []}}}
    message, _ = validate(frame)
    assert message.context_update.tools.tools == []
    assert message.context_update.system_instruction is None


# -- the validation can fail -----------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        b'{"realtimeInput":{"audioStreamEnded":true}}',  # misspelt field
        b'{"setup":{"model":"m","generationConfig":{"responseModalities":["SMELL"]}}}',
        b'{"toolResponse":{"functionResponses":[{"id":"x","scheduling":"LATER"}]}}',
        # accepted by pydantic, caught by the round trip:
        b'{"setup":{"model":"m","generation_config":{"temperature":0.5}}}',  # not camelCase
        b'{"setup":{"model":"m","generationConfig":{"topK":"40"}}}',  # int32 as a string
    ],
)
def test_validation_rejects_bad_frames(frame: bytes) -> None:
    """The checks above can fail: unknown names, unknown enum values and non-canonical
    spellings are rejected (pydantic.ValidationError is a ValueError)."""
    with pytest.raises((ValueError, UserWarning, AssertionError)):
        validate(frame)
