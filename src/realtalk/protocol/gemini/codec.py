"""Gemini Live codec: server frames to events, client commands to bytes (and back).

Client role (the session; hot path):

* :func:`decode_server` turns one server frame (text or binary, both JSON, spec §2.1)
  into a tuple of :mod:`realtalk.protocol.events` and never raises.
* :func:`encode_client` and the fast builders (:func:`encode_audio`, ...) produce the
  bytes of one client message (camelCase, defaults omitted, int64 as strings).

Server role (the emulator; correctness over speed):

* :func:`decode_client` validates one client frame like Google's JSON front end.
* :func:`encode_server` produces a server frame.

Decoding is implemented here; the encoders live in :mod:`.encoding` and
:func:`decode_client` in :mod:`.server_role`, all re-exported from this module.

Event order. One server message becomes events in this fixed order (spec §2.2, §5):

1. ``setupComplete`` -> :class:`~realtalk.protocol.events.SetupComplete`
2. ``serverContent``:
   ``inputTranscription`` -> ``InputTranscript(final=finished)``;
   ``interimInputTranscription`` -> ``InputTranscript(interim=True)``;
   ``modelTurn.parts`` in order (thought -> ``Thought``, text -> ``TextDelta``,
   PCM ``inlineData`` -> ``AudioDelta``, ``executableCode`` -> ``CodeExecution``,
   ``codeExecutionResult`` -> ``CodeExecutionResult``; any other part -> ``Unknown``);
   ``outputTranscription`` -> ``OutputTranscript``;
   grounding / URL-context metadata -> ``Grounding``;
   ``interrupted`` -> ``Interrupted``; ``generationComplete`` -> ``GenerationComplete``;
   ``waitingForInput`` -> ``WaitingForInput``;
   ``turnComplete`` -> ``TurnComplete(reason=turnCompleteReason, status=interactionStatus)``
3. ``toolCall`` -> ``ToolCall``; 4. ``toolCallCancellation`` -> ``ToolCallCancelled``
5. ``goAway`` -> ``GoAway``; 6. ``sessionResumptionUpdate`` -> ``ResumptionUpdate``
7. ``voiceActivity`` / 8. ``voiceActivityDetectionSignal`` -> ``SpeechStarted`` /
   ``SpeechStopped`` (other values -> ``Unknown``)
9. ``usageMetadata`` -> ``Usage``, after everything else except a ``TurnComplete``
   of the same message, which stays last (a reader that stops at the end of the
   turn has seen its usage).

An empty payload or ``{}`` gives ``()``; a message with none of the known keys gives
``(Unknown(raw),)``; garbage gives ``(Error(code="malformed", ...),)``. Unknown keys
beside a known one are ignored.
"""

from __future__ import annotations

import msgspec

from realtalk.errors import ProtocolError
from realtalk.protocol import events as ev
from realtalk.protocol.gemini.encoding import (
    AUDIO_MIME_PREFIX,
    INPUT_SAMPLE_RATE,
    OUTPUT_SAMPLE_RATE,
    encode_activity_end,
    encode_activity_start,
    encode_audio,
    encode_audio_base64,
    encode_audio_stream_end,
    encode_client,
    encode_client_content,
    encode_context_update,
    encode_server,
    encode_setup,
    encode_text,
    encode_tool_response,
    encode_video,
    parse_pcm_rate,
)
from realtalk.protocol.gemini.server_role import decode_base64, decode_client
from realtalk.protocol.gemini.wire import (
    ModalityTokenCount,
    Part,
    ServerContent,
    ServerMessage,
    UsageMetadata,
    parse_duration,
)

__all__ = [
    "AUDIO_MIME_PREFIX",
    "INPUT_SAMPLE_RATE",
    "OUTPUT_SAMPLE_RATE",
    "decode_base64",
    "decode_client",
    "decode_server",
    "decode_server_message",
    "encode_activity_end",
    "encode_activity_start",
    "encode_audio",
    "encode_audio_base64",
    "encode_audio_stream_end",
    "encode_client",
    "encode_client_content",
    "encode_context_update",
    "encode_server",
    "encode_setup",
    "encode_text",
    "encode_tool_response",
    "encode_video",
    "parse_pcm_rate",
    "server_message_events",
]

_DECODER = msgspec.json.Decoder(ServerMessage, strict=False)
_ANY_DECODER = msgspec.json.Decoder()
_EMPTY = ServerMessage()
_MAX_ERROR = 200

_RATE_CACHE: dict[str, int | None] = {}


