"""The public surface is explicit and pinned: changing it must be a conscious decision."""

from __future__ import annotations

import realtalk
import realtalk.events

TOP_LEVEL = [
    "Applied",
    "ConfigError",
    "ConnectError",
    "ConnectionClosed",
    "EphemeralToken",
    "ProtocolError",
    "RealtalkError",
    "RealtimeConfig",
    "RealtimeRunner",
    "RealtimeSession",
    "ReconnectFailed",
    "ReconnectPolicy",
    "RequiresResumption",
    "Secret",
    "Session",
    "SessionClosed",
    "SessionError",
    "SessionOptions",
    "SessionStatistics",
    "SessionStatus",
    "SessionWriter",
    "SetupError",
    "TransportError",
    "__version__",
    "connect",
    "create_ephemeral_token",
    "events",
    "gemini",
]

# The stable event names of the Foundation issue (more may be added, none removed).
EVENT_NAMES = {
    "Connected",
    "TextDelta",
    "AudioDelta",
    "InputTranscript",
    "OutputTranscript",
    "Thought",
    "ToolCall",
    "FunctionCall",
    "ToolCallCancelled",
    "Interrupted",
    "GenerationComplete",
    "TurnComplete",
    "GoAway",
    "ResumptionUpdate",
    "Usage",
    "Closed",
    "Error",
    "Unknown",
    "Lagged",
    "Connecting",
    "Reconnecting",
    "Resumed",
    "ResumedFresh",
}


def test_top_level_all_is_pinned() -> None:
    assert sorted(realtalk.__all__) == sorted(TOP_LEVEL)
    for name in realtalk.__all__:
        assert hasattr(realtalk, name), name


def test_event_names_are_stable() -> None:
    assert set(realtalk.events.__all__) >= EVENT_NAMES
    for name in realtalk.events.__all__:
        assert hasattr(realtalk.events, name), name


def test_event_fields_match_the_documented_shapes() -> None:
    ev = realtalk.events
    assert ev.AudioDelta(b"\x00\x00").sample_rate == 24000
    assert ev.TurnComplete().reason is None
    assert ev.ResumptionUpdate("h", True, 3).last_consumed_index == 3
    assert ev.Closed(1000, "bye") == ev.Closed(code=1000, reason="bye")
    call = ev.FunctionCall("id1", "f", {"x": 1})
    assert ev.ToolCall((call,)).calls[0].args == {"x": 1}
    match ev.TextDelta("hi"):
        case ev.TextDelta(text):
            assert text == "hi"


def test_errors_form_one_tree() -> None:
    for name in realtalk.errors.__all__:
        kind = getattr(realtalk.errors, name)
        assert issubclass(kind, realtalk.RealtalkError) or issubclass(kind, UserWarning)
    assert issubclass(realtalk.ConfigError, ValueError)
    assert issubclass(realtalk.SetupError, realtalk.SessionError)
    assert issubclass(realtalk.SessionClosed, realtalk.SessionError)
    err = realtalk.SetupError("bad model", code=1008)
    assert (err.code, err.reason) == (1008, "bad model")
