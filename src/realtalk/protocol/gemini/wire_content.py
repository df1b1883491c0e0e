"""Shared Gemini Live wire types: content, parts, blobs, function calls and responses.

Every wire type derives from :class:`WireStruct`: Python attributes are snake_case,
wire names are lowerCamelCase (spec §2.3), fields left at their default (``None``)
are not emitted, and unknown fields are ignored when decoding. Import these names
from :mod:`realtalk.protocol.gemini.wire`, which re-exports them.

proto3-JSON scalars (spec §2.3):

* ``bytes`` fields hold raw bytes; msgspec writes standard base64.
* ``int64`` fields (:data:`Int64`) hold ``int``; the codec writes them as JSON strings
  and accepts numbers or strings.
* ``google.protobuf.Duration`` fields (:data:`Duration`) hold the wire string
  (``"1.5s"``); build and read them with :func:`format_duration` / :func:`parse_duration`.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeAlias

import msgspec

__all__ = [
    "Blob",
    "CodeExecutionResult",
    "Content",
    "Duration",
    "ExecutableCode",
    "FileData",
    "FunctionResponse",
    "FunctionResponsePart",
    "Int64",
    "Part",
    "WireFunctionCall",
    "WireStruct",
    "format_duration",
    "parse_duration",
]

#: A proto ``int64``: an ``int`` in Python, a JSON string on the wire (spec §2.3).
Int64: TypeAlias = int
#: A ``google.protobuf.Duration`` as it travels: ``"<seconds>[.fraction]s"`` (spec §2.3).
Duration: TypeAlias = str

_NANOS = 1_000_000_000
_DURATION_RE = re.compile(r"\s*(-)?(\d+)(?:\.(\d+))?s\s*")


def format_duration(seconds: float) -> Duration:
    """Format seconds as a proto3-JSON Duration string (spec §2.3).

    Whole seconds print without a fraction (``"50s"``); otherwise 3, 6 or 9
    fractional digits, as protobuf does (``"0.500s"``, ``"1.000001s"``).

    Args:
        seconds: The duration; may be negative.

    Returns:
        The wire string.

    Raises:
        ValueError: ``seconds`` is NaN or infinite.
    """
    if not math.isfinite(seconds):
        raise ValueError(f"duration must be finite, got {seconds!r}")
    nanos = round(seconds * _NANOS)
    sign = "-" if nanos < 0 else ""
    whole, frac = divmod(abs(nanos), _NANOS)
    if frac == 0:
        return f"{sign}{whole}s"
    if frac % 1_000_000 == 0:
        return f"{sign}{whole}.{frac // 1_000_000:03d}s"
    if frac % 1_000 == 0:
        return f"{sign}{whole}.{frac // 1_000:06d}s"
    return f"{sign}{whole}.{frac:09d}s"


def parse_duration(text: str) -> float:
    """Parse a proto3-JSON Duration string such as ``"50s"`` or ``"0.500s"`` (spec §2.3).

    Args:
        text: The wire string.

    Returns:
        The duration in seconds.

    Raises:
        ValueError: ``text`` is not a Duration string.
    """
    match = _DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"invalid Duration {text!r:.40}")
    sign, whole, frac = match.groups()
    value = int(whole) + (int(frac) / 10 ** len(frac) if frac else 0.0)
    return -value if sign else value


class WireStruct(
    msgspec.Struct,
    rename="camel",
    omit_defaults=True,
    repr_omit_defaults=True,
    gc=False,
):
    """Base of every Gemini wire type (camelCase on the wire, defaults omitted).

    Instances are not tracked by the garbage collector (they form trees, never
    cycles), which keeps decoding cheap.
    """


class Blob(WireStruct):
    """Inline bytes with a MIME type (spec §4.1.2), e.g. a PCM audio chunk.

    Attributes:
        mime_type: ``audio/pcm;rate=16000``, ``image/jpeg``, ...
        data: The raw bytes (base64 on the wire).
    """

    mime_type: str | None = None
    data: bytes | None = None


class FileData(WireStruct):
    """A reference to a stored file (spec §4.1.2)."""

    mime_type: str | None = None
    file_uri: str | None = None


class WireFunctionCall(WireStruct):
    """One function call requested by the model (spec §5.3).

    Attributes:
        id: The call id to echo in the response.
        name: The function name.
        args: The arguments (free-form JSON object; keys are never renamed).
        partial_args: Vertex only: streamed argument fragments.
        will_continue: Vertex only: more argument fragments follow.
    """

    id: str | None = None
    name: str | None = None
    args: dict[str, Any] | None = None
    partial_args: list[dict[str, Any]] | None = None
    will_continue: bool | None = None


class FunctionResponsePart(WireStruct):
    """A multimodal piece of a function result (spec §4.4, newer)."""

    inline_data: Blob | None = None
    file_data: FileData | None = None


class FunctionResponse(WireStruct):
    """The result of one function call (spec §4.4).

    Attributes:
        id: The ``functionCalls[].id`` being answered.
        name: The function name (required by the server).
        response: The result object (free-form JSON); by convention
            ``{"output": ...}`` or ``{"error": ...}``.
        scheduling: For NON_BLOCKING functions: ``SILENT``, ``WHEN_IDLE`` or ``INTERRUPT``.
        will_continue: AI Studio only: more results for this call will follow.
        parts: Multimodal results.
    """

    id: str | None = None
    name: str | None = None
    response: dict[str, Any] | None = None
    scheduling: str | None = None
    will_continue: bool | None = None
    parts: list[FunctionResponsePart] | None = None


class ExecutableCode(WireStruct):
    """Code written by the model for the code-execution tool (spec §4.1.2)."""

    language: str | None = None
    code: str | None = None


class CodeExecutionResult(WireStruct):
    """The result of running model-written code (spec §4.1.2)."""

    outcome: str | None = None
    output: str | None = None


class Part(WireStruct):
    """One piece of a :class:`Content` (spec §4.1.2); normally one data field is set.

    Attributes:
        text: Text.
        inline_data: Inline bytes (audio, images).
        file_data: A file reference.
        function_call: A function call (history seeding).
        function_response: A function result (history seeding).
        executable_code: Code written by the model.
        code_execution_result: The result of that code.
        thought: The part is a thought (with ``text``).
        thought_signature: Opaque signature of a thought.
    """

    text: str | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: WireFunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: ExecutableCode | None = None
    code_execution_result: CodeExecutionResult | None = None
    thought: bool | None = None
    thought_signature: bytes | None = None


class Content(WireStruct):
    """A turn of the conversation (spec §4.1.2).

    Attributes:
        role: ``"user"`` or ``"model"``.
        parts: The parts, in order.
    """

    role: str | None = None
    parts: list[Part] | None = None
