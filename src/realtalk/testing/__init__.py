"""realtalk's public test kit.

* Wire recordings: :class:`Recorder` writes one (the session does it for you with
  ``record_to=``), :func:`read_recording` reads one back; format in ``docs/recording.md``.
* Replay: :class:`ReplayServer` plays the server side of a recording to a client
  under test, over :class:`~realtalk.transport.MemoryConnector` or real sockets, and
  reports every :class:`Mismatch`.
* Timelines: :func:`describe_client_frame` / :func:`describe_server_frame` summarise
  Gemini frames in one line (used by ``realtalk replay FILE``).
"""

from realtalk.session.recording import (
    RECORDING_VERSION,
    BadLine,
    Entry,
    Frame,
    Header,
    LifecycleEvent,
    Recorder,
    Recording,
    parse_recording,
    read_recording,
)
from realtalk.testing.replay import Mismatch, ReplayServer, compare_frames
from realtalk.testing.timeline import describe_client_frame, describe_server_frame

__all__ = [
    "RECORDING_VERSION",
    "BadLine",
    "Entry",
    "Frame",
    "Header",
    "LifecycleEvent",
    "Mismatch",
    "Recorder",
    "Recording",
    "ReplayServer",
    "compare_frames",
    "describe_client_frame",
    "describe_server_frame",
    "parse_recording",
    "read_recording",
]
