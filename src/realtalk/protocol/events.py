"""The provider-neutral event union.

One event per fact. Every event is a small frozen, slotted :class:`msgspec.Struct`,
so consumers write ``match event:`` with keyword or positional patterns::

    match event:
        case AudioDelta(data=pcm):
            player.feed(pcm)
        case ToolCall(calls=calls):
            ...
        case TurnComplete():
            ...

Wire events come from a provider codec (``protocol/gemini/codec.py``,
``protocol/openai/codec.py``), which documents the fixed order in which one
server message is split into events.
Lifecycle events (:class:`Connecting`, :class:`Connected`, :class:`Closed`,
:class:`Lagged`) are produced by the session runner and travel through the same
stream.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "AudioDelta",
    "Closed",
    "CodeExecution",
    "CodeExecutionResult",
    "Connected",
    "Connecting",
    "Error",
    "Event",
    "FunctionCall",
    "GenerationComplete",
    "GoAway",
    "Grounding",
    "InputTranscript",
    "Interrupted",
    "Lagged",
    "OutputTranscript",
    "RateLimit",
    "RateLimits",
    "Reconnecting",
    "ResponseDone",
    "ResponseStarted",
    "Resumed",
    "ResumedFresh",
    "ResumptionUpdate",
    "SessionUpdated",
    "SetupComplete",
    "SpeechStarted",
    "SpeechStopped",
    "TextDelta",
    "Thought",
    "ToolCall",
    "ToolCallCancelled",
    "TurnComplete",
    "Unknown",
    "Usage",
    "WaitingForInput",
]


class Event(msgspec.Struct, frozen=True):
    """Base class of every event."""


# -- lifecycle ---------------------------------------------------------------------


class Connecting(Event, frozen=True):
    """A connection attempt has started (``attempt`` 0 is the first connection)."""

    attempt: int = 0


class SetupComplete(Event, frozen=True):
    """The server accepted the setup (wire ``setupComplete``).

    The session runner consumes this during the handshake and publishes
    :class:`Connected` instead; it is visible only to users of the codec.
    """

    session_id: str | None = None


class Connected(Event, frozen=True):
    """The handshake completed; the session is usable."""

    session_id: str | None = None


class Reconnecting(Event, frozen=True):
    """The session lost or is leaving its connection and will connect again.

    Attributes:
        attempt: 1 for the first attempt after a loss, counting up while retrying.
        delay: Seconds the session waits before this attempt (0 on goAway).
        cause: Why: ``"goAway"``, ``"closed 1011: ..."``, ``"dropped"``, ``"server silent"``.
    """

    attempt: int
    delay: float
    cause: str


class Resumed(Event, frozen=True):
    """A new connection continues the same server-side session (resumption handle).

    Attributes:
        replayed: Client messages sent again because the server had not consumed them.
        dropped: Unconsumed audio/video chunks not replayed because they were stale.
        downtime: Seconds from losing (or leaving) the old connection to being ready.
        state_restored: True when the server restored the conversation state.
    """

    replayed: int = 0
    dropped: int = 0
    downtime: float = 0.0
    state_restored: bool = True


class ResumedFresh(Event, frozen=True):
    """A new connection started a new server-side session: prior context is gone.

    Attributes:
        reason: Why resumption was not possible (disabled, no handle yet, expired, rejected).
        discarded: Sent messages the old session had not acknowledged, not replayed
            into the new one.
    """

    reason: str
    discarded: int = 0


class Closed(Event, frozen=True):
    """The session ended. ``code`` is the WebSocket close code (None if unknown)."""

    code: int | None
    reason: str = ""


class Lagged(Event, frozen=True):
    """This cursor fell behind the event ring and ``count`` events were lost to it."""

    count: int


# -- model output ------------------------------------------------------------------


class TextDelta(Event, frozen=True):
    """A fragment of model text output."""

    text: str


class AudioDelta(Event, frozen=True):
    """A chunk of model audio: signed 16-bit little-endian mono PCM."""

    data: bytes
    sample_rate: int = 24000


class Thought(Event, frozen=True):
    """A fragment of the model's thinking (only when thoughts are requested)."""

    text: str


class CodeExecution(Event, frozen=True):
    """Code the model wrote for the code-execution tool."""

    language: str
    code: str


class CodeExecutionResult(Event, frozen=True):
    """The result of running model-written code."""

    outcome: str
    output: str = ""


class InputTranscript(Event, frozen=True):
    """A fragment of the transcript of the user's speech.

    Fragments are deltas; ``final`` marks the last fragment of an utterance.
    ``interim`` marks the low-latency preview stream some models send while the
    user is still speaking (it is not part of the delta sequence).
    """

    text: str
    final: bool = False
    interim: bool = False


class OutputTranscript(Event, frozen=True):
    """A fragment of the transcript of the model's speech (a delta)."""

    text: str
    final: bool = False


class Grounding(Event, frozen=True):
    """Search grounding and URL-context metadata attached to model output."""

    grounding: dict[str, Any] | None = None
    url_context: dict[str, Any] | None = None


