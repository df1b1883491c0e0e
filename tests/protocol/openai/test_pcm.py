"""Resampling and G.711 (openai-realtime.md §7)."""

from __future__ import annotations

import warnings
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtalk.protocol.openai import pcm

ALL_SAMPLES = array("h", range(-32768, 32768)).tobytes()


def samples(values: list[int]) -> bytes:
    return array("h", values).tobytes()


def test_g711_known_values() -> None:
    assert pcm.ulaw_decode(bytes([0x00, 0x80, 0xFF, 0x7F])) == samples([-32124, 32124, 0, 0])
    assert pcm.alaw_decode(bytes([0xD5, 0x55, 0x2A, 0xAA])) == samples([8, -8, -32256, 32256])
    assert pcm.ulaw_encode(samples([0, 32767, -32768])) == bytes([0xFF, 0x80, 0x00])
    assert pcm.alaw_encode(samples([0, 32767, -32768])) == bytes([0xD5, 0xAA, 0x2A])


def test_g711_codes_round_trip() -> None:
    codes = bytes(range(256))
    assert pcm.alaw_encode(pcm.alaw_decode(codes)) == codes
    ulaw = pcm.ulaw_encode(pcm.ulaw_decode(codes))
    assert ulaw == codes.replace(b"\x7f", b"\xff")  # both zero codes encode as 0xFF


def test_g711_matches_audioop_when_available() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    assert pcm.ulaw_encode(ALL_SAMPLES) == audioop.lin2ulaw(ALL_SAMPLES, 2)
    assert pcm.alaw_encode(ALL_SAMPLES) == audioop.lin2alaw(ALL_SAMPLES, 2)
    codes = bytes(range(256))
    assert pcm.ulaw_decode(codes) == audioop.ulaw2lin(codes, 2)
    assert pcm.alaw_decode(codes) == audioop.alaw2lin(codes, 2)


def test_odd_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        pcm.ulaw_encode(b"\x00")
    with pytest.raises(ValueError):
        pcm.LinearResampler(16000, 24000).process(b"\x00\x00\x00")


def test_resampler_interpolates_linearly() -> None:
    up = pcm.LinearResampler(16000, 24000)  # 3 outputs per 2 inputs
    assert up.process(samples([0, 300, 600, 900])) == samples([0, 200, 400, 600, 800])
    down = pcm.LinearResampler(48000, 24000)
    assert down.process(samples([0, 1, 2, 3, 4, 5])) == samples([0, 2, 4])
    same = pcm.LinearResampler(24000, 24000)
    assert same.process(samples([1, 2, 3])) == samples([1, 2, 3])


def test_resampler_output_length_tracks_the_ratio() -> None:
    up = pcm.LinearResampler(16000, 24000)
    total = sum(len(up.process(bytes(640))) for _ in range(50))  # 1 s of 16 kHz in 20 ms chunks
    assert abs(total // 2 - 24000) <= 2


@pytest.mark.parametrize(("src", "dst"), [(0, 24000), (16000, -1), (True, 24000), (16000, 1.5)])
def test_resampler_rates_are_checked(src: object, dst: object) -> None:
    with pytest.raises(ValueError, match="rate"):
        pcm.LinearResampler(src, dst)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(-32768, 32767), max_size=300),
    st.lists(st.integers(1, 40), min_size=1, max_size=20),
    st.sampled_from([(16000, 24000), (48000, 24000), (8000, 24000), (24000, 8000), (44100, 24000)]),
)
def test_resampling_in_chunks_equals_resampling_at_once(
    values: list[int], cuts: list[int], rates: tuple[int, int]
) -> None:
    data = samples(values)
    whole = pcm.LinearResampler(*rates).process(data)
    streaming = pcm.LinearResampler(*rates)
    out, i, k = [], 0, 0
    while i < len(values):
        n = cuts[k % len(cuts)]
        out.append(streaming.process(data[2 * i : 2 * (i + n)]))
        i, k = i + n, k + 1
    assert b"".join(out) == whole
    lo, hi = (min(values), max(values)) if values else (0, 0)
    assert all(lo <= s <= hi for s in array("h", whole))  # interpolation never overshoots
