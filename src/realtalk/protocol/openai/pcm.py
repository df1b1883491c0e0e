"""Pure-stdlib audio helpers for the OpenAI Realtime formats (openai-realtime.md §7).

The session API takes and gives signed 16-bit little-endian mono PCM. OpenAI
sessions use ``audio/pcm`` at 24 kHz or G.711 (``audio/pcmu`` μ-law, ``audio/pcma``
A-law) at 8 kHz, so the protocol layer converts at the edge:

* :class:`LinearResampler` — streaming linear interpolation between integer rates;
  feeding chunks gives exactly the output of feeding their concatenation.
* :func:`ulaw_encode` / :func:`ulaw_decode` and :func:`alaw_encode` /
  :func:`alaw_decode` — G.711 per ITU-T (the classic Sun reference algorithm).

No numpy and no ``audioop`` (removed in Python 3.13); lookup tables keep it cheap.
"""

from __future__ import annotations

import sys
from array import array
from math import gcd

__all__ = [
    "G711_RATE",
    "LinearResampler",
    "alaw_decode",
    "alaw_encode",
    "ulaw_decode",
    "ulaw_encode",
]

#: Sample rate of G.711 audio (openai-realtime.md §7).
G711_RATE = 8000
_BIG_ENDIAN = sys.byteorder == "big"
_MAX_RATE = 1_000_000


def _samples(pcm: bytes | bytearray | memoryview, typecode: str = "h") -> array[int]:
    """Little-endian 16-bit PCM as an array of native ints."""
    if len(pcm) % 2:
        raise ValueError("pcm must hold whole 16-bit samples (an even number of bytes)")
    samples = array(typecode)
    samples.frombytes(pcm)
    if _BIG_ENDIAN:
        samples.byteswap()
    return samples


def _to_bytes(samples: array[int]) -> bytes:
    if _BIG_ENDIAN:
        samples.byteswap()
    return samples.tobytes()


class LinearResampler:
    """Streaming linear-interpolation resampler for 16-bit mono PCM.

    Output sample ``k`` is read at input position ``k * src / dst`` (exact integer
    arithmetic, no drift). The last input sample of a chunk is kept so the next
    chunk continues the same curve; the final fraction of a sample interval is
    emitted when the next chunk arrives.

    Args:
        src: Input sample rate in Hz.
        dst: Output sample rate in Hz.

    Raises:
        ValueError: A rate is not a positive int (at most 1 MHz).
    """

    __slots__ = ("_dst", "_last", "_pos", "_step", "dst", "src")

    def __init__(self, src: int, dst: int) -> None:
        for name, rate in (("src", src), ("dst", dst)):
            if type(rate) is not int or not 0 < rate <= _MAX_RATE:
                raise ValueError(f"{name} rate must be a positive int, got {rate!r}")
        self.src = src
        self.dst = dst
        div = gcd(src, dst)
        self._step = src // div  # input advance per output sample, in 1/_dst units
        self._dst = dst // div
        self._pos = 0  # position of the next output sample, in 1/_dst input samples
        self._last: int | None = None  # last sample of the previous chunk

    def reset(self) -> None:
        """Forget the previous chunk (start of a new stream)."""
        self._pos = 0
        self._last = None

    def process(self, pcm: bytes | bytearray | memoryview) -> bytes:
        """Resample one chunk of little-endian 16-bit PCM.

        Raises:
            ValueError: ``pcm`` holds a partial sample.
        """
        x = _samples(pcm)
        if self._step == self._dst:  # same rate: nothing to do
            return bytes(pcm)
        if not x:
            return b""
        if self._last is not None:
            x.insert(0, self._last)
        out = array("h")
        step, den, pos = self._step, self._dst, self._pos
        half, twice = den, 2 * den
        end = (len(x) - 1) * den  # the position of the last sample
        append = out.append
        while pos <= end:
            i, frac = divmod(pos, den)
            a = x[i]
            if frac:  # interpolate, rounding half up
                a += ((x[i + 1] - a) * frac * 2 + half) // twice
            append(a)
            pos += step
        self._pos = pos - end  # the last sample becomes x[0] of the next chunk
        self._last = x[-1]
        return _to_bytes(out)


# -- G.711 (ITU-T G.711, Sun reference implementation) --------------------------------

_ULAW_BIAS = 0x84
_ULAW_CLIP = 8159
_ULAW_SEG_END = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _segment(value: int, ends: tuple[int, ...]) -> int:
    for seg, end in enumerate(ends):
        if value <= end:
            return seg
    return len(ends)


def _ulaw_from_linear(sample: int) -> int:
    value = sample >> 2
    if value < 0:
        value, mask = -value, 0x7F
    else:
        mask = 0xFF
    value = min(value, _ULAW_CLIP) + (_ULAW_BIAS >> 2)
    seg = _segment(value, _ULAW_SEG_END)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((value >> (seg + 1)) & 0x0F)) ^ mask


def _linear_from_ulaw(code: int) -> int:
    code = ~code & 0xFF
    t = (((code & 0x0F) << 3) + _ULAW_BIAS) << ((code & 0x70) >> 4)
    return _ULAW_BIAS - t if code & 0x80 else t - _ULAW_BIAS


def _alaw_from_linear(sample: int) -> int:
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    seg = _segment(value, _ALAW_SEG_END)
    if seg >= 8:
        return 0x7F ^ mask
    quant = (value >> 1) if seg < 2 else (value >> seg)
    return ((seg << 4) | (quant & 0x0F)) ^ mask


def _linear_from_alaw(code: int) -> int:
    code ^= 0x55
    t = (code & 0x0F) << 4
    seg = (code & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if code & 0x80 else -t


def _decode_table(fn: object) -> tuple[bytes, ...]:
    assert callable(fn)
    return tuple(int(fn(code)).to_bytes(2, "little", signed=True) for code in range(256))


_ULAW_DECODE = _decode_table(_linear_from_ulaw)
_ALAW_DECODE = _decode_table(_linear_from_alaw)
_ENCODE_TABLES: dict[str, bytes] = {}


def _encode_table(kind: str) -> bytes:
    """The 65536-entry table (index = sample as unsigned 16-bit), built on first use."""
    table = _ENCODE_TABLES.get(kind)
    if table is None:
        fn = _ulaw_from_linear if kind == "ulaw" else _alaw_from_linear
        table = bytes(fn(u - 0x10000 if u >= 0x8000 else u) for u in range(0x10000))
        _ENCODE_TABLES[kind] = table
    return table


def ulaw_decode(data: bytes | bytearray | memoryview) -> bytes:
    """G.711 μ-law bytes to 16-bit little-endian PCM (same sample rate)."""
    return b"".join(map(_ULAW_DECODE.__getitem__, bytes(data)))


def alaw_decode(data: bytes | bytearray | memoryview) -> bytes:
    """G.711 A-law bytes to 16-bit little-endian PCM (same sample rate)."""
    return b"".join(map(_ALAW_DECODE.__getitem__, bytes(data)))


def ulaw_encode(pcm: bytes | bytearray | memoryview) -> bytes:
    """16-bit little-endian PCM to G.711 μ-law (same sample rate).

    Raises:
        ValueError: ``pcm`` holds a partial sample.
    """
    return bytes(map(_encode_table("ulaw").__getitem__, _samples(pcm, "H")))


def alaw_encode(pcm: bytes | bytearray | memoryview) -> bytes:
    """16-bit little-endian PCM to G.711 A-law (same sample rate).

    Raises:
        ValueError: ``pcm`` holds a partial sample.
    """
    return bytes(map(_encode_table("alaw").__getitem__, _samples(pcm, "H")))
