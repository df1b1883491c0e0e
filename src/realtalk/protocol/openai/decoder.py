"""The stateful decoder of OpenAI Realtime server frames (client role).

Import :class:`OpenAIDecoder` from :mod:`realtalk.protocol.openai.codec`, whose
docstring documents the event mapping and the fixed order of events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from msgspec import UNSET

from realtalk.protocol import events as ev
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.history import ItemLog
from realtalk.protocol.openai.mapping import (
    Converter,
    arguments,
    audio_format_rate,
    output_codec,
    sanitize,
    usage,
)

__all__ = ["RAW_ARGUMENTS_KEY", "OpenAIDecoder", "audio_format_rate"]

#: Key of ``FunctionCall.args`` holding arguments that are not a JSON object (as text).
RAW_ARGUMENTS_KEY = "__raw_arguments__"

_DECODER = msgspec.json.Decoder(wire.ServerEvent)
_ANY = msgspec.json.Decoder()
_MAX_ERROR = 200
_MAX_PARTIALS = 256  # open transcripts/texts remembered (a hostile server cannot grow it)
_MAX_RESPONSES = 32
_Key = tuple[str, int]


def _describe(text: str) -> str:
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 3] + "..."


def _malformed(text: str) -> tuple[ev.Event, ...]:
    return (ev.Error(code="malformed", message=_describe(text)),)


def _none(text: Any) -> str | None:
    """UNSET -> None (wire fields where null and absent differ)."""
    return None if text is UNSET else text


class _Response:
    """What the decoder remembers about a running response."""

    __slots__ = ("default", "interrupted")

    def __init__(self, default: bool) -> None:
        self.default = default  # writes to the default conversation (VAD may cancel it)
        self.interrupted = False


class OpenAIDecoder:
    """Stateful Sans-I/O decoder of OpenAI Realtime server frames (client role).

    One instance per session; :meth:`reset` at each new connection (the protocol
    object does it). See the module docstring for the event mapping and order.

    Args:
        session: The session configuration the client asks for; its audio formats
            and VAD settings are assumed until the server reports its own.

    Attributes:
        input_format: The session's effective input audio format.
        output_rate: Sample rate of ``AudioDelta`` events (24000 unless configured).
        interrupt_response: Whether VAD speech cancels a running response.
        session_id: The server's session id, once known.
        audio_item: ``(item_id, content_index)`` of the latest output audio, for
            ``conversation.item.truncate``; None before any.
    """

    def __init__(self, session: wire.Session | None = None) -> None:
        self._initial = session
        #: The conversation as the server confirmed it (kept across connections).
        self.items = ItemLog()
        self.reset()

    def reset(self) -> None:
        """Forget everything learned from a connection (a new connection starts)."""
        self.input_format = wire.AudioFormat(type=wire.AUDIO_PCM, rate=wire.PCM_RATE)
        self.output_rate = wire.PCM_RATE
        self._convert: Converter = None
        self.interrupt_response = True
        self.session_id: str | None = None
        self.audio_item: tuple[str, int] | None = None
        self._audio_ms: dict[tuple[str, int], float] = {}
        self._awaiting_setup = False
        self._responses: dict[str, _Response] = {}
        self._overrides: dict[str, tuple[int, Converter]] = {}
        # fragments already delivered as deltas, joined only at ".done" (linear cost)
        self._texts: dict[_Key, list[str]] = {}
        self._outputs: dict[_Key, list[str]] = {}
        self._inputs: dict[_Key, list[str]] = {}
        self._calls: dict[str, list[wire.FunctionCallItem]] = {}
        self._args: dict[str, str] = {}
        if self._initial is not None:
            self._apply_session(self._initial)

    # -- state ---------------------------------------------------------------------------
    def audio_received_ms(self, item_id: str, content_index: int = 0) -> int:
        """Milliseconds of audio received so far for an output item (0 if none)."""
        return int(self._audio_ms.get((item_id, content_index), 0.0))

    @property
    def active_response_id(self) -> str | None:
        """The running default-conversation response, if any."""
        return next((rid for rid, r in self._responses.items() if r.default), None)

    def _apply_session(self, session: wire.Session) -> None:
        """Take the audio formats and VAD flag from a session object (GA or beta shape)."""
        audio = session.audio
        if isinstance(audio, wire.SessionAudio):
            if isinstance(audio.input, wire.AudioInput):
                if isinstance(audio.input.format, wire.AudioFormat):
                    self.input_format = audio.input.format
                if audio.input.turn_detection is not UNSET:
                    self._apply_turn_detection(audio.input.turn_detection)
            out = audio.output
            if isinstance(out, wire.AudioOutput) and isinstance(out.format, wire.AudioFormat):
                self.output_rate, self._convert = output_codec(out.format)
        if isinstance(session.input_audio_format, str):
            kind = wire.BETA_FORMATS.get(session.input_audio_format, session.input_audio_format)
            self.input_format = wire.AudioFormat(
                type=kind, rate=wire.PCM_RATE if kind == wire.AUDIO_PCM else UNSET
            )
        if isinstance(session.output_audio_format, str):
            self.output_rate, self._convert = output_codec(session.output_audio_format)
        if session.turn_detection is not UNSET:
            self._apply_turn_detection(session.turn_detection)

    def _apply_turn_detection(self, td: wire.TurnDetection | None) -> None:
        self.interrupt_response = td is not None and td.interrupt_response is not False

    @staticmethod
    def _remember(store: dict[_Key, list[str]], key: _Key, text: str) -> None:
        fragments = store.get(key)
        if fragments is None:
            if len(store) >= _MAX_PARTIALS:
                del store[next(iter(store))]
            store[key] = fragments = []
        fragments.append(text)

    @staticmethod
    def _rest(store: dict[_Key, list[str]], key: _Key, full: str) -> str:
        sent = "".join(store.pop(key, ()))
        return full[len(sent) :] if full.startswith(sent) else ""

    # -- entry point ---------------------------------------------------------------------
    def feed(self, data: str | bytes) -> tuple[ev.Event, ...]:
        """Turn one server frame into events (order: module docstring). Never raises."""
        try:
            msg = _DECODER.decode(data)
        except msgspec.ValidationError:
            return self._fallback(data)
        except Exception as exc:
            return self._undecodable(data, exc)
        try:
            return _HANDLERS[msg.__class__](self, msg, data)
        except Exception as exc:  # the receive path never raises (STYLE.md rule 4)
            return _malformed(f"cannot handle server event: {exc!r}")

    __call__ = feed

    @staticmethod
    def _undecodable(data: object, exc: Exception) -> tuple[ev.Event, ...]:
        if isinstance(data, str | bytes | bytearray) and not data.strip():
            return ()
        return _malformed(f"invalid server event: {exc}")

    def _fallback(self, data: str | bytes) -> tuple[ev.Event, ...]:
        """Slow path: unknown types, unknown items/parts, or invalid fields."""
        try:
            raw = _ANY.decode(data)
            if not isinstance(raw, dict):
                return _malformed("invalid server event: not a JSON object")
            kind = raw.get("type")
            if not isinstance(kind, str):
                return _malformed("invalid server event: no type")
            cls = wire.SERVER_EVENT_TYPES.get(kind)
            fixed = None if cls is None else sanitize(raw)
            if cls is None or fixed is None:
                return (ev.Unknown(raw=raw),)
            try:
                msg = msgspec.convert(fixed, cls)
            except msgspec.ValidationError as exc:
                return _malformed(f"invalid {kind} event: {exc}")
            return _HANDLERS[cls](self, msg, data)
        except Exception as exc:
            return _malformed(f"invalid server event: {exc!r}")

    # -- handlers (one per server event class) ---------------------------------------------
    def _nothing(self, msg: Any, data: Any) -> tuple[ev.Event, ...]:
        return ()

    def _error(self, msg: wire.ErrorEvent, data: Any) -> tuple[ev.Event, ...]:
        e = msg.error
        return (
            ev.Error(
                code=_none(e.code) or e.type or None,
                message=e.message,
                param=_none(e.param),
                event_id=_none(e.event_id),
            ),
        )

    def _session(self, msg: wire.SessionCreated | wire.SessionUpdated, data: Any) -> Any:
        created = isinstance(msg, wire.SessionCreated)
        if created:
            self.reset()
            self._awaiting_setup = True
        session = msg.session
        self._apply_session(session)
        if isinstance(session.id, str):
            self.session_id = session.id
        raw = _ANY.decode(data).get("session")
        update = ev.SessionUpdated(
            session=raw if isinstance(raw, dict) else {},
            session_id=self.session_id,
            created=created,
        )
        if created or not self._awaiting_setup:
            return (update,)
        self._awaiting_setup = False
        return (update, ev.SetupComplete(session_id=self.session_id))

    def _speech_started(self, msg: wire.InputAudioBufferSpeechStarted, data: Any) -> Any:
        started = ev.SpeechStarted(offset=msg.audio_start_ms / 1000)
        if self.interrupt_response:
            running = [r for r in self._responses.values() if r.default and not r.interrupted]
            for response in running:
                response.interrupted = True
            if running:
                return (started, ev.Interrupted())
        return (started,)

    def _speech_stopped(self, msg: wire.InputAudioBufferSpeechStopped, data: Any) -> Any:
        return (ev.SpeechStopped(offset=msg.audio_end_ms / 1000),)

    def _input_delta(self, msg: wire.InputAudioTranscriptionDelta, data: Any) -> Any:
        if not msg.delta:
            return ()
        self._remember(self._inputs, (msg.item_id, msg.content_index), msg.delta)
        return (ev.InputTranscript(text=msg.delta),)

    def _input_completed(self, msg: wire.InputAudioTranscriptionCompleted, data: Any) -> Any:
        rest = self._rest(self._inputs, (msg.item_id, msg.content_index), msg.transcript)
        return (ev.InputTranscript(text=rest, final=True),)

    def _input_failed(self, msg: wire.InputAudioTranscriptionFailed, data: Any) -> Any:
        self._inputs.pop((msg.item_id, msg.content_index), None)
        e = msg.error
        code = _none(e.code) or e.type or "transcription_failed"
        return (ev.Error(code=code, message=e.message, param=_none(e.param)),)

    def _response_created(self, msg: wire.ResponseCreated, data: Any) -> Any:
        resp = msg.response
        rid = resp.id or ""
        if rid not in self._responses:
            if len(self._responses) >= _MAX_RESPONSES:
                del self._responses[next(iter(self._responses))]
            self._responses[rid] = _Response(default=resp.conversation_id is not None)
        fmt = resp.audio.output.format if resp.audio and resp.audio.output else None
        if fmt is not None:
            codec = output_codec(fmt)
            if codec != (self.output_rate, self._convert) and len(self._overrides) < 64:
                self._overrides[rid] = codec
        return (ev.ResponseStarted(response_id=resp.id),)

    def _conversation_item(self, msg: Any, data: Any) -> tuple[ev.Event, ...]:
        self.items.record(msg.item)
        return ()

    def _item_deleted(self, msg: wire.ConversationItemDeleted, data: Any) -> tuple[ev.Event, ...]:
        self.items.delete(msg.item_id)
        return ()

    def _item_done(self, msg: wire.ResponseOutputItemDone, data: Any) -> Any:
        if isinstance(msg.item, wire.FunctionCallItem) and len(self._calls) < _MAX_RESPONSES:
            self._calls.setdefault(msg.response_id, []).append(msg.item)
        return ()

    def _arguments_done(self, msg: wire.ResponseFunctionCallArgumentsDone, data: Any) -> Any:
        if len(self._args) < _MAX_PARTIALS:
            self._args[msg.call_id] = msg.arguments
        return ()

    def _audio_delta(self, msg: wire.ResponseOutputAudioDelta, data: Any) -> Any:
        pcm = msg.delta
        if not pcm:
            return ()
        rate, convert = self.output_rate, self._convert
        if self._overrides:
            rate, convert = self._overrides.get(msg.response_id, (rate, convert))
        key = (msg.item_id, msg.content_index)
        if key != self.audio_item:
            self.audio_item = key
            if len(self._audio_ms) >= _MAX_PARTIALS:
                self._audio_ms.pop(next(iter(self._audio_ms)))
        received = len(pcm) // 2 if convert is None else len(pcm)  # G.711: 1 byte a sample
        self._audio_ms[key] = self._audio_ms.get(key, 0.0) + received * 1000.0 / rate
        return (ev.AudioDelta(data=pcm if convert is None else convert(pcm), sample_rate=rate),)

    def _text_delta(self, msg: wire.ResponseOutputTextDelta, data: Any) -> Any:
        if not msg.delta:
            return ()
        self._remember(self._texts, (msg.item_id, msg.content_index), msg.delta)
        return (ev.TextDelta(text=msg.delta),)

    def _text_done(self, msg: wire.ResponseOutputTextDone, data: Any) -> Any:
        rest = self._rest(self._texts, (msg.item_id, msg.content_index), msg.text)
        return (ev.TextDelta(text=rest),) if rest else ()

    def _transcript_delta(self, msg: wire.ResponseOutputAudioTranscriptDelta, data: Any) -> Any:
        if not msg.delta:
            return ()
        self._remember(self._outputs, (msg.item_id, msg.content_index), msg.delta)
        return (ev.OutputTranscript(text=msg.delta),)

    def _transcript_done(self, msg: wire.ResponseOutputAudioTranscriptDone, data: Any) -> Any:
        rest = self._rest(self._outputs, (msg.item_id, msg.content_index), msg.transcript)
        return (ev.OutputTranscript(text=rest, final=True),)

    def _rate_limits(self, msg: wire.RateLimitsUpdated, data: Any) -> Any:
        limits = tuple(
            ev.RateLimit(
                name=r.name, limit=r.limit, remaining=r.remaining, reset_seconds=r.reset_seconds
            )
            for r in msg.rate_limits
        )
        return (ev.RateLimits(limits=limits),)

    def _response_done(self, msg: wire.ResponseDone, data: Any) -> Any:
        resp = msg.response
        rid = resp.id or ""
        state = self._responses.pop(rid, None)
        self._overrides.pop(rid, None)
        tracked = self._calls.pop(rid, [])
        status = resp.status or "completed"
        details = resp.status_details
        if not isinstance(details, wire.StatusDetails):
            details = None
        reason = details.reason if details is not None else None
        error = None
        if details is not None and details.error is not None:
            reason = reason or _none(details.error.code) or details.error.type or None
            error = details.error.message or None
        out: list[ev.Event] = []
        called = False
        if status in ("completed", "incomplete"):
            items = resp.output if resp.output is not None else tracked
            called = self._tool_call(items, out)
        for item in tracked:
            self._args.pop(item.call_id, None)
        if isinstance(resp.usage, wire.ResponseUsage):
            out.append(usage(resp.usage))
        out.append(ev.ResponseDone(status=status, response_id=resp.id, reason=reason, error=error))
        if status == "cancelled" and not (state is not None and state.interrupted):
            out.append(ev.Interrupted())
        if not called:
            if status in ("completed", "incomplete"):
                out.append(ev.GenerationComplete())
            out.append(ev.TurnComplete(reason=None if status == "completed" else status))
        return tuple(out)

    def _tool_call(self, items: Sequence[wire.Item], out: list[ev.Event]) -> bool:
        """Append one ``ToolCall`` for the completed function calls in ``items``."""
        calls: list[ev.FunctionCall] = []
        errors: list[ev.Event] = []
        for item in items:
            if not isinstance(item, wire.FunctionCallItem) or item.status not in (
                None,
                "completed",
            ):
                continue
            text = item.arguments
            if text is None:
                text = self._args.get(item.call_id, "")
            args = arguments(text)
            if args is None:
                args = {RAW_ARGUMENTS_KEY: text}
                errors.append(
                    ev.Error(
                        code="invalid_function_arguments",
                        message=_describe(
                            f"arguments of {item.name!r} are not a JSON object: {text!r}"
                        ),
                        param=item.call_id,
                    )
                )
            calls.append(ev.FunctionCall(id=item.call_id, name=item.name, args=args))
        if not calls:
            return False
        out.append(ev.ToolCall(calls=tuple(calls)))
        out.extend(errors)
        return True


_Handler = Callable[[OpenAIDecoder, Any, Any], tuple[ev.Event, ...]]
_BY_GA_CLASS: dict[type, _Handler] = {
    wire.ErrorEvent: OpenAIDecoder._error,
    wire.SessionCreated: OpenAIDecoder._session,
    wire.SessionUpdated: OpenAIDecoder._session,
    wire.InputAudioBufferSpeechStarted: OpenAIDecoder._speech_started,
    wire.InputAudioBufferSpeechStopped: OpenAIDecoder._speech_stopped,
    wire.InputAudioTranscriptionDelta: OpenAIDecoder._input_delta,
    wire.InputAudioTranscriptionCompleted: OpenAIDecoder._input_completed,
    wire.InputAudioTranscriptionFailed: OpenAIDecoder._input_failed,
    wire.ResponseCreated: OpenAIDecoder._response_created,
    wire.ResponseDone: OpenAIDecoder._response_done,
    wire.ResponseOutputItemDone: OpenAIDecoder._item_done,
    wire.ResponseFunctionCallArgumentsDone: OpenAIDecoder._arguments_done,
    wire.ResponseOutputAudioDelta: OpenAIDecoder._audio_delta,
    wire.ResponseOutputTextDelta: OpenAIDecoder._text_delta,
    wire.ResponseOutputTextDone: OpenAIDecoder._text_done,
    wire.ResponseOutputAudioTranscriptDelta: OpenAIDecoder._transcript_delta,
    wire.ResponseOutputAudioTranscriptDone: OpenAIDecoder._transcript_done,
    wire.RateLimitsUpdated: OpenAIDecoder._rate_limits,
    wire.ConversationItemAdded: OpenAIDecoder._conversation_item,
    wire.ConversationItemDone: OpenAIDecoder._conversation_item,
    wire.ConversationItemCreated: OpenAIDecoder._conversation_item,
    wire.ConversationItemDeleted: OpenAIDecoder._item_deleted,
}


def _handler(cls: type) -> _Handler:
    """The handler of ``cls`` or of the GA class a beta alias derives from."""
    for base in cls.__mro__:
        if base in _BY_GA_CLASS:
            return _BY_GA_CLASS[base]
    return OpenAIDecoder._nothing


_HANDLERS: dict[type, _Handler] = {cls: _handler(cls) for cls in wire.SERVER_EVENT_TYPES.values()}
