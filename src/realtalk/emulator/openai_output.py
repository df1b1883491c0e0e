"""Builders for the server events of the OpenAI emulator (openai-realtime.md §5).

Small pure functions returning :mod:`realtalk.protocol.openai.wire` values: the
``error`` events the service sends (with its codes and messages, §5.1), the
response object (§3.5) with its usage, and ``rate_limits.updated`` (§5.13).
Token estimates are the Gemini emulator's: one token per four characters of text,
32 per second of audio (:mod:`realtalk.emulator.output`).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from realtalk.emulator.conversation import Entry
from realtalk.emulator.output import audio_tokens, text_tokens
from realtalk.protocol.openai import ClientEventError, wire

__all__ = [
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_TOKENS",
    "Ids",
    "RequestError",
    "active_response",
    "cancel_not_active",
    "commit_empty",
    "invalid",
    "item_not_found",
    "no_responses",
    "not_truncatable",
    "prompt_tokens",
    "rate_limits",
    "response_object",
    "response_usage",
    "session_expired",
    "truncate_too_long",
]

#: Limits reported in ``rate_limits.updated`` (tokens remaining go down with usage).
RATE_LIMIT_REQUESTS = 1000
RATE_LIMIT_TOKENS = 50000


class Ids:
    """Server ids of one connection: ``prefix_`` + a random tag + a counter (§2)."""

    def __init__(self) -> None:
        self._tag = secrets.token_hex(5)
        self._count = itertools.count(1)

    def __call__(self, prefix: str) -> str:
        """A fresh id such as ``item_1a2b3c4d5e000007``."""
        return f"{prefix}_{self._tag}{next(self._count):06d}"


# -- errors (§5.1): each returns the exception the handlers raise ---------------------


class RequestError(Exception):
    """A client event the service refuses with an ``error`` event; the session goes on.

    Like :class:`~realtalk.protocol.openai.ClientEventError` (which it wraps for
    decoding failures), but ``code`` may be null, as some of the service's errors are.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None,
        param: str | None = None,
        event_id: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.event_id = event_id
        self.type = type

    @classmethod
    def from_decoding(cls, exc: ClientEventError) -> RequestError:
        """The error of a client event the codec refused."""
        return cls(
            exc.message, code=exc.code, param=exc.param, event_id=exc.event_id, type=exc.type
        )

    def to_event(self) -> wire.ErrorEvent:
        """The ``error`` server event (its ``event_id`` is set when sent)."""
        detail = wire.ErrorDetail(
            type=self.type,
            code=self.code,
            message=self.message,
            param=self.param,
            event_id=self.event_id,
        )
        return wire.ErrorEvent(error=detail)


def invalid(
    message: str, *, param: str | None, event_id: str | None, code: str | None = "invalid_value"
) -> RequestError:
    """An ``invalid_request_error`` (``invalid_value`` unless another code is given)."""
    return RequestError(message, code=code, param=param, event_id=event_id)


def active_response(response_id: str, event_id: str | None) -> RequestError:
    """``response.create`` while a default-conversation response runs (§4.9)."""
    return invalid(
        f"Conversation already has an active response in progress: {response_id}. "
        "Wait until the response is finished before creating a new one.",
        param=None,
        event_id=event_id,
        code="conversation_already_has_active_response",
    )


def cancel_not_active(event_id: str | None) -> RequestError:
    """``response.cancel`` with nothing to cancel (§4.10)."""
    return invalid(
        "Cancellation failed: no active response found",
        param=None,
        event_id=event_id,
        code="response_cancel_not_active",
    )


def commit_empty(buffered_ms: float, event_id: str | None) -> RequestError:
    """``input_audio_buffer.commit`` with less than 100 ms of audio (§4.3)."""
    return invalid(
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
        f"audio, but buffer only has {buffered_ms:.2f}ms of audio.",
        param=None,
        event_id=event_id,
        code="input_audio_buffer_commit_empty",
    )


def item_not_found(item_id: str, param: str, event_id: str | None) -> RequestError:
    """An event naming an item the conversation does not hold."""
    return invalid(f"Item with item_id not found: {item_id}", param=param, event_id=event_id)


def no_responses(event_id: str | None) -> RequestError:
    """``response.create`` in a transcription session, which never responds (§3.3).

    The spec names no error; this is the ``invalid_value`` (``param: "type"``) an
    event type the session does not support gets.
    """
    return invalid(
        "Invalid value: 'response.create'. Transcription sessions do not create "
        "responses; they send input audio buffer, item and transcription events only.",
        param="type",
        event_id=event_id,
    )


