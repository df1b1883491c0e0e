"""Server-role decoding of client frames, as Google's proto3-JSON front end does it.

Used by the emulator through :func:`realtalk.protocol.gemini.codec.decode_client`.
Correctness over speed. The input is normalised against the wire schema before it
is converted to :class:`~realtalk.protocol.gemini.wire.ClientMessage` (spec §2.3):

* field names are accepted in lowerCamelCase and in snake_case, everywhere in the
  schema, but keys inside free-form JSON (function ``args`` and ``response``,
  schemas, ``labels``, passthrough objects) are never touched;
* ``bytes`` accept the standard and URL-safe base64 alphabets, padded or not;
* int64 (and other numbers) are accepted as JSON numbers or strings;
* unknown field names are rejected in strict mode (except inside
  ``AudioTranscriptionConfig``, spec §4.1.5) and dropped otherwise; enum values are
  checked against the spec's lists in strict mode;
* ``scheduling`` placed inside a function ``response`` is moved beside it (§4.4 note).

Every failure raises :class:`~realtalk.errors.ProtocolError` whose ``reason`` reads
like Google's (``Invalid JSON payload received. Unknown name "foo" at 'setup': Cannot
find field.``) and fits a WebSocket close reason (at most 123 bytes).
"""

from __future__ import annotations

import binascii
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

import msgspec

from realtalk.errors import ProtocolError
from realtalk.protocol.gemini import wire

__all__ = ["MAX_REASON_BYTES", "decode_base64", "decode_client"]

#: Longest WebSocket close reason (RFC 6455 §5.5: 125-byte control payload - 2).
MAX_REASON_BYTES = 123
_PREFIX = "Invalid JSON payload received. "
_URLSAFE = str.maketrans("-_", "+/")
_LENIENT = frozenset({wire.AudioTranscriptionConfig})
_ENUMS: dict[tuple[type, str], tuple[str, ...]] = {
    (wire.GenerationConfig, "response_modalities"): wire.RESPONSE_MODALITIES,
    (wire.GenerationConfig, "media_resolution"): wire.MEDIA_RESOLUTIONS,
    (wire.AutomaticActivityDetection, "start_of_speech_sensitivity"): wire.START_SENSITIVITIES,
    (wire.AutomaticActivityDetection, "end_of_speech_sensitivity"): wire.END_SENSITIVITIES,
    (wire.RealtimeInputConfig, "activity_handling"): wire.ACTIVITY_HANDLINGS,
    (wire.RealtimeInputConfig, "turn_coverage"): wire.TURN_COVERAGES,
    (wire.FunctionDeclaration, "behavior"): wire.BEHAVIORS,
    (wire.FunctionResponse, "scheduling"): wire.SCHEDULINGS,
}


def _fail(text: str) -> ProtocolError:
    """Build a ProtocolError whose reason fits a close frame."""
    raw = text.encode()
    if len(raw) > MAX_REASON_BYTES:
        text = raw[: MAX_REASON_BYTES - 3].decode(errors="ignore") + "..."
    return ProtocolError(text)


def decode_base64(text: str) -> bytes:
    """Decode base64 in the standard or URL-safe alphabet, padded or not (spec §2.3).

    Args:
        text: The base64 text.

    Returns:
        The bytes.

    Raises:
        ValueError: ``text`` is not base64.
    """
    body = text.translate(_URLSAFE).rstrip("=")
    if len(body) % 4 == 1:
        raise ValueError("invalid base64 length")
    try:
        return binascii.a2b_base64(body + "=" * (-len(body) % 4), strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"invalid base64: {exc}") from None


# -- the schema, read once from the wire Structs -------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str  # snake_case: the proto field name, used in error paths
    wire: str  # lowerCamelCase
    kind: _Kind
    enum: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class _StructKind:
    cls: type
    by_key: dict[str, _Field]
    lenient: bool


@dataclass(frozen=True, slots=True)
class _ListKind:
    item: _Kind


_BYTES = "bytes"
#: None = passthrough (scalars, free-form JSON); msgspec.convert checks the type.
_Kind = _StructKind | _ListKind | str | None
_SPECS: dict[type, _StructKind] = {}


