"""Deterministic test audio: tones, silence and speech-like PCM for a text.

All output is signed 16-bit little-endian mono PCM. The same arguments always
produce the same bytes (no randomness, no clock), so tests can compare audio
exactly.

:func:`synthesize` is not speech: it turns every character of the text into a
short segment of equal length (a voiced "syllable" for letters and digits, a
quiet gap for spaces and punctuation), so the duration is proportional to the
text length and the signal has the energy pattern of speech, which is what an
energy-based voice activity detector needs.
"""

from __future__ import annotations

import array
import functools
import math

from realtalk.audio.pcm import from_samples

__all__ = ["CHAR_SECONDS", "silence", "synthesize", "tone"]

#: Default duration of one character of synthesized "speech" (about 14 characters/s).
CHAR_SECONDS = 0.07

_FADE_SECONDS = 0.005


def _check(rate: int, seconds: float) -> None:
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"seconds must be a finite non-negative number, got {seconds}")


def silence(seconds: float, rate: int = 16000) -> bytes:
    """Return ``seconds`` of digital silence at ``rate``.

    Raises:
        ValueError: ``rate`` is not positive or ``seconds`` is negative.
    """
    _check(rate, seconds)
    return bytes(2 * round(seconds * rate))


def tone(freq: float, seconds: float, rate: int = 16000, amplitude: float = 0.5) -> bytes:
    """Return a sine tone of ``freq`` Hz lasting ``seconds`` at ``rate``.

    Args:
        freq: Frequency in hertz.
        seconds: Duration.
        rate: Sample rate in hertz.
        amplitude: Peak level as a fraction of full scale (0 to 1).

    Raises:
        ValueError: A bad rate, duration or amplitude.
    """
    _check(rate, seconds)
    if not 0.0 <= amplitude <= 1.0:
        raise ValueError(f"amplitude must be within [0, 1], got {amplitude}")
    n = round(seconds * rate)
    peak = amplitude * 32767.0
    step = 2.0 * math.pi * freq / rate
    return from_samples(array.array("h", (round(peak * math.sin(step * i)) for i in range(n))))


@functools.lru_cache(maxsize=512)
def _segment(char: str, rate: int, n: int, amplitude: float) -> bytes:
    """One character's worth of audio: a harmonic-rich voiced burst, or near-silence."""
    if not char.isalnum():
        return bytes(2 * n)
    code = ord(char.lower())
    fundamental = 110.0 + (code * 37) % 160  # 110..269 Hz, like a speaking voice
    fade = max(1, round(_FADE_SECONDS * rate))
    peak = amplitude * 32767.0
    step = 2.0 * math.pi * fundamental / rate
    samples = array.array("h")
    for i in range(n):
        envelope = min(1.0, i / fade, (n - 1 - i) / fade) if n > 2 * fade else 1.0
        value = (
            0.6 * math.sin(step * i) + 0.3 * math.sin(2 * step * i) + 0.1 * math.sin(3 * step * i)
        )
        samples.append(round(peak * envelope * value))
    return from_samples(samples)


def synthesize(
    text: str,
    rate: int = 24000,
    *,
    char_seconds: float = CHAR_SECONDS,
    amplitude: float = 0.3,
) -> bytes:
    """Return deterministic speech-like PCM for ``text``.

    Each character becomes ``char_seconds`` of audio, so the result lasts
    ``len(text) * char_seconds`` seconds (to the nearest sample per character).

    Args:
        text: The text to "speak"; an empty text gives empty audio.
        rate: Sample rate in hertz (24 kHz matches Gemini's output audio).
        char_seconds: Duration of one character.
        amplitude: Peak level of voiced segments as a fraction of full scale.

    Raises:
        ValueError: A bad rate, duration or amplitude.
    """
    _check(rate, char_seconds)
    if not 0.0 <= amplitude <= 1.0:
        raise ValueError(f"amplitude must be within [0, 1], got {amplitude}")
    n = round(char_seconds * rate)
    return b"".join(_segment(ch, rate, n, amplitude) for ch in text)
