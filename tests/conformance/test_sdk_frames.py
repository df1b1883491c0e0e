"""Frames the official SDK really sends decode with realtalk's strict server-role decoder.

The SDK's async live client connects (``wss://`` on 127.0.0.1) to a capture
server that records its raw frames (:class:`Capture`). Every frame must pass
``decode_client(strict=True)`` and mean exactly what realtalk's own encoding of
the same content means. The SDK writes a mix of snake_case and camelCase keys and
URL-safe base64 (gemini-live.md §2.3), so these frames exercise the decoder's
lenient paths; the route is checked with ``match_path`` (§1).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.genai import types

from realtalk.protocol.gemini import codec, match_path, wire

from .conftest import Capture

PCM = b"\xfb\xff\x00\x01\x02\x03"  # URL-safe base64 "-_8AAQID"
JPEG = b"\xff\xd8\xff\xe0"  # URL-safe base64 "_9j_4A=="
AI_STUDIO_ID = "gemini-live-2.5-flash-preview"
VERTEX_MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-live-2.5-flash"


def sdk_config(vertex: bool) -> Any:
    """A LiveConnectConfig using every setup field realtalk supports on the platform."""
    return types.LiveConnectConfig(
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
        seed=7,
        media_resolution=types.MediaResolution.MEDIA_RESOLUTION_LOW,
        thinking_config=types.ThinkingConfig(thinking_budget=0, include_thoughts=False),
        enable_affective_dialog=True,
        system_instruction="Be brief.",
        tools=[
            types.Tool(google_search=types.GoogleSearch()),
            types.Tool(code_execution=types.ToolCodeExecution()),
            types.Tool(url_context=types.UrlContext()),
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
                        },
                    ),
                ]
            ),
        ],
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(
                disabled=False,
                start_of_speech_sensitivity=types.StartSensitivity.START_SENSITIVITY_LOW,
                end_of_speech_sensitivity=types.EndSensitivity.END_SENSITIVITY_HIGH,
                prefix_padding_ms=20,
                silence_duration_ms=500,
            ),
            activity_handling=types.ActivityHandling.NO_INTERRUPTION,
            turn_coverage=types.TurnCoverage.TURN_INCLUDES_ALL_INPUT,
        ),
        session_resumption=types.SessionResumptionConfig(
            handle="handle-1", transparent=True if vertex else None
        ),
        context_window_compression=types.ContextWindowCompressionConfig(
            trigger_tokens=25600, sliding_window=types.SlidingWindow(target_tokens=12800)
        ),
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        proactivity=types.ProactivityConfig(proactive_audio=True),
        history_config=types.HistoryConfig(initial_history_in_client_content=True),
    )


def realtalk_setup(vertex: bool) -> wire.Setup:
    """The same setup as :func:`sdk_config`, built with realtalk's wire types."""
    return wire.Setup(
        model=VERTEX_MODEL if vertex else f"models/{AI_STUDIO_ID}",
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
            seed=7,
            media_resolution="MEDIA_RESOLUTION_LOW",
            thinking_config=wire.ThinkingConfig(thinking_budget=0, include_thoughts=False),
            enable_affective_dialog=True,
        ),
        system_instruction=wire.Content(role="user", parts=[wire.Part(text="Be brief.")]),
        tools=[
            wire.Tool(google_search={}),
            wire.Tool(code_execution={}),
            wire.Tool(url_context={}),
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
                        },
                    ),
                ]
            ),
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
        session_resumption=wire.SessionResumptionConfig(
            handle="handle-1", transparent=True if vertex else None
        ),
        context_window_compression=wire.ContextWindowCompressionConfig(
            trigger_tokens=25600, sliding_window=wire.SlidingWindow(target_tokens=12800)
        ),
        input_audio_transcription=wire.AudioTranscriptionConfig(),
        output_audio_transcription=wire.AudioTranscriptionConfig(),
        proactivity=wire.ProactivityConfig(proactive_audio=True),
        history_config=wire.HistoryConfig(initial_history_in_client_content=True),
    )


def _text(role: str, text: str) -> wire.Content:
    return wire.Content(role=role, parts=[wire.Part(text=text)])


def _realtime(**fields: Any) -> bytes:
    return codec.encode_client(wire.ClientMessage(realtime_input=wire.RealtimeInput(**fields)))