def _kind(tp: Any) -> _Kind:
    """Describe how to normalise a value of annotation ``tp``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _kind(args[0]) if len(args) == 1 else None
    if origin is list:
        item = _kind(typing.get_args(tp)[0])
        return None if item is None else _ListKind(item)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return _struct_kind(tp)
    return _BYTES if tp is bytes else None


def _struct_kind(cls: type) -> _StructKind:
    spec = _SPECS.get(cls)
    if spec is None:
        by_key: dict[str, _Field] = {}
        spec = _SPECS[cls] = _StructKind(cls, by_key, cls in _LENIENT)
        for info in msgspec.structs.fields(cls):
            field = _Field(
                info.name, info.encode_name, _kind(info.type), _ENUMS.get((cls, info.name))
            )
            by_key[info.name] = by_key[info.encode_name] = field
    return spec


# -- normalisation ---------------------------------------------------------------------


def _normalize(kind: _Kind, value: Any, path: str, strict: bool) -> Any:
    if kind is None or value is None:
        return value
    if isinstance(kind, _StructKind):
        return _normalize_struct(kind, value, path, strict)
    if isinstance(kind, _ListKind):
        if not isinstance(value, list):
            return value  # msgspec.convert reports the type error
        return [_normalize(kind.item, v, f"{path}[{i}]", strict) for i, v in enumerate(value)]
    if isinstance(value, str):  # bytes
        try:
            return decode_base64(value)
        except ValueError:
            raise _fail(
                f"{_PREFIX}Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed"
            ) from None
    return value


def _normalize_struct(spec: _StructKind, value: Any, path: str, strict: bool) -> Any:
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = spec.by_key.get(key)
        if field is None:
            if strict and not spec.lenient:
                where = f" at '{path}'" if path else ""
                raise _fail(f'{_PREFIX}Unknown name "{key}"{where}: Cannot find field.')
            continue
        sub = f"{path}.{field.name}" if path else field.name
        if field.wire in out:
            raise _fail(f"{_PREFIX}Duplicate field \"{field.name}\" at '{path}'.")
        if strict and field.enum is not None:
            _check_enum(field.enum, item, sub)
        out[field.wire] = _normalize(field.kind, item, sub, strict)
    if spec.cls is wire.FunctionResponse:
        _hoist_scheduling(out)
    return out


def _check_enum(allowed: tuple[str, ...], value: Any, path: str) -> None:
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        if isinstance(item, str) and item not in allowed:
            where = f"{path}[{i}]" if isinstance(value, list) else path
            raise _fail(f"{_PREFIX}Invalid value at '{where}', \"{item}\"")


def _hoist_scheduling(out: dict[str, Any]) -> None:
    """Move ``response.scheduling`` beside ``response`` (spec §4.4 note)."""
    response = out.get("response")
    if "scheduling" in out or not isinstance(response, dict):
        return
    value = response.get("scheduling")
    if isinstance(value, str) and value in wire.SCHEDULINGS:
        out["response"] = {k: v for k, v in response.items() if k != "scheduling"}
        out["scheduling"] = value


# -- entry point -----------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_AT = re.compile(r" - at `\$\.?(.*)`$")


def _validation_reason(exc: msgspec.ValidationError) -> str:
    """Turn msgspec's message into a Google-like reason with a snake_case path."""
    text = str(exc)
    match = _AT.search(text)
    path = _CAMEL.sub(lambda m: "_" + m.group(1).lower(), match.group(1)) if match else ""
    detail = (text[: match.start()] if match else text).replace("`", "")
    return f"{_PREFIX}Invalid value at '{path}': {detail}" if path else _PREFIX + detail


def decode_client(data: str | bytes, *, strict: bool = True) -> wire.ClientMessage:
    """Decode and validate one client frame in the server role (spec §2.2, §2.3, §4).

    Args:
        data: The frame payload (text or binary JSON).
        strict: Reject unknown field names and unknown enum values (Google does);
            with False they are ignored.

    Returns:
        The message, with exactly one field set.

    Raises:
        ProtocolError: The frame is not valid JSON, is not an object with exactly one
            known message key, has an unknown field (strict), an invalid value, or
            undecodable base64. ``reason`` is short and Google-like.
    """
    try:
        obj = msgspec.json.decode(data)
    except (ValueError, RecursionError):  # msgspec.DecodeError and UnicodeError are ValueErrors
        raise _fail(f"{_PREFIX}Invalid JSON.") from None
    if not isinstance(obj, dict):
        raise _fail(f"{_PREFIX}Root element must be a message.")
    normalized = _normalize_struct(_struct_kind(wire.ClientMessage), obj, "", strict)
    present = [key for key, value in normalized.items() if value is not None]
    if len(present) != 1:
        raise _fail(f"{_PREFIX}Expected exactly one message field, got {len(present)}.")
    try:
        return msgspec.convert(normalized, wire.ClientMessage, strict=False)
    except msgspec.ValidationError as exc:
        raise _fail(_validation_reason(exc)) from None
