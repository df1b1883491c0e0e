"""Builders for the server messages the emulator sends (gemini-live.md §5).

Small pure functions returning :class:`~realtalk.protocol.gemini.wire.ServerMessage`
values, plus the token estimates behind ``usageMetadata`` (§5.7): a text costs
one token per four characters (at least one), audio 32 tokens per second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from realtalk.emulator.conversation import Entry
from realtalk.protocol.gemini import wire

__all__ = [
    "AUDIO_TOKENS_PER_SECOND",
    "OUTPUT_MIME",
    "audio_chunk",
    "audio_tokens",
    "cancellation",
    "generation_complete",
    "go_away",
    "input_transcription",
    "interrupted",
    "output_transcription",
    "resumption_update",
    "setup_complete",
    "text_chunk",
    "text_tokens",
    "tool_call",
    "turn_complete",
    "usage",
]

#: MIME type of the model's audio (24 kHz, 16-bit mono PCM; §6.4).
OUTPUT_MIME = "audio/pcm;rate=24000"
#: Token cost of one second of audio in usage estimates.
AUDIO_TOKENS_PER_SECOND = 32

Platform = Literal["ai_studio", "vertex"]


def text_tokens(text: str) -> int:
    """Estimated tokens of a text (0 for an empty text)."""
    return math.ceil(len(text) / 4) if text else 0


def audio_tokens(seconds: float) -> int:
    """Estimated tokens of ``seconds`` of audio."""
    return math.ceil(seconds * AUDIO_TOKENS_PER_SECOND) if seconds > 0 else 0


def setup_complete(session_id: str | None) -> wire.ServerMessage:
    """``setupComplete`` (§5.1)."""
    return wire.ServerMessage(setup_complete=wire.SetupComplete(session_id=session_id))


def _content(**fields: Any) -> wire.ServerMessage:
    return wire.ServerMessage(server_content=wire.ServerContent(**fields))


def text_chunk(text: str) -> wire.ServerMessage:
    """A ``modelTurn`` carrying one text fragment (TEXT modality)."""
    return _content(model_turn=wire.Content(role="model", parts=[wire.Part(text=text)]))


def audio_chunk(pcm: bytes) -> wire.ServerMessage:
    """A ``modelTurn`` carrying one chunk of 24 kHz PCM (AUDIO modality)."""
    blob = wire.Blob(mime_type=OUTPUT_MIME, data=pcm)
    return _content(model_turn=wire.Content(role="model", parts=[wire.Part(inline_data=blob)]))


def input_transcription(text: str, finished: bool) -> wire.ServerMessage:
    """A fragment of the user's transcript."""
    return _content(
        input_transcription=wire.Transcription(text=text, finished=True if finished else None)
    )


def output_transcription(text: str, finished: bool) -> wire.ServerMessage:
    """A fragment of the model's transcript."""
    return _content(
        output_transcription=wire.Transcription(text=text, finished=True if finished else None)
    )


def generation_complete() -> wire.ServerMessage:
    """``generationComplete`` (absent on interrupted turns, §6.1)."""
    return _content(generation_complete=True)


def interrupted() -> wire.ServerMessage:
    """``interrupted`` (barge-in, §6.3)."""
    return _content(interrupted=True)


def turn_complete(usage_metadata: wire.UsageMetadata | None) -> wire.ServerMessage:
    """``turnComplete`` with the turn's usage attached (§5.2, §5.7)."""
    return wire.ServerMessage(
        server_content=wire.ServerContent(turn_complete=True), usage_metadata=usage_metadata
    )


def tool_call(calls: Iterable[tuple[str, str, dict[str, Any]]]) -> wire.ServerMessage:
    """``toolCall`` with ``(id, name, args)`` triples (§5.3)."""
    function_calls = [wire.WireFunctionCall(id=i, name=n, args=a) for i, n, a in calls]
    return wire.ServerMessage(tool_call=wire.ToolCall(function_calls=function_calls))


def cancellation(ids: Sequence[str]) -> wire.ServerMessage:
    """``toolCallCancellation`` (§5.4)."""
    return wire.ServerMessage(tool_call_cancellation=wire.ToolCallCancellation(ids=list(ids)))


def go_away(seconds: float) -> wire.ServerMessage:
    """``goAway`` announcing ``seconds`` left (§5.5)."""
    return wire.ServerMessage(go_away=wire.GoAway(time_left=wire.format_duration(seconds)))


def resumption_update(handle: str | None, last_consumed: int | None) -> wire.ServerMessage:
    """``sessionResumptionUpdate`` (§5.6): resumable when ``handle`` is given."""
    update = wire.SessionResumptionUpdate(
        new_handle=handle,
        resumable=handle is not None,
        last_consumed_client_message_index=last_consumed if handle is not None else None,
    )
    return wire.ServerMessage(session_resumption_update=update)


def _details(counts: dict[str, int]) -> list[wire.ModalityTokenCount] | None:
    details = [wire.ModalityTokenCount(modality=m, token_count=n) for m, n in counts.items() if n]
    return details or None


def _history_counts(history: Iterable[Entry]) -> dict[str, int]:
    counts = {"TEXT": 0, "AUDIO": 0}
    for entry in history:
        if entry.kind == "audio":
            counts["AUDIO"] += audio_tokens(entry.seconds)
        else:
            counts["TEXT"] += text_tokens(entry.text)
    return counts


def usage(
    platform: Platform, history: Sequence[Entry], reply: str, reply_seconds: float
) -> wire.UsageMetadata:
    """Plausible usage for one model turn.

    Args:
        platform: ``ai_studio`` uses ``responseTokenCount``/``responseTokensDetails``;
            ``vertex`` uses ``candidatesTokenCount``/``candidatesTokensDetails`` and
            ``trafficType`` (§5.7).
        history: The prompt: the conversation before the reply.
        reply: The reply text (TEXT modality) or its transcript.
        reply_seconds: Duration of the reply audio (0 for TEXT modality).
    """
    prompt = _history_counts(history)
    response = (
        {"AUDIO": audio_tokens(reply_seconds)} if reply_seconds else {"TEXT": text_tokens(reply)}
    )
    prompt_total, response_total = sum(prompt.values()), sum(response.values())
    common: dict[str, Any] = {
        "prompt_token_count": prompt_total,
        "total_token_count": prompt_total + response_total,
        "prompt_tokens_details": _details(prompt),
    }
    if platform == "vertex":
        return wire.UsageMetadata(
            candidates_token_count=response_total,
            candidates_tokens_details=_details(response),
            traffic_type="ON_DEMAND",
            **common,
        )
    return wire.UsageMetadata(
        response_token_count=response_total,
        response_tokens_details=_details(response),
        **common,
    )