async def drive_sdk(capture: Capture, vertex: bool) -> list[tuple[str, bytes]]:
    """Send one message of every kind with the SDK; return (name, realtalk frame) pairs.

    The realtalk frame is realtalk's own encoding of the same message, in the order
    the SDK sent them (after the setup).
    """
    client = capture.client(vertex=vertex)
    model = VERTEX_MODEL if vertex else AI_STUDIO_ID
    sent: list[tuple[str, bytes]] = []
    async with client.aio.live.connect(model=model, config=sdk_config(vertex)) as session:
        await session.send_client_content(
            turns=[
                types.Content(role="user", parts=[types.Part(text="What's the capital?")]),
                types.Content(role="model", parts=[types.Part(text="Of France? Paris.")]),
            ],
            turn_complete=False,
        )
        sent.append(
            (
                "client_content",
                codec.encode_client_content(
                    [_text("user", "What's the capital?"), _text("model", "Of France? Paris.")],
                    False,
                ),
            )
        )
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="And Germany?")])
        )  # the SDK's default is turn_complete=True
        sent.append(
            (
                "client_content_complete",
                codec.encode_client_content([_text("user", "And Germany?")], True),
            )
        )
        await session.send_realtime_input(
            audio=types.Blob(data=PCM, mime_type="audio/pcm;rate=16000")
        )
        sent.append(("audio", codec.encode_audio(PCM)))
        await session.send_realtime_input(video=types.Blob(data=JPEG, mime_type="image/jpeg"))
        sent.append(("video", codec.encode_video(JPEG, "image/jpeg")))
        await session.send_realtime_input(text="Make it Berlin.")
        sent.append(("text", codec.encode_text("Make it Berlin.")))
        await session.send_realtime_input(activity_start=types.ActivityStart())
        sent.append(("activity_start", codec.encode_activity_start()))
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        sent.append(("activity_end", codec.encode_activity_end()))
        if not vertex:  # the SDK refuses audio_stream_end on Vertex (§7)
            await session.send_realtime_input(audio_stream_end=True)
            sent.append(("audio_stream_end", codec.encode_audio_stream_end()))
        await session.send_realtime_input(
            media=types.Blob(data=PCM, mime_type="audio/pcm;rate=16000")
        )
        sent.append(
            (
                "media_chunks",
                _realtime(media_chunks=[wire.Blob(mime_type="audio/pcm;rate=16000", data=PCM)]),
            )
        )
        await session.send_tool_response(
            function_responses=[
                types.FunctionResponse(
                    id="function-call-1",
                    name="get_weather",
                    response={"output": {"tempC": 21, "sky_state": "clear"}},
                    scheduling=types.FunctionResponseScheduling.INTERRUPT,
                    will_continue=None if vertex else True,  # AI Studio only (§7)
                ),
                types.FunctionResponse(id="function-call-2", name="lookup", response={}),
            ]
        )
        sent.append(
            (
                "tool_response",
                codec.encode_tool_response(
                    [
                        wire.FunctionResponse(
                            id="function-call-1",
                            name="get_weather",
                            response={"output": {"tempC": 21, "sky_state": "clear"}},
                            scheduling="INTERRUPT",
                            will_continue=None if vertex else True,
                        ),
                        wire.FunctionResponse(id="function-call-2", name="lookup", response={}),
                    ]
                ),
            )
        )
        await session.send_context_update(
            system_instruction="Answer in French.",
            tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="lookup")])],
        )
        sent.append(
            (
                "context_update",
                codec.encode_context_update(
                    wire.ContextUpdate(
                        system_instruction=_text("user", "Answer in French."),
                        tools=wire.ToolsWrapper(
                            tools=[
                                wire.Tool(
                                    function_declarations=[wire.FunctionDeclaration(name="lookup")]
                                )
                            ]
                        ),
                    )
                ),
            )
        )
        await session.send_context_update(tools=[])
        sent.append(
            (
                "context_update_clear",
                codec.encode_context_update(wire.ContextUpdate(tools=wire.ToolsWrapper(tools=[]))),
            )
        )
    return sent


@pytest.mark.parametrize("vertex", [False, True], ids=["ai_studio", "vertex"])
async def test_sdk_frames_decode_strictly(capture: Capture, vertex: bool) -> None:
    expected = await drive_sdk(capture, vertex)
    frames = await capture.frames(0)

    route = match_path(capture.requests[0].path)
    assert route is not None
    assert route.platform == ("vertex" if vertex else "ai_studio")

    setup = codec.decode_client(frames[0], strict=True)
    assert setup == wire.ClientMessage(setup=realtalk_setup(vertex))
    # the SDK's spelling really differs from realtalk's, so the lenient paths ran
    raw_vad = json.loads(frames[0])["setup"]["realtimeInputConfig"]
    assert raw_vad["automatic_activity_detection"]["silence_duration_ms"] == 500

    assert len(frames) == 1 + len(expected)
    for frame, (name, ours) in zip(frames[1:], expected, strict=True):
        decoded = codec.decode_client(frame, strict=True)
        assert decoded == codec.decode_client(ours, strict=True), name


