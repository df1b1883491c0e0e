"""Tests for the emulator's energy VAD (no event loop)."""

from __future__ import annotations

import pytest

from realtalk.audio import silence, tone
from realtalk.emulator.vad import EnergyVad, VadKind


def test_speech_then_silence_ends_after_silence_duration() -> None:
    vad = EnergyVad(silence_ms=200)
    assert vad.feed(silence(0.1), 16000) == []
    events = vad.feed(tone(200, 0.3), 16000)
    assert [e.kind for e in events] == [VadKind.START]
    assert events[0].offset == pytest.approx(0.1)
    assert vad.feed(silence(0.1), 16000) == []  # not enough silence yet
    events = vad.feed(silence(0.1), 16000)
    assert [e.kind for e in events] == [VadKind.END]
    assert events[0].speech_seconds == pytest.approx(0.3)
    assert not vad.speaking


def test_short_pause_does_not_end_the_utterance() -> None:
    vad = EnergyVad(silence_ms=300)
    audio = tone(200, 0.2) + silence(0.2) + tone(200, 0.2) + silence(0.4)
    kinds = [e.kind for e in vad.feed(audio, 16000)]
    assert kinds == [VadKind.START, VadKind.END]


def test_small_chunks_are_accumulated_into_frames() -> None:
    vad = EnergyVad(silence_ms=100)
    audio = tone(200, 0.2) + silence(0.2)
    kinds = []
    for i in range(0, len(audio), 50):  # 25-sample chunks, smaller than a frame
        kinds += [e.kind for e in vad.feed(audio[i : i + 50], 16000)]
    assert kinds == [VadKind.START, VadKind.END]


def test_prefix_requires_sustained_speech() -> None:
    vad = EnergyVad(prefix_ms=100)
    assert vad.feed(tone(200, 0.06) + silence(0.1), 16000) == []
    assert [e.kind for e in vad.feed(tone(200, 0.12), 16000)] == [VadKind.START]


def test_flush_ends_open_utterance() -> None:
    vad = EnergyVad(silence_ms=10_000)
    vad.feed(tone(200, 0.2), 24000)
    end = vad.flush()
    assert end is not None and end.kind is VadKind.END
    assert vad.flush() is None


def test_quiet_audio_is_not_speech() -> None:
    vad = EnergyVad(threshold=500)
    assert vad.feed(tone(200, 0.5, amplitude=0.005), 16000) == []


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        EnergyVad(threshold=0)
    with pytest.raises(ValueError):
        EnergyVad().feed(b"", 0)