def _output_rate(mime: str | None) -> int | None:
    """Cached :func:`parse_pcm_rate` for server audio (bare ``audio/pcm`` = 24 kHz)."""
    if mime is None:
        return OUTPUT_SAMPLE_RATE
    rate = _RATE_CACHE.get(mime, -1)
    if rate == -1:
        rate = parse_pcm_rate(mime, OUTPUT_SAMPLE_RATE)
        if len(_RATE_CACHE) >= 64:  # bounded: a hostile server cannot grow it
            _RATE_CACHE.clear()
        _RATE_CACHE[mime] = rate
    return rate


# -- client role: decoding ---------------------------------------------------------


def decode_server_message(data: str | bytes) -> ServerMessage:
    """Decode one server frame into a :class:`ServerMessage` (spec §2, §5).

    int64 fields are accepted as numbers or strings; unknown fields are ignored.

    Args:
        data: The frame payload (text or binary frames both hold JSON, §2.1).

    Returns:
        The message; an empty payload gives an empty :class:`ServerMessage`.

    Raises:
        ProtocolError: The payload is not JSON or does not match the schema.
    """
    if not data:
        return _EMPTY
    try:
        return _DECODER.decode(data)
    except (ValueError, RecursionError) as exc:
        if isinstance(data, str | bytes) and not data.strip():
            return _EMPTY
        raise ProtocolError(_describe(exc)) from None


def decode_server(data: str | bytes) -> tuple[ev.Event, ...]:
    """Turn one server frame into events, in the order of the module docstring.

    Never raises: bad data becomes ``Error(code="malformed")``.

    Args:
        data: The frame payload (text or binary, §2.1).

    Returns:
        The events; ``()`` for an empty payload or ``{}``.
    """
    try:
        message = decode_server_message(data)
        events = server_message_events(message)
        if events or message != _EMPTY:
            return events
        return _unknown_or_nothing(data)
    except Exception as exc:  # the receive path never raises (STYLE.md rule 4)
        text = exc.reason if isinstance(exc, ProtocolError) else _describe(exc)
        return (ev.Error(code="malformed", message=text),)


def _unknown_or_nothing(data: str | bytes) -> tuple[ev.Event, ...]:
    """Slow path for a message without known keys: ``()`` for ``{}``, else ``Unknown``."""
    if not data or (isinstance(data, str | bytes) and not data.strip()):
        return ()
    raw = _ANY_DECODER.decode(data)
    return (ev.Unknown(raw=raw),) if raw else ()


def _describe(exc: BaseException) -> str:
    text = f"invalid server message: {exc}"
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 3] + "..."


def server_message_events(msg: ServerMessage) -> tuple[ev.Event, ...]:
    """Split a decoded server message into events (order: module docstring).

    Args:
        msg: The decoded message.

    Returns:
        The events, possibly empty.

    Raises:
        ValueError: A Duration field is not a Duration string (§2.3).
    """
    out: list[ev.Event] = []
    if msg.setup_complete is not None:
        out.append(ev.SetupComplete(session_id=msg.setup_complete.session_id))
    if msg.server_content is not None:
        _content_events(msg.server_content, out)
    if msg.tool_call is not None:
        calls = msg.tool_call.function_calls or ()
        out.append(
            ev.ToolCall(
                calls=tuple(
                    ev.FunctionCall(id=c.id or "", name=c.name or "", args=c.args or {})
                    for c in calls
                )
            )
        )
    if msg.tool_call_cancellation is not None:
        out.append(ev.ToolCallCancelled(ids=tuple(msg.tool_call_cancellation.ids or ())))
    if msg.go_away is not None:
        left = msg.go_away.time_left
        out.append(ev.GoAway(time_left=None if left is None else parse_duration(left)))
    if msg.session_resumption_update is not None:
        sru = msg.session_resumption_update
        out.append(
            ev.ResumptionUpdate(
                handle=sru.new_handle or None,
                resumable=bool(sru.resumable),
                last_consumed_index=sru.last_consumed_client_message_index,
            )
        )
    if msg.voice_activity is not None or msg.voice_activity_detection_signal is not None:
        _voice_events(msg, out)
    if msg.usage_metadata is not None:
        # Usage follows what it accounts for but precedes TurnComplete, so a reader
        # that stops at the end of the turn still sees the turn's usage.
        at = len(out) - 1 if out and isinstance(out[-1], ev.TurnComplete) else len(out)
        out.insert(at, _usage(msg.usage_metadata))
    return tuple(out)


