"""OpenAI Realtime response-level server events (openai-realtime.md §5.12-§5.15, §9).

Import these names from :mod:`realtalk.protocol.openai.wire`, which re-exports them.
Beta names are alias subclasses of the GA classes (``ResponseAudioDelta`` is a
``ResponseOutputAudioDelta`` tagged ``response.audio.delta``).
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

from realtalk.protocol.openai.wire_items import Content, Item, RateLimit, Response
from realtalk.protocol.openai.wire_server import ServerEventBase

__all__ = [
    "McpListToolsCompleted",
    "McpListToolsFailed",
    "McpListToolsInProgress",
    "OutputAudioBufferCleared",
    "OutputAudioBufferStarted",
    "OutputAudioBufferStopped",
    "RateLimitsUpdated",
    "ResponseAudioDelta",
    "ResponseAudioDone",
    "ResponseAudioTranscriptDelta",
    "ResponseAudioTranscriptDone",
    "ResponseContentPartAdded",
    "ResponseContentPartDone",
    "ResponseCreated",
    "ResponseDone",
    "ResponseFunctionCallArgumentsDelta",
    "ResponseFunctionCallArgumentsDone",
    "ResponseMcpCallArgumentsDelta",
    "ResponseMcpCallArgumentsDone",
    "ResponseMcpCallCompleted",
    "ResponseMcpCallFailed",
    "ResponseMcpCallInProgress",
    "ResponseOutputAudioDelta",
    "ResponseOutputAudioDone",
    "ResponseOutputAudioTranscriptDelta",
    "ResponseOutputAudioTranscriptDone",
    "ResponseOutputItemAdded",
    "ResponseOutputItemDone",
    "ResponseOutputTextDelta",
    "ResponseOutputTextDone",
    "ResponseTextDelta",
    "ResponseTextDone",
]


# -- responses (§5.12) -----------------------------------------------------------------


class ResponseCreated(ServerEventBase, tag="response.created", kw_only=True):
    """A response started (``status: in_progress``, empty output)."""

    response: Response = msgspec.field(default_factory=Response)


class ResponseDone(ServerEventBase, tag="response.done", kw_only=True):
    """A response ended, whatever the outcome; sent exactly once per response."""

    response: Response = msgspec.field(default_factory=Response)


class _ItemEvent(ServerEventBase, kw_only=True):
    response_id: str = ""
    output_index: int = 0


class ResponseOutputItemAdded(_ItemEvent, tag="response.output_item.added", kw_only=True):
    """The response started an output item."""

    item: Item


class ResponseOutputItemDone(_ItemEvent, tag="response.output_item.done", kw_only=True):
    """An output item is final (also sent for cancelled items)."""

    item: Item


class _PartEvent(ServerEventBase, kw_only=True):
    response_id: str = ""
    item_id: str = ""
    output_index: int = 0
    content_index: int = 0


class ResponseContentPartAdded(_PartEvent, tag="response.content_part.added", kw_only=True):
    """A content part started (``part`` type ``audio`` or ``text``)."""

    part: Content


class ResponseContentPartDone(_PartEvent, tag="response.content_part.done", kw_only=True):
    """A content part is final."""

    part: Content


class ResponseOutputAudioDelta(_PartEvent, tag="response.output_audio.delta", kw_only=True):
    """A chunk of output audio (raw bytes; base64 on the wire)."""

    delta: bytes = b""


class ResponseOutputAudioDone(_PartEvent, tag="response.output_audio.done", kw_only=True):
    """The audio of a part is complete (also sent on interruption)."""


class ResponseOutputAudioTranscriptDelta(
    _PartEvent, tag="response.output_audio_transcript.delta", kw_only=True
):
    """A fragment of the transcript of the output audio."""

    delta: str = ""


class ResponseOutputAudioTranscriptDone(
    _PartEvent, tag="response.output_audio_transcript.done", kw_only=True
):
    """The whole transcript of the output audio part."""

    transcript: str = ""


class ResponseOutputTextDelta(_PartEvent, tag="response.output_text.delta", kw_only=True):
    """A fragment of output text."""

    delta: str = ""


class ResponseOutputTextDone(_PartEvent, tag="response.output_text.done", kw_only=True):
    """The whole text of the part."""

    text: str = ""


class ResponseTextDelta(ResponseOutputTextDelta, tag="response.text.delta"):
    """Beta name of :class:`ResponseOutputTextDelta`."""


class ResponseTextDone(ResponseOutputTextDone, tag="response.text.done"):
    """Beta name of :class:`ResponseOutputTextDone`."""


class ResponseAudioDelta(ResponseOutputAudioDelta, tag="response.audio.delta"):
    """Beta name of :class:`ResponseOutputAudioDelta`."""


class ResponseAudioDone(ResponseOutputAudioDone, tag="response.audio.done"):
    """Beta name of :class:`ResponseOutputAudioDone`."""


class ResponseAudioTranscriptDelta(
    ResponseOutputAudioTranscriptDelta, tag="response.audio_transcript.delta"
):
    """Beta name of :class:`ResponseOutputAudioTranscriptDelta`."""


class ResponseAudioTranscriptDone(
    ResponseOutputAudioTranscriptDone, tag="response.audio_transcript.done"
):
    """Beta name of :class:`ResponseOutputAudioTranscriptDone`."""


class _CallEvent(_ItemEvent, kw_only=True):
    item_id: str = ""
    call_id: str = ""


class ResponseFunctionCallArgumentsDelta(
    _CallEvent, tag="response.function_call_arguments.delta", kw_only=True
):
    """A fragment of a function call's JSON arguments."""

    delta: str = ""