# -- tools -------------------------------------------------------------------------


class FunctionCall(msgspec.Struct, frozen=True):
    """One function the model asks the client to run."""

    id: str
    name: str
    args: dict[str, Any] = msgspec.field(default_factory=dict)


class ToolCall(Event, frozen=True):
    """The model asks for one or more function calls (parallel calls share one event)."""

    calls: tuple[FunctionCall, ...]


class ToolCallCancelled(Event, frozen=True):
    """The server withdrew earlier function calls (usually after a barge-in)."""

    ids: tuple[str, ...]


# -- turn structure ----------------------------------------------------------------


class SpeechStarted(Event, frozen=True):
    """The server detected the start of user speech."""

    offset: float | None = None


class SpeechStopped(Event, frozen=True):
    """The server detected the end of user speech."""

    offset: float | None = None


class Interrupted(Event, frozen=True):
    """User activity cut the model's output off: flush queued playback."""


class GenerationComplete(Event, frozen=True):
    """The model finished producing output for this turn (absent when interrupted)."""


class WaitingForInput(Event, frozen=True):
    """The model is idle because it expects the user to continue."""


class TurnComplete(Event, frozen=True):
    """The model's turn is over.

    Attributes:
        reason: Why the turn ended when the server says so (e.g. ``NEED_MORE_INPUT``,
            ``MALFORMED_FUNCTION_CALL``); None for an ordinary end.
        status: The server's interaction status when sent (e.g. ``IDLE``, ``IN_PROGRESS``).
    """

    reason: str | None = None
    status: str | None = None


# -- session management --------------------------------------------------------------


class GoAway(Event, frozen=True):
    """The server will close this connection in ``time_left`` seconds (None if unsaid)."""

    time_left: float | None = None


class ResumptionUpdate(Event, frozen=True):
    """A new session-resumption state.

    Attributes:
        handle: The handle to resume with; None while not resumable.
        resumable: False while the model is generating or a tool call runs.
        last_consumed_index: The index of the last client message covered by the
            handle (transparent mode only), else None.
    """

    handle: str | None
    resumable: bool
    last_consumed_index: int | None = None


class Usage(Event, frozen=True):
    """Token accounting for one response. Detail maps are modality -> token count."""

    prompt_tokens: int = 0
    response_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    thoughts_tokens: int = 0
    tool_use_prompt_tokens: int = 0
    prompt_details: dict[str, int] = msgspec.field(default_factory=dict)
    response_details: dict[str, int] = msgspec.field(default_factory=dict)


class SessionUpdated(Event, frozen=True):
    """The server's effective session configuration (OpenAI ``session.created`` / ``.updated``).

    Attributes:
        session: The session object as the server sent it (decoded JSON).
        session_id: The server's session id, when it sends one.
        created: True for the configuration announced when the connection opened
            (``session.created``), False after a client update (``session.updated``).
    """

    session: dict[str, Any]
    session_id: str | None = None
    created: bool = False


class ResponseStarted(Event, frozen=True):
    """The model started a response (OpenAI ``response.created``)."""

    response_id: str | None = None


class ResponseDone(Event, frozen=True):
    """A response ended, whatever the outcome (OpenAI ``response.done``).

    Attributes:
        status: ``completed``, ``cancelled``, ``incomplete`` or ``failed`` (the server's word).
        response_id: The response, when known.
        reason: Why it ended early when the server says so: ``turn_detected`` or
            ``client_cancelled`` (cancelled), ``max_output_tokens`` or
            ``content_filter`` (incomplete), the error code (failed).
        error: The server's error message for a failed response.
    """

    status: str
    response_id: str | None = None
    reason: str | None = None
    error: str | None = None


class RateLimit(msgspec.Struct, frozen=True):
    """One rate limit as reported by the server.

    Attributes:
        name: What is limited (e.g. ``requests``, ``tokens``).
        limit: The maximum allowed.
        remaining: What is left in the current window.
        reset_seconds: Seconds until the window resets.
    """

    name: str
    limit: int | None = None
    remaining: int | None = None
    reset_seconds: float | None = None


class RateLimits(Event, frozen=True):
    """The current rate limits (OpenAI ``rate_limits.updated``); don't rely on its position."""

    limits: tuple[RateLimit, ...]


class Error(Event, frozen=True):
    """Something went wrong that the application should know about.

    Raised neither from the receive path nor for server garbage: a malformed
    frame becomes ``Error(code="malformed", ...)`` and the session goes on.

    Attributes:
        code: A short machine-readable code (provider error code or realtalk's own).
        message: Human-readable description.
        param: The offending parameter, when the server names one.
        event_id: The client event the error refers to, when known.
    """

    code: str | None
    message: str
    param: str | None = None
    event_id: str | None = None


class Unknown(Event, frozen=True):
    """A server message realtalk does not know; ``raw`` is the decoded JSON object."""

    raw: dict[str, Any]