def not_truncatable(event_id: str | None) -> RequestError:
    """``conversation.item.truncate`` on an item without model audio (field captures)."""
    return invalid(
        "Only model output audio messages can be truncated",
        param=None,
        event_id=event_id,
        code=None,
    )


def truncate_too_long(have_ms: int, want_ms: int, event_id: str | None) -> RequestError:
    """``audio_end_ms`` beyond the audio of the item (§4.7; the service's wording)."""
    return invalid(
        f"Audio content of {have_ms}ms is already shorter than {want_ms}ms",
        param=None,
        event_id=event_id,
    )


def session_expired(limit_seconds: float) -> wire.ErrorEvent:
    """The ``error`` sent when the session reaches its maximum duration (§6.1, §8)."""
    minutes = limit_seconds / 60
    whole = minutes >= 1 and minutes == int(minutes)
    span = f"{minutes:g} minutes" if whole else f"{limit_seconds:g} seconds"
    detail = wire.ErrorDetail(
        type="invalid_request_error",
        code="session_expired",
        message=f"Your session hit the maximum duration of {span}.",
        param=None,
        event_id=None,
    )
    return wire.ErrorEvent(error=detail)


# -- usage and the response object (§3.5) ---------------------------------------------


def prompt_tokens(history: Iterable[Entry]) -> tuple[int, int]:
    """Estimated ``(text, audio)`` input tokens of a context."""
    text = audio = 0
    for entry in history:
        if entry.kind == "audio":
            audio += audio_tokens(entry.seconds)
            if entry.role == "model":
                text += text_tokens(entry.text)
        else:
            text += text_tokens(entry.text)
    return text, audio


def response_usage(
    history: Sequence[Entry], out_text: str, out_seconds: float
) -> wire.ResponseUsage:
    """Usage of one response: the context as input, the text (or transcript) and audio out."""
    in_text, in_audio = prompt_tokens(history)
    out_t, out_a = text_tokens(out_text), audio_tokens(out_seconds)
    zero = wire.TokenDetails(text_tokens=0, audio_tokens=0, image_tokens=0)
    return wire.ResponseUsage(
        total_tokens=in_text + in_audio + out_t + out_a,
        input_tokens=in_text + in_audio,
        output_tokens=out_t + out_a,
        input_token_details=wire.InputTokenDetails(
            text_tokens=in_text,
            audio_tokens=in_audio,
            image_tokens=0,
            cached_tokens=0,
            cached_tokens_details=zero,
        ),
        output_token_details=wire.OutputTokenDetails(text_tokens=out_t, audio_tokens=out_a),
    )


def response_object(
    *,
    response_id: str,
    status: str,
    conversation_id: str | None,
    modalities: list[str],
    max_output_tokens: int | str,
    output_format: dict[str, Any],
    voice: str | wire.VoiceRef,
    metadata: dict[str, str] | None,
    output: list[wire.Item] | None = None,
    reason: str | None = None,
    usage: wire.ResponseUsage | None = None,
) -> wire.Response:
    """The ``realtime.response`` object, every field written as the service does."""
    details = None
    if status not in ("in_progress", "completed"):
        details = wire.StatusDetails(type=status, reason=reason)
    fmt = wire.AudioFormat(type=output_format["type"])
    if "rate" in output_format:
        fmt.rate = output_format["rate"]
    audio = wire.ResponseAudio(output=wire.ResponseAudioOutput(format=fmt, voice=voice))
    return wire.Response(
        id=response_id,
        object="realtime.response",
        status=status,
        status_details=details,
        output=output if output is not None else [],
        conversation_id=conversation_id,
        output_modalities=modalities,
        max_output_tokens="inf" if max_output_tokens == "inf" else int(max_output_tokens),
        audio=audio,
        usage=usage,
        metadata=metadata,
    )


def rate_limits(tokens_used: int) -> wire.RateLimitsUpdated:
    """``rate_limits.updated`` after a response (§5.13, §10 item 10)."""
    return wire.RateLimitsUpdated(
        rate_limits=[
            wire.RateLimit(
                name="requests",
                limit=RATE_LIMIT_REQUESTS,
                remaining=RATE_LIMIT_REQUESTS - 1,
                reset_seconds=60.0,
            ),
            wire.RateLimit(
                name="tokens",
                limit=RATE_LIMIT_TOKENS,
                remaining=max(0, RATE_LIMIT_TOKENS - tokens_used),
                reset_seconds=60.0,
            ),
        ]
    )
