"""OpenAI Realtime conversation items, content parts and the response object (§3.4, §3.5).

Import these names from :mod:`realtalk.protocol.openai.wire`, which re-exports them.

Items and content parts are tagged unions on ``type``. Fields that are absent
on the wire default to None (and are not written); fields where ``null`` means
something different from "absent" default to :data:`msgspec.UNSET` (for example
``Response.conversation_id``: ``null`` marks an out-of-band response). Byte
fields (``audio``) hold raw bytes; msgspec reads and writes them as base64.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from realtalk.protocol.openai.wire_session import (
    AudioFormat,
    ConfigStruct,
    MaxTokens,
    Prompt,
    Reasoning,
    Tool,
    ToolChoice,
    VoiceRef,
)

__all__ = [
    "CONTENT_TYPES",
    "ITEM_TYPES",
    "AudioContent",
    "Content",
    "ContentBase",
    "ErrorDetail",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "InputAudioContent",
    "InputImageContent",
    "InputTextContent",
    "InputTokenDetails",
    "Item",
    "ItemBase",
    "ItemReference",
    "McpApprovalRequestItem",
    "McpApprovalResponseItem",
    "McpCallItem",
    "McpListToolsItem",
    "MessageItem",
    "OutputAudioContent",
    "OutputTextContent",
    "OutputTokenDetails",
    "RateLimit",
    "Response",
    "ResponseAudio",
    "ResponseAudioOutput",
    "ResponseCreateParams",
    "ResponseUsage",
    "StatusDetails",
    "TextContent",
    "TokenDetails",
    "TranscriptionUsage",
    "WireStruct",
]


class WireStruct(
    msgspec.Struct, omit_defaults=True, kw_only=True, repr_omit_defaults=True, gc=False
):
    """Base of items, parts and nested objects: keyword-only, defaults left out."""


# -- content parts (§3.4) ------------------------------------------------------------


class ContentBase(WireStruct, tag_field="type"):
    """Base of the content part types (tagged on ``type``)."""


class InputTextContent(ContentBase, tag="input_text", kw_only=True):
    """User or system text."""

    text: str


class InputAudioContent(ContentBase, tag="input_audio", kw_only=True):
    """User audio (bytes in the input format; omitted in server items) and its transcript."""

    audio: bytes | None = None
    transcript: str | UnsetType | None = UNSET


class InputImageContent(ContentBase, tag="input_image", kw_only=True):
    """An image as a data URL (``data:image/png;base64,...``); ``detail`` auto/low/high."""

    image_url: str
    detail: str | None = None


class OutputTextContent(ContentBase, tag="output_text", kw_only=True):
    """Assistant text."""

    text: str


class OutputAudioContent(ContentBase, tag="output_audio", kw_only=True):
    """Assistant audio (bytes omitted in server items) and its transcript."""

    audio: bytes | None = None
    transcript: str | UnsetType | None = UNSET


class TextContent(OutputTextContent, tag="text", kw_only=True):
    """Beta name of assistant text; also the ``part`` of ``content_part`` events."""


class AudioContent(OutputAudioContent, tag="audio", kw_only=True):
    """Beta name of assistant audio; also the ``part`` of ``content_part`` events."""


#: A content part of a message item.
Content: TypeAlias = (
    InputTextContent
    | InputAudioContent
    | InputImageContent
    | OutputTextContent
    | OutputAudioContent
    | TextContent
    | AudioContent
)
#: Known content part ``type`` values.
CONTENT_TYPES = frozenset(
    {"input_text", "input_audio", "input_image", "output_text", "output_audio", "text", "audio"}
)

# -- items (§3.4) --------------------------------------------------------------------


class ItemBase(WireStruct, tag_field="type"):
    """Base of the item types (tagged on ``type``): ``id``, ``object``, ``status``."""

    id: str | None = None
    object: str | None = None
    status: str | None = None


class MessageItem(ItemBase, tag="message", kw_only=True):
    """A ``system``, ``user`` or ``assistant`` message."""

    role: str
    content: list[Content]


class FunctionCallItem(ItemBase, tag="function_call", kw_only=True):
    """A function call by the model; ``arguments`` is a JSON string."""

    call_id: str
    name: str
    arguments: str | None = None


class FunctionCallOutputItem(ItemBase, tag="function_call_output", kw_only=True):
    """The result of a function call (``output`` is a string, often JSON)."""

    call_id: str
    output: str


class ItemReference(ItemBase, tag="item_reference", kw_only=True):
    """A reference to an existing item (only inside ``response.create.response.input``)."""


class McpListToolsItem(ItemBase, tag="mcp_list_tools", kw_only=True):
    """MCP tool listing (passed through)."""

    server_label: str | None = None
    tools: list[dict[str, Any]] | None = None


class McpCallItem(ItemBase, tag="mcp_call", kw_only=True):
    """An MCP tool call (passed through)."""

    server_label: str | None = None
    name: str | None = None
    arguments: str | None = None
    output: str | None = None
    error: Any = None
    approval_request_id: str | None = None


class McpApprovalRequestItem(ItemBase, tag="mcp_approval_request", kw_only=True):
    """The server asks whether an MCP call may run (passed through)."""

    server_label: str | None = None
    name: str | None = None
    arguments: str | None = None


class McpApprovalResponseItem(ItemBase, tag="mcp_approval_response", kw_only=True):
    """The client's answer to an MCP approval request."""

    approval_request_id: str
    approve: bool
    reason: str | None = None


