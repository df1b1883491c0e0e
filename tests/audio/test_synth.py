"""Tests for realtalk.audio.synth."""

from __future__ import annotations

import pytest

from realtalk.audio import duration, rms, silence, synthesize, tone


def test_synthesize_is_deterministic_and_proportional() -> None:
    one = synthesize("hello world", 24000)
    assert one == synthesize("hello world", 24000)
    assert duration(one, 24000) == pytest.approx(11 * 0.07)
    assert duration(synthesize("hello world" * 2, 24000), 24000) == pytest.approx(22 * 0.07)
    assert synthesize("", 24000) == b""


def test_synthesize_is_loud_on_letters_and_quiet_on_spaces() -> None:
    assert rms(synthesize("abc", 16000)) > 2000
    assert rms(synthesize("   ", 16000)) == 0.0
    assert synthesize("ab", 24000) != synthesize("ba", 24000)


def test_synthesize_custom_char_seconds() -> None:
    assert duration(synthesize("abcd", 8000, char_seconds=0.1), 8000) == pytest.approx(0.4)


def test_tone_and_silence() -> None:
    t = tone(440, 0.5, 16000, amplitude=0.5)
    assert duration(t, 16000) == pytest.approx(0.5)
    assert rms(t) == pytest.approx(0.5 * 32767 / 2**0.5, rel=0.01)
    assert silence(0.25, 16000) == bytes(8000)


@pytest.mark.parametrize(
    "call", [lambda: tone(440, 1, 0), lambda: silence(-1), lambda: tone(1, 1, amplitude=2)]
)
def test_bad_arguments(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]