async def test_sdk_frames_use_snake_case_and_urlsafe_base64(capture: Capture) -> None:
    """Pins what the decoder had to cope with in the test above (gemini-live.md §2.3)."""
    await drive_sdk(capture, vertex=False)
    frames = [json.loads(f) for f in await capture.frames(0)]
    by_key = {next(iter(f)): f for f in frames}
    assert set(by_key) >= {"setup", "client_content", "realtime_input", "tool_response"}
    audio = next(f for f in frames if "audio" in f.get("realtime_input", {}))
    assert audio["realtime_input"]["audio"] == {
        "data": "-_8AAQID",
        "mime_type": "audio/pcm;rate=16000",
    }
    decoded = codec.decode_client(json.dumps(audio), strict=True)
    assert decoded.realtime_input is not None and decoded.realtime_input.audio is not None
    assert decoded.realtime_input.audio.data == PCM
    tool = by_key["tool_response"]["tool_response"]["functionResponses"][0]
    assert tool["will_continue"] is True


@pytest.mark.parametrize("vertex", [False, True], ids=["ai_studio", "vertex"])
async def test_sdk_newer_setup_fields_decode_strictly(capture: Capture, vertex: bool) -> None:
    """Newer setup fields, and the Vertex-only ones (explicit VAD signal, labels)."""
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        thinking_config=types.ThinkingConfig(thinking_level=types.ThinkingLevel.LOW),
        translation_config=types.TranslationConfig(
            target_language_code="fr-FR", echo_target_language=True
        ),
        tools=[
            types.Tool(google_maps=types.GoogleMaps()),
            types.Tool(
                function_declarations=[
                    types.FunctionDeclaration(
                        name="quote",
                        response=types.Schema(type=types.Type.OBJECT),
                        response_json_schema={"type": "object"},
                    )
                ]
            ),
        ],
        realtime_input_config=types.RealtimeInputConfig(
            turn_coverage=types.TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO,
            interim_transcript_timestamp_enabled=True,
        ),
        input_audio_transcription=types.AudioTranscriptionConfig(language_codes=["en-US"]),
        proactivity=types.ProactivityConfig(proactive_audio=True, proactive_video=True),
        safety_settings=[
            types.SafetySetting(
                category=types.HarmCategory.HARM_CATEGORY_HARASSMENT,
                threshold=types.HarmBlockThreshold.BLOCK_ONLY_HIGH,
            )
        ],
        explicit_vad_signal=True if vertex else None,  # the SDK refuses it for AI Studio
        labels={"team": "voice"} if vertex else None,
    )
    model = VERTEX_MODEL if vertex else AI_STUDIO_ID
    async with capture.client(vertex=vertex).aio.live.connect(model=model, config=config):
        pass
    (frame,) = await capture.frames(0)
    assert codec.decode_client(frame, strict=True) == wire.ClientMessage(
        setup=wire.Setup(
            model=VERTEX_MODEL if vertex else f"models/{AI_STUDIO_ID}",
            generation_config=wire.GenerationConfig(
                response_modalities=["TEXT"],
                thinking_config=wire.ThinkingConfig(thinking_level="LOW"),
                translation_config={"targetLanguageCode": "fr-FR", "echoTargetLanguage": True},
            ),
            tools=[
                wire.Tool(google_maps={}),
                wire.Tool(
                    function_declarations=[
                        wire.FunctionDeclaration(
                            name="quote",
                            response={"type": "OBJECT"},
                            response_json_schema={"type": "object"},
                        )
                    ]
                ),
            ],
            realtime_input_config=wire.RealtimeInputConfig(
                turn_coverage="TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
                interim_transcript_timestamp_enabled=True,
            ),
            input_audio_transcription=wire.AudioTranscriptionConfig(language_codes=["en-US"]),
            proactivity=wire.ProactivityConfig(proactive_audio=True, proactive_video=True),
            safety_settings=[
                wire.SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold="BLOCK_ONLY_HIGH")
            ],
            explicit_vad_signal=True if vertex else None,
            labels={"team": "voice"} if vertex else None,
        )
    )