#: A conversation item.
Item: TypeAlias = (
    MessageItem
    | FunctionCallItem
    | FunctionCallOutputItem
    | ItemReference
    | McpListToolsItem
    | McpCallItem
    | McpApprovalRequestItem
    | McpApprovalResponseItem
)
#: Known item ``type`` values.
ITEM_TYPES = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "item_reference",
        "mcp_list_tools",
        "mcp_call",
        "mcp_approval_request",
        "mcp_approval_response",
    }
)

# -- the response object (§3.5) ------------------------------------------------------


class ErrorDetail(WireStruct, omit_defaults=False):
    """An error (``error`` event, failed responses, failed transcriptions; §5.1).

    Attributes:
        type: ``invalid_request_error``, ``server_error``, ...
        code: A machine-readable code, may be null.
        message: Human-readable text.
        param: The offending parameter, may be null.
        event_id: The client event that caused it, may be null.

    Every field is written; ``code``, ``param`` and ``event_id`` only when set
    (None writes ``null``).
    """

    type: str = ""
    code: str | UnsetType | None = UNSET
    message: str = ""
    param: str | UnsetType | None = UNSET
    event_id: str | UnsetType | None = UNSET


class StatusDetails(WireStruct):
    """Why a response is not ``completed``: ``type`` (= status), ``reason``, ``error``."""

    type: str | None = None
    reason: str | None = None
    error: ErrorDetail | None = None


class TokenDetails(WireStruct):
    """Tokens per modality."""

    text_tokens: int | None = None
    audio_tokens: int | None = None
    image_tokens: int | None = None


class InputTokenDetails(TokenDetails):
    """Input tokens per modality plus cached tokens (a subset of the input)."""

    cached_tokens: int | None = None
    cached_tokens_details: TokenDetails | None = None


class OutputTokenDetails(TokenDetails):
    """Output tokens per modality."""


class ResponseUsage(WireStruct):
    """Token accounting of a response (``usage``, §3.5)."""

    total_tokens: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    input_token_details: InputTokenDetails | None = None
    output_token_details: OutputTokenDetails | None = None


class TranscriptionUsage(WireStruct):
    """Usage of an input transcription: ``type`` ``tokens`` (counts) or ``duration`` (seconds)."""

    type: str | None = None
    total_tokens: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    input_token_details: TokenDetails | None = None
    seconds: float | None = None


class ResponseAudioOutput(WireStruct):
    """``audio.output`` of a response: format and voice."""

    format: AudioFormat | None = None
    voice: str | VoiceRef | None = None


class ResponseAudio(WireStruct):
    """``audio`` of a response."""

    output: ResponseAudioOutput | None = None


class Response(WireStruct):
    """The ``realtime.response`` object (§3.5).

    Attributes:
        id: ``resp_...``.
        object: ``realtime.response``.
        status: ``in_progress``, ``completed``, ``cancelled``, ``incomplete``, ``failed``.
        status_details: Why it is not completed (null while in progress or completed).
        output: The items produced (audio bytes omitted); None when the server left it out.
        conversation_id: ``conv_...``; null for an out-of-band response; UNSET if absent.
        output_modalities: ``["audio"]`` or ``["text"]``.
        max_output_tokens: An int or ``"inf"``.
        audio: Output format and voice.
        usage: Token accounting, null until done.
        metadata: Key/value strings from ``response.create``.
    """

    id: str | None = None
    object: str | None = None
    status: str | None = None
    status_details: StatusDetails | UnsetType | None = UNSET
    output: list[Item] | None = None
    conversation_id: str | UnsetType | None = UNSET
    output_modalities: list[str] | None = None
    max_output_tokens: MaxTokens | None = None
    audio: ResponseAudio | None = None
    usage: ResponseUsage | UnsetType | None = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET


class ResponseCreateParams(ConfigStruct):
    """Per-response overrides of ``response.create`` (§4.9); every field optional.

    ``conversation`` is ``auto`` (default) or ``none`` (out of band); ``input`` replaces
    the context with these items (``[]`` = none). Beta names (§9): ``modalities``,
    ``voice``, ``output_audio_format``, ``temperature``, ``max_response_output_tokens``.
    """

    conversation: str | UnsetType = UNSET
    input: list[Item] | UnsetType = UNSET
    instructions: str | UnsetType = UNSET
    tools: list[Tool] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    max_output_tokens: MaxTokens | UnsetType = UNSET
    output_modalities: list[str] | UnsetType = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    audio: ResponseAudio | UnsetType = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    # -- beta (§9) --
    modalities: list[str] | UnsetType = UNSET
    voice: str | VoiceRef | UnsetType = UNSET
    output_audio_format: str | UnsetType = UNSET
    temperature: float | UnsetType = UNSET
    max_response_output_tokens: MaxTokens | UnsetType = UNSET


class RateLimit(WireStruct):
    """One entry of ``rate_limits.updated`` (§5.13)."""

    name: str
    limit: int | None = None
    remaining: int | None = None
    reset_seconds: float | None = None
