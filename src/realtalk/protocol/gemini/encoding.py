"""Encoding of Gemini Live frames, and the PCM MIME helpers (spec §2.3, §4, §5, §6.4).

Import these from :mod:`realtalk.protocol.gemini.codec`, which re-exports them.

Client role (hot path): the fast builders (:func:`encode_audio`, :func:`encode_text`,
...) write the bytes of one client message directly, without building Structs;
:func:`encode_client` encodes any :class:`ClientMessage`. Server role:
:func:`encode_server`. All output is camelCase JSON with default-valued fields
omitted, standard base64 and int64 values as strings.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from typing import Any

import msgspec

from realtalk.protocol.gemini.wire import (
    ClientMessage,
    Content,
    ContextUpdate,
    FunctionResponse,
    ServerMessage,
    Setup,
    format_duration,
)

__all__ = [
    "AUDIO_MIME_PREFIX",
    "INPUT_SAMPLE_RATE",
    "OUTPUT_SAMPLE_RATE",
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
]

#: MIME type of raw signed 16-bit little-endian mono PCM (spec §6.4).
AUDIO_MIME_PREFIX = "audio/pcm"
#: Native input rate; a bare ``audio/pcm`` input chunk is 16 kHz (spec §6.4).
INPUT_SAMPLE_RATE = 16000
#: Output rate; a bare ``audio/pcm`` output chunk is 24 kHz (spec §6.4).
OUTPUT_SAMPLE_RATE = 24000

_ENCODER = msgspec.json.Encoder()

# -- MIME types --------------------------------------------------------------------


def parse_pcm_rate(mime: str, default: int | None = None) -> int | None:
    """Return the sample rate of a PCM MIME type such as ``audio/pcm;rate=24000``.

    Args:
        mime: The MIME type (case-insensitive, parameters separated by ``;``).
        default: What a bare ``audio/pcm`` means (16000 for input, 24000 for output).

    Returns:
        The rate, ``default`` when no rate is given, or None when ``mime`` is not PCM
        or the rate is not a positive integer.
    """
    kind, *params = mime.split(";")
    if kind.strip().lower() != AUDIO_MIME_PREFIX:
        return None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "rate":
            value = value.strip()
            ok = value.isascii() and value.isdigit() and len(value) <= 9 and int(value) > 0
            return int(value) if ok else None
    return default


# -- client role: encoding ---------------------------------------------------------


def encode_client(message: ClientMessage) -> bytes:
    """Encode a client message (camelCase, defaults omitted, int64 as strings, §2.3).

    Args:
        message: The envelope, with exactly one field set (§2.2).

    Returns:
        The JSON bytes of one text frame.

    Raises:
        ValueError: Not exactly one field of ``message`` is set.
    """
    fields = msgspec.structs.astuple(message)
    count = sum(value is not None for value in fields)
    if count != 1:
        raise ValueError(f"message must have exactly one field set, got {count}")
    if message.setup is not None:
        return encode_setup(message.setup)
    return _ENCODER.encode(message)


def encode_setup(setup: Setup) -> bytes:
    """Encode ``{"setup": ...}`` (§4.1) with the int64 compression fields as strings.

    Args:
        setup: The setup.

    Returns:
        The JSON bytes.
    """
    if setup.context_window_compression is None:
        return b'{"setup":' + _ENCODER.encode(setup) + b"}"
    body = msgspec.to_builtins(setup)
    cwc = body["contextWindowCompression"]
    _int64_to_str(cwc, "triggerTokens")
    if isinstance(cwc.get("slidingWindow"), dict):
        _int64_to_str(cwc["slidingWindow"], "targetTokens")
    return _ENCODER.encode({"setup": body})


def _int64_to_str(obj: dict[str, Any], key: str) -> None:
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        obj[key] = str(value)


def _audio_prefix(kind: bytes, mime: bytes) -> bytes:
    return b'{"realtimeInput":{"' + kind + b'":{"mimeType":' + mime + b',"data":"'


_AUDIO_PREFIXES: dict[int, bytes] = {}
_BLOB_SUFFIX = b'"}}}'
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"


def _audio_head(rate: int) -> bytes:
    head = _AUDIO_PREFIXES.get(rate)
    if head is None:
        if type(rate) is not int or rate <= 0:
            raise ValueError(f"rate must be a positive int, got {rate!r}")
        head = _audio_prefix(b"audio", b'"audio/pcm;rate=%d"' % rate)
        if len(_AUDIO_PREFIXES) < 32:
            _AUDIO_PREFIXES[rate] = head
    return head


def encode_audio(pcm: bytes, rate: int = INPUT_SAMPLE_RATE) -> bytes:
    """Encode ``realtimeInput.audio`` for one PCM chunk (§4.3, §6.4).

    Args:
        pcm: Signed 16-bit little-endian mono PCM.
        rate: The sample rate, declared in the MIME type.

    Returns:
        The JSON bytes.

    Raises:
        TypeError: ``pcm`` is not bytes-like.
        ValueError: ``rate`` is not a positive int.
    """
    return b"".join((_audio_head(rate), binascii.b2a_base64(pcm, newline=False), _BLOB_SUFFIX))


def encode_audio_base64(b64: str | bytes, rate: int = INPUT_SAMPLE_RATE) -> bytes:
    """Encode ``realtimeInput.audio`` from PCM that is already base64 (§4.3).

    Args:
        b64: Base64 text of the PCM (standard or URL-safe alphabet).
        rate: The sample rate, declared in the MIME type.

    Returns:
        The JSON bytes.

    Raises:
        ValueError: ``b64`` holds characters outside the base64 alphabets, or ``rate``
            is not a positive int.
    """
    raw = b64.encode("ascii", "replace") if isinstance(b64, str) else bytes(b64)
    if raw.translate(None, _B64_ALPHABET):
        raise ValueError("b64 is not base64 text")
    return b"".join((_audio_head(rate), raw, _BLOB_SUFFIX))


def encode_video(data: bytes, mime: str) -> bytes:
    """Encode ``realtimeInput.video`` for one image frame (§4.3).

    Args:
        data: The encoded image (JPEG or PNG).
        mime: Its MIME type, e.g. ``image/jpeg``.

    Returns:
        The JSON bytes.

    Raises:
        TypeError: ``mime`` is not a str or ``data`` is not bytes-like.
    """
    if not isinstance(mime, str):
        raise TypeError(f"mime must be a str, not {type(mime).__name__}")
    head = _audio_prefix(b"video", _ENCODER.encode(mime))
    return b"".join((head, binascii.b2a_base64(data, newline=False), _BLOB_SUFFIX))


def encode_text(text: str) -> bytes:
    """Encode ``realtimeInput.text`` (§4.3).

    Raises:
        TypeError: ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return b'{"realtimeInput":{"text":' + _ENCODER.encode(text) + b"}}"


