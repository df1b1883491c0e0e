"""Pure helpers of the decoder: wire objects to neutral facts (openai-realtime.md §3.5, §7).

Used by :mod:`.decoder`; no state. ``audio_format_rate`` is public (re-exported by
:mod:`.codec`); the rest is private to the package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from msgspec import UNSET

from realtalk.protocol import events as ev
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.pcm import G711_RATE, alaw_decode, ulaw_decode

__all__ = [
    "Converter",
    "arguments",
    "audio_format_rate",
    "output_codec",
    "sanitize",
    "usage",
]

#: Turns output audio into 16-bit PCM (G.711 expansion); None = already PCM.
Converter = Callable[[bytes], bytes] | None
_ANY = msgspec.json.Decoder()


def audio_format_rate(fmt: wire.AudioFormat | str) -> int:
    """The sample rate of a GA format object or a beta format name (§7).

    ``audio/pcm`` -> its ``rate`` (24000 when absent); G.711 -> 8000; anything else
    is assumed to be 24 kHz PCM.
    """
    kind = wire.BETA_FORMATS.get(fmt, fmt) if isinstance(fmt, str) else fmt.type
    if kind in (wire.AUDIO_PCMU, wire.AUDIO_PCMA):
        return G711_RATE
    rate = fmt.rate if isinstance(fmt, wire.AudioFormat) else UNSET
    return rate if isinstance(rate, int) and rate > 0 else wire.PCM_RATE


def output_codec(fmt: wire.AudioFormat | str) -> tuple[int, Converter]:
    kind = wire.BETA_FORMATS.get(fmt, fmt) if isinstance(fmt, str) else fmt.type
    if kind == wire.AUDIO_PCMU:
        return G711_RATE, ulaw_decode
    if kind == wire.AUDIO_PCMA:
        return G711_RATE, alaw_decode
    return audio_format_rate(fmt), None


def arguments(text: str) -> dict[str, Any] | None:
    """Function arguments as a dict; ``""`` -> ``{}``; None when not a JSON object."""
    if not text.strip():
        return {}
    try:
        value = _ANY.decode(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _details(details: wire.TokenDetails | None) -> dict[str, int]:
    if details is None:
        return {}
    counts = {
        "TEXT": details.text_tokens,
        "AUDIO": details.audio_tokens,
        "IMAGE": details.image_tokens,
    }
    return {k: v for k, v in counts.items() if v is not None}


def usage(u: wire.ResponseUsage) -> ev.Usage:
    """Build ``Usage`` from ``response.usage`` (§3.5), with Gemini-style modality keys."""
    inp = u.input_token_details
    return ev.Usage(
        prompt_tokens=u.input_tokens or 0,
        response_tokens=u.output_tokens or 0,
        total_tokens=u.total_tokens or 0,
        cached_tokens=(inp.cached_tokens or 0) if inp is not None else 0,
        prompt_details=_details(inp),
        response_details=_details(u.output_token_details),
    )


def _convertible(value: Any, tp: Any) -> bool:
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError:
        return False
    return True


def sanitize(raw: dict[str, Any]) -> dict[str, Any] | None:
    """Drop unreadable items from ``response.output``; None if ``item``/``part`` is unreadable."""
    if "item" in raw and not _convertible(raw["item"], wire.Item):
        return None
    if "part" in raw and not _convertible(raw["part"], wire.Content):
        return None
    response = raw.get("response")
    if isinstance(response, dict) and isinstance(response.get("output"), list):
        output = [item for item in response["output"] if _convertible(item, wire.Item)]
        return {**raw, "response": {**response, "output": output}}
    return raw
