"""Pure audio helpers for 16-bit little-endian mono PCM (stdlib only, no I/O, no clock).

* :mod:`realtalk.audio.pcm`: sample counts, durations, RMS level, chunking.
* :mod:`realtalk.audio.synth`: deterministic tones, silence and speech-like PCM.
"""

from realtalk.audio.pcm import SAMPLE_WIDTH, chunk, dbfs, duration, num_samples, rms
from realtalk.audio.synth import silence, synthesize, tone

__all__ = [
    "SAMPLE_WIDTH",
    "chunk",
    "dbfs",
    "duration",
    "num_samples",
    "rms",
    "silence",
    "synthesize",
    "tone",
]
