"""The live runtime (L1) on top of :class:`realtalk.Session`.

:class:`RealtimeRunner` executes registered tools automatically (bounded concurrency,
per-call timeouts, one follow-up per parallel batch, cancellation honoured) and
applies context mutations when the provider is idle, while audio keeps flowing.
See ``docs/runner.md``.
"""

from realtalk.live.realtime_runner import RealtimeRunner, RunnerSession, RunnerStatistics
from realtalk.live.runner_events import (
    ContextApplied,
    ContextFailed,
    EventsDropped,
    RunnerEvent,
    ToolCancelled,
    ToolFinished,
    ToolResponseFailed,
    ToolStarted,
)

__all__ = [
    "ContextApplied",
    "ContextFailed",
    "EventsDropped",
    "RealtimeRunner",
    "RunnerEvent",
    "RunnerSession",
    "RunnerStatistics",
    "ToolCancelled",
    "ToolFinished",
    "ToolResponseFailed",
    "ToolStarted",
]