def _content_events(sc: ServerContent, out: list[ev.Event]) -> None:
    """Append the events of one ``serverContent`` (§5.2) in the documented order."""
    tr = sc.input_transcription
    if tr is not None and (tr.text or tr.finished):
        out.append(ev.InputTranscript(text=tr.text or "", final=bool(tr.finished)))
    tr = sc.interim_input_transcription
    if tr is not None and (tr.text or tr.finished):
        out.append(ev.InputTranscript(text=tr.text or "", final=bool(tr.finished), interim=True))
    if sc.model_turn is not None and sc.model_turn.parts:
        for part in sc.model_turn.parts:
            _part_events(part, out)
    tr = sc.output_transcription
    if tr is not None and (tr.text or tr.finished):
        out.append(ev.OutputTranscript(text=tr.text or "", final=bool(tr.finished)))
    if sc.grounding_metadata is not None or sc.url_context_metadata is not None:
        out.append(
            ev.Grounding(grounding=sc.grounding_metadata, url_context=sc.url_context_metadata)
        )
    if sc.interrupted:
        out.append(ev.Interrupted())
    if sc.generation_complete:
        out.append(ev.GenerationComplete())
    if sc.waiting_for_input:
        out.append(ev.WaitingForInput())
    if sc.turn_complete:
        out.append(ev.TurnComplete(reason=sc.turn_complete_reason, status=sc.interaction_status))


def _part_events(part: Part, out: list[ev.Event]) -> None:
    """Append the events of one ``modelTurn`` part; unrecognised data -> ``Unknown``."""
    known = False
    if part.text:
        out.append(ev.Thought(text=part.text) if part.thought else ev.TextDelta(text=part.text))
        known = True
    blob = part.inline_data
    if blob is not None:
        rate = _output_rate(blob.mime_type)
        if rate is not None:
            out.append(ev.AudioDelta(data=blob.data or b"", sample_rate=rate))
            known = True
    code = part.executable_code
    if code is not None:
        out.append(ev.CodeExecution(language=code.language or "", code=code.code or ""))
        known = True
    result = part.code_execution_result
    if result is not None:
        out.append(ev.CodeExecutionResult(outcome=result.outcome or "", output=result.output or ""))
        known = True
    if not known and (
        blob is not None
        or part.file_data is not None
        or part.function_call is not None
        or part.function_response is not None
    ):
        raw = {"serverContent": {"modelTurn": {"parts": [msgspec.to_builtins(part)]}}}
        out.append(ev.Unknown(raw=raw))


def _voice_events(msg: ServerMessage, out: list[ev.Event]) -> None:
    """Append speech start/stop events for ``voiceActivity`` and VAD signals (§5.8)."""
    va = msg.voice_activity
    if va is not None:
        offset = None if va.audio_offset is None else parse_duration(va.audio_offset)
        if va.type == "ACTIVITY_START":
            out.append(ev.SpeechStarted(offset=offset))
        elif va.type == "ACTIVITY_END":
            out.append(ev.SpeechStopped(offset=offset))
        else:
            out.append(ev.Unknown(raw={"voiceActivity": msgspec.to_builtins(va)}))
    sig = msg.voice_activity_detection_signal
    if sig is not None:
        if sig.vad_signal_type == "VAD_SIGNAL_TYPE_SOS":
            out.append(ev.SpeechStarted())
        elif sig.vad_signal_type == "VAD_SIGNAL_TYPE_EOS":
            out.append(ev.SpeechStopped())
        else:
            out.append(ev.Unknown(raw={"voiceActivityDetectionSignal": msgspec.to_builtins(sig)}))


def _details(items: list[ModalityTokenCount] | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items or ():
        key = item.modality or "MODALITY_UNSPECIFIED"
        counts[key] = counts.get(key, 0) + (item.token_count or 0)
    return counts


def _usage(u: UsageMetadata) -> ev.Usage:
    """Build ``Usage`` from AI Studio or Vertex field names (§5.7)."""
    response = u.response_token_count
    if response is None:
        response = u.candidates_token_count
    details = u.response_tokens_details
    if details is None:
        details = u.candidates_tokens_details
    return ev.Usage(
        prompt_tokens=u.prompt_token_count or 0,
        response_tokens=response or 0,
        total_tokens=u.total_token_count or 0,
        cached_tokens=u.cached_content_token_count or 0,
        thoughts_tokens=u.thoughts_token_count or 0,
        tool_use_prompt_tokens=u.tool_use_prompt_token_count or 0,
        prompt_details=_details(u.prompt_tokens_details),
        response_details=_details(details),
    )