def encode_client_content(turns: Sequence[Content], turn_complete: bool) -> bytes:
    """Encode ``clientContent`` (§4.2); ``turnComplete`` is always written explicitly.

    Args:
        turns: The content to append to the history.
        turn_complete: Whether the model should generate now.

    Returns:
        The JSON bytes.
    """
    items = turns if isinstance(turns, list | tuple) else list(turns)
    flag = b"true" if turn_complete else b"false"
    return (
        b'{"clientContent":{"turns":' + _ENCODER.encode(items) + b',"turnComplete":' + flag + b"}}"
    )


_ACTIVITY_START = b'{"realtimeInput":{"activityStart":{}}}'
_ACTIVITY_END = b'{"realtimeInput":{"activityEnd":{}}}'
_AUDIO_STREAM_END = b'{"realtimeInput":{"audioStreamEnd":true}}'


def encode_activity_start() -> bytes:
    """Encode ``realtimeInput.activityStart`` (manual VAD, §4.3, §6.3)."""
    return _ACTIVITY_START


def encode_activity_end() -> bytes:
    """Encode ``realtimeInput.activityEnd`` (manual VAD, §4.3, §6.3)."""
    return _ACTIVITY_END


def encode_audio_stream_end() -> bytes:
    """Encode ``realtimeInput.audioStreamEnd`` (automatic VAD, AI Studio, §4.3)."""
    return _AUDIO_STREAM_END


def encode_tool_response(responses: Sequence[FunctionResponse]) -> bytes:
    """Encode ``toolResponse.functionResponses`` (§4.4).

    Args:
        responses: The results, matched to calls by ``id``.

    Returns:
        The JSON bytes.
    """
    items = responses if isinstance(responses, list | tuple) else list(responses)
    return b'{"toolResponse":{"functionResponses":' + _ENCODER.encode(items) + b"}}"


def encode_context_update(update: ContextUpdate) -> bytes:
    """Encode ``contextUpdate`` (§4.5)."""
    return b'{"contextUpdate":' + _ENCODER.encode(update) + b"}"


# -- server role: encoding ---------------------------------------------------------


def encode_server(message: ServerMessage) -> bytes:
    """Encode a server message as Google does (§2.3, §5).

    camelCase, defaults omitted, standard base64, ``lastConsumedClientMessageIndex``
    as a string, Durations as ``"Ns"`` strings (numbers given for them are formatted).
    The envelope is not checked, so the emulator can produce odd messages on purpose.

    Args:
        message: The message.

    Returns:
        The JSON bytes (send them in a binary frame, §2.1).
    """
    sru = message.session_resumption_update
    va = message.voice_activity
    if not (
        (sru is not None and sru.last_consumed_client_message_index is not None)
        or (message.go_away is not None and not isinstance(message.go_away.time_left, str | None))
        or (va is not None and not isinstance(va.audio_offset, str | None))
    ):
        return _ENCODER.encode(message)
    body = msgspec.to_builtins(message)
    if "sessionResumptionUpdate" in body:
        _int64_to_str(body["sessionResumptionUpdate"], "lastConsumedClientMessageIndex")
    for key, field in (("goAway", "timeLeft"), ("voiceActivity", "audioOffset")):
        value = body.get(key, {}).get(field)
        if isinstance(value, int | float):
            body[key][field] = format_duration(value)
    return _ENCODER.encode(body)
