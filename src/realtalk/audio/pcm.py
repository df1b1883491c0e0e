"""Pure helpers for raw PCM: signed 16-bit little-endian mono (the format of both APIs).

Every function takes and returns plain ``bytes`` and numbers; nothing here keeps
state, touches a clock or does I/O. An odd trailing byte (half a sample) is
ignored wherever samples are counted.
"""

from __future__ import annotations

import array
import math
import sys

__all__ = [
    "SAMPLE_WIDTH",
    "chunk",
    "dbfs",
    "duration",
    "from_samples",
    "num_samples",
    "rms",
    "to_samples",
]

#: Bytes per sample of 16-bit PCM.
SAMPLE_WIDTH = 2

_BIG_ENDIAN = sys.byteorder == "big"


def num_samples(pcm: bytes) -> int:
    """Return how many whole 16-bit samples ``pcm`` holds."""
    return len(pcm) // SAMPLE_WIDTH


def duration(pcm: bytes, rate: int) -> float:
    """Return the playback duration of ``pcm`` in seconds at ``rate`` samples per second.

    Raises:
        ValueError: ``rate`` is not positive.
    """
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    return num_samples(pcm) / rate


def to_samples(pcm: bytes) -> array.array[int]:
    """Decode little-endian 16-bit PCM into an ``array('h')`` of native integers."""
    whole = pcm[: num_samples(pcm) * SAMPLE_WIDTH]
    samples = array.array("h")
    samples.frombytes(whole)
    if _BIG_ENDIAN:
        samples.byteswap()
    return samples


def from_samples(samples: array.array[int] | list[int]) -> bytes:
    """Encode integers (clipped to the 16-bit range) as little-endian PCM."""
    if isinstance(samples, array.array) and samples.typecode == "h":
        out = array.array("h", samples)
    else:
        out = array.array("h", (max(-32768, min(32767, int(s))) for s in samples))
    if _BIG_ENDIAN:
        out.byteswap()
    return out.tobytes()


def rms(pcm: bytes) -> float:
    """Return the root-mean-square amplitude of ``pcm`` on the 16-bit scale (0 to 32768).

    Empty input has an RMS of 0.0.
    """
    samples = to_samples(pcm)
    if not samples:
        return 0.0
    return math.sqrt(math.fsum(s * s for s in samples) / len(samples))


def dbfs(pcm: bytes) -> float:
    """Return the RMS level of ``pcm`` in dB relative to full scale (-inf for silence)."""
    level = rms(pcm)
    if level == 0.0:
        return -math.inf
    return 20.0 * math.log10(level / 32768.0)


def chunk(pcm: bytes, rate: int, seconds: float) -> list[bytes]:
    """Split ``pcm`` into consecutive pieces of ``seconds`` each (the last may be shorter).

    Pieces always hold whole samples.

    Raises:
        ValueError: ``rate`` or ``seconds`` is not positive.
    """
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    size = max(1, round(rate * seconds)) * SAMPLE_WIDTH
    whole = pcm[: num_samples(pcm) * SAMPLE_WIDTH]
    return [whole[i : i + size] for i in range(0, len(whole), size)]
