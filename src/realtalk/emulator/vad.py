"""An energy-based voice activity detector for the emulator's automatic VAD mode.

Audio is cut into fixed frames; a frame whose RMS level reaches the threshold
is "voiced". Speech starts once voiced frames have lasted ``prefix_ms`` in a
row (at once when it is 0) and ends after ``silence_ms`` of unvoiced frames
(gemini-live.md §4.1.4 ``prefixPaddingMs`` / ``silenceDurationMs``, §6.3).
:meth:`EnergyVad.flush` ends an open utterance at once, as ``audioStreamEnd``
does. Pure and synchronous: times are stream offsets in seconds, no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from realtalk.audio.pcm import SAMPLE_WIDTH, rms

__all__ = ["DEFAULT_SILENCE_MS", "DEFAULT_THRESHOLD", "EnergyVad", "VadEvent", "VadKind"]

#: RMS level (16-bit scale) at or above which a frame counts as speech (about -36 dBFS).
DEFAULT_THRESHOLD = 500.0
#: Silence that ends an utterance when the setup does not say.
DEFAULT_SILENCE_MS = 500
_FRAME_MS = 20


class VadKind(enum.Enum):
    """What the detector noticed."""

    START = "start"
    END = "end"


@dataclass(frozen=True, slots=True)
class VadEvent:
    """A speech boundary.

    Attributes:
        kind: Start or end of speech.
        offset: Seconds from the beginning of the audio stream to the boundary.
        speech_seconds: For END, the length of the utterance up to its last voiced
            frame; 0.0 for START.
    """

    kind: VadKind
    offset: float
    speech_seconds: float = 0.0


class EnergyVad:
    """Detects speech boundaries in a stream of 16-bit PCM chunks.

    Args:
        threshold: Frame RMS (16-bit scale) that counts as speech.
        silence_ms: Unvoiced time that ends an utterance.
        prefix_ms: Voiced time required before a start is committed.
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        silence_ms: int = DEFAULT_SILENCE_MS,
        prefix_ms: int = 0,
    ) -> None:
        if threshold <= 0 or silence_ms < 0 or prefix_ms < 0:
            raise ValueError("threshold must be positive; silence_ms and prefix_ms non-negative")
        self.threshold = threshold
        self.silence = silence_ms / 1000.0
        self.prefix = prefix_ms / 1000.0
        self.speaking = False
        self._rest = b""
        self._rate = 0
        self._time = 0.0  # stream offset of the next frame
        self._voiced_since: float | None = None  # start of the current voiced run
        self._last_voiced_end = 0.0
        self._start = 0.0

    @property
    def stream_seconds(self) -> float:
        """Seconds of audio analysed so far."""
        return self._time

    @property
    def in_speech(self) -> bool:
        """Whether an utterance is open, or voiced audio has begun one not yet committed."""
        return self.speaking or self._voiced_since is not None

    def feed(self, pcm: bytes, rate: int) -> list[VadEvent]:
        """Analyse one chunk; return the boundaries it contains, in order.

        Raises:
            ValueError: ``rate`` is not positive.
        """
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        if rate != self._rate:
            self._rate, self._rest = rate, b""
        data = self._rest + pcm
        size = max(1, rate * _FRAME_MS // 1000) * SAMPLE_WIDTH
        frame_seconds = size / SAMPLE_WIDTH / rate
        events: list[VadEvent] = []
        pos = 0
        while pos + size <= len(data):
            event = self._frame(rms(data[pos : pos + size]) >= self.threshold, frame_seconds)
            if event is not None:
                events.append(event)
            pos += size
        self._rest = data[pos:]
        return events

    def flush(self) -> VadEvent | None:
        """End an open utterance now (``audioStreamEnd``); return its END event, if any."""
        self._rest = b""
        self._voiced_since = None
        if not self.speaking:
            return None
        return self._end()

    def _frame(self, voiced: bool, seconds: float) -> VadEvent | None:
        start, self._time = self._time, self._time + seconds
        if voiced:
            self._last_voiced_end = self._time
            if self._voiced_since is None:
                self._voiced_since = start
            if not self.speaking and self._time - self._voiced_since >= max(self.prefix, 1e-9):
                self.speaking = True
                self._start = self._voiced_since
                return VadEvent(VadKind.START, self._start)
            return None
        self._voiced_since = None
        if self.speaking and self._time - self._last_voiced_end >= self.silence:
            return self._end()
        return None

    def _end(self) -> VadEvent:
        self.speaking = False
        speech = max(0.0, self._last_voiced_end - self._start)
        return VadEvent(VadKind.END, self._last_voiced_end, speech)