class ResponseFunctionCallArgumentsDone(
    _CallEvent, tag="response.function_call_arguments.done", kw_only=True
):
    """A function call's complete arguments (a JSON string) and name."""

    name: str = ""
    arguments: str = ""


# -- rate limits, output buffer, MCP (§5.13-§5.15) ---------------------------------------


class RateLimitsUpdated(ServerEventBase, tag="rate_limits.updated", kw_only=True):
    """Current rate limits; don't rely on the position of this event."""

    rate_limits: list[RateLimit] = msgspec.field(default_factory=list)


class _OutputBufferEvent(ServerEventBase, kw_only=True):
    response_id: str = ""


class OutputAudioBufferStarted(_OutputBufferEvent, tag="output_audio_buffer.started"):
    """WebRTC/SIP only: server playout started."""


class OutputAudioBufferStopped(_OutputBufferEvent, tag="output_audio_buffer.stopped"):
    """WebRTC/SIP only: server playout drained."""


class OutputAudioBufferCleared(_OutputBufferEvent, tag="output_audio_buffer.cleared"):
    """WebRTC/SIP only: server playout cleared."""


class _McpItemEvent(ServerEventBase, kw_only=True):
    item_id: str = ""


class McpListToolsInProgress(_McpItemEvent, tag="mcp_list_tools.in_progress"):
    """MCP: listing tools."""


class McpListToolsCompleted(_McpItemEvent, tag="mcp_list_tools.completed"):
    """MCP: tools listed."""


class McpListToolsFailed(_McpItemEvent, tag="mcp_list_tools.failed"):
    """MCP: listing tools failed."""


class _McpCallEvent(_McpItemEvent, kw_only=True):
    response_id: str | UnsetType = UNSET
    output_index: int = 0


class ResponseMcpCallArgumentsDelta(
    _McpCallEvent, tag="response.mcp_call_arguments.delta", kw_only=True
):
    """MCP: a fragment of call arguments."""

    delta: str = ""
    obfuscation: str | UnsetType = UNSET


class ResponseMcpCallArgumentsDone(
    _McpCallEvent, tag="response.mcp_call_arguments.done", kw_only=True
):
    """MCP: complete call arguments."""

    arguments: str = ""


class ResponseMcpCallInProgress(_McpCallEvent, tag="response.mcp_call.in_progress"):
    """MCP: a call is running."""


class ResponseMcpCallCompleted(_McpCallEvent, tag="response.mcp_call.completed"):
    """MCP: a call completed."""


class ResponseMcpCallFailed(_McpCallEvent, tag="response.mcp_call.failed"):
    """MCP: a call failed."""
