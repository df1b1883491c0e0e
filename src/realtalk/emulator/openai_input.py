"""The input audio buffer of one emulated OpenAI session (openai-realtime.md §4.2-§4.4, §3.2).

:class:`InputBuffer` holds the audio appended since the last commit, counts its
duration in the session's input format (24 kHz PCM16: 48 bytes per ms; G.711:
8 bytes per ms) and runs the energy VAD of the Gemini emulator for server VAD
(``semantic_vad`` behaves the same). ``threshold`` (0-1, default 0.5) scales the
emulator's ``vad_threshold``; ``prefix_padding_ms`` is reported in
``audio_start_ms`` (it does not delay the start); ``silence_duration_ms`` ends
a turn. Offsets are milliseconds since the first audio of the session. Pure and
synchronous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from realtalk.emulator.openai_session import format_rate
from realtalk.emulator.vad import DEFAULT_SILENCE_MS, EnergyVad, VadKind
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.pcm import alaw_decode, ulaw_decode

__all__ = ["MIN_COMMIT_MS", "InputBuffer", "Speech"]

#: The smallest buffer ``input_audio_buffer.commit`` accepts (§4.3, §8).
MIN_COMMIT_MS = 100.0
_DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Speech:
    """A speech boundary found by server VAD.

    Attributes:
        kind: Start or end.
        ms: ``audio_start_ms`` (prefix padding included) or ``audio_end_ms``.
        seconds: For END, the length of the utterance.
    """

    kind: VadKind
    ms: int
    seconds: float = 0.0


class InputBuffer:
    """Uncommitted input audio and the server VAD watching it.

    Args:
        fmt: ``audio.input.format``.
        detection: ``audio.input.turn_detection`` (defaults filled in) or None.
        base_threshold: The emulator's RMS threshold that ``threshold: 0.5`` maps to.
    """

    def __init__(
        self, fmt: dict[str, Any], detection: dict[str, Any] | None, base_threshold: float
    ) -> None:
        self._base = base_threshold
        self._buffer = bytearray()
        self.written_ms = 0.0
        self._fmt: dict[str, Any] = {}
        self._detection: dict[str, Any] | None = None
        self._vad: EnergyVad | None = None
        self._vad_from = 0.0
        self.configure(fmt, detection)

    @property
    def format(self) -> dict[str, Any]:
        """The input format the buffer counts in."""
        return dict(self._fmt)

    @property
    def rate(self) -> int:
        """Sample rate of the input format."""
        return format_rate(self._fmt)

    @property
    def sample_width(self) -> int:
        """Bytes per sample: 2 for PCM16, 1 for G.711."""
        return 2 if self._fmt.get("type") == wire.AUDIO_PCM else 1

    @property
    def ms(self) -> float:
        """Milliseconds of audio buffered."""
        return self._ms(len(self._buffer))

    @property
    def in_speech(self) -> bool:
        """Whether server VAD is inside an utterance."""
        return self._vad is not None and self._vad.speaking

    def _ms(self, size: int) -> float:
        return size / self.sample_width * 1000 / self.rate

    def configure(self, fmt: dict[str, Any], detection: dict[str, Any] | None) -> None:
        """Follow a session update; the VAD restarts when its settings change."""
        if fmt != self._fmt:
            self._fmt = dict(fmt)
            self._restart(detection)
        elif detection != self._detection:
            self._restart(detection)

    def _restart(self, detection: dict[str, Any] | None) -> None:
        self._detection = None if detection is None else dict(detection)
        self._vad_from = self.written_ms
        if detection is None:
            self._vad = None
            return
        threshold = detection.get("threshold", _DEFAULT_THRESHOLD)
        silence = detection.get("silence_duration_ms", DEFAULT_SILENCE_MS)
        self._vad = EnergyVad(
            threshold=self._base * max(threshold, 0.01) / _DEFAULT_THRESHOLD,
            silence_ms=int(silence),
        )

    def append(self, data: bytes) -> list[Speech]:
        """Buffer ``data`` (input format) and return the speech boundaries it holds."""
        self._buffer += data
        self.written_ms += self._ms(len(data))
        if self._vad is None or not data:
            return []
        kind = self._fmt.get("type")
        pcm = ulaw_decode(data) if kind == wire.AUDIO_PCMU else data
        pcm = alaw_decode(data) if kind == wire.AUDIO_PCMA else pcm
        found: list[Speech] = []
        padding = (self._detection or {}).get("prefix_padding_ms", 0) or 0
        for event in self._vad.feed(pcm, self.rate):
            at = self._vad_from + event.offset * 1000
            if event.kind is VadKind.START:
                found.append(Speech(VadKind.START, int(max(self._vad_from, at - padding))))
            else:
                found.append(Speech(VadKind.END, int(at), event.speech_seconds))
        return found

    def take(self) -> bytes:
        """Return the buffered audio and empty the buffer (a commit)."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def clear(self) -> None:
        """Discard the buffered audio; an utterance in progress is forgotten."""
        self._buffer.clear()
        self._restart(self._detection)
