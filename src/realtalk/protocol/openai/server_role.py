"""Server-role decoding of client events, as the OpenAI Realtime server validates them.

Used by the emulator through :func:`realtalk.protocol.openai.codec.decode_client`.
Correctness over speed. A client event that the server would refuse raises
:class:`ClientEventError`, which carries the ``error`` object the server sends
back (openai-realtime.md §5.1, §10 item 3) — the session stays open:

* not JSON, or not a JSON object -> ``invalid_event``;
* no ``type`` -> ``missing_required_parameter`` (``param: "type"``);
* an unknown ``type`` -> ``invalid_value`` (``param: "type"``);
* an unknown field (``strict``) -> ``unknown_parameter`` (``param`` = its path);
* a missing required field -> ``missing_required_parameter``;
* a value of the wrong type or shape (undecodable base64 included) -> ``invalid_value``.

The client's ``event_id`` is echoed in the error whenever it is readable.
"""

from __future__ import annotations

import re
from typing import Any, Literal, cast

import msgspec
import msgspec.inspect as mi
from msgspec import UNSET

from realtalk.errors import ProtocolError
from realtalk.protocol.openai import wire

__all__ = ["MAX_REASON_BYTES", "ClientEventError", "Interface", "decode_client"]

#: Longest WebSocket close reason (RFC 6455 §5.5: 125-byte control payload - 2).
MAX_REASON_BYTES = 123
#: Which interface shapes the server accepts (§9): both, GA only, or beta only.
Interface = Literal["any", "ga", "beta"]

_BETA_ONLY_TYPES = frozenset({"transcription_session.update"})
#: Objects whose extra fields pass (the spec lists only some of their keys).
_LENIENT: frozenset[type] = frozenset({wire.McpTool})
_BETA_FIELDS: dict[type, frozenset[str]] = {
    wire.Session: wire.BETA_SESSION_FIELDS,
    wire.ResponseCreateParams: frozenset(
        {"modalities", "voice", "output_audio_format", "temperature", "max_response_output_tokens"}
    ),
}


class ClientEventError(ProtocolError):
    """A client event the server refuses; the session goes on (§5.1).

    Attributes:
        type: ``invalid_request_error``.
        code: ``invalid_event``, ``invalid_value``, ``missing_required_parameter`` or
            ``unknown_parameter``.
        message: Human-readable text (also ``reason``, cut to fit a close frame).
        param: The offending field's path (``session.audio.input.format``), if any.
        event_id: The client's ``event_id``, if it could be read.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        param: str | None = None,
        event_id: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        raw = message.encode()
        reason = message
        if len(raw) > MAX_REASON_BYTES:
            reason = raw[: MAX_REASON_BYTES - 3].decode(errors="ignore") + "..."
        super().__init__(reason)
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.event_id = event_id

    def to_event(self, event_id: str | None = None) -> wire.ErrorEvent:
        """The ``error`` server event reporting this failure (``event_id``: the server's)."""
        detail = wire.ErrorDetail(
            type=self.type,
            code=self.code,
            message=self.message,
            param=self.param,
            event_id=self.event_id,
        )
        return wire.ErrorEvent(event_id=UNSET if event_id is None else event_id, error=detail)


# -- unknown fields, found by walking msgspec's view of the types -----------------------

_INFO: dict[type, mi.Type] = {}


def _info(cls: type) -> mi.Type:
    info = _INFO.get(cls)
    if info is None:
        info = _INFO[cls] = mi.type_info(cls)
    return info


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _pick_struct(types: tuple[mi.Type, ...], value: dict[str, Any]) -> mi.StructType | None:
    structs = [t for t in types if isinstance(t, mi.StructType)]
    if not structs:
        return None
    tag_field = structs[0].tag_field
    if tag_field is None:
        return structs[0]
    tag = value.get(tag_field)
    return next((s for s in structs if s.tag == tag), None)


def _unknown_field(info: mi.Type, value: Any, path: str, ga: bool) -> str | None:
    """The path of the first field of ``value`` that ``info`` does not know, else None."""
    if isinstance(info, mi.UnionType):
        if isinstance(value, dict):
            picked = _pick_struct(info.types, value)
            return None if picked is None else _unknown_field(picked, value, path, ga)
        if isinstance(value, list):
            lists = [t for t in info.types if isinstance(t, mi.ListType)]
            return _unknown_field(lists[0], value, path, ga) if lists else None
        return None
    if isinstance(info, mi.ListType):
        if not isinstance(value, list):
            return None
        for i, item in enumerate(value):
            found = _unknown_field(info.item_type, item, f"{path}[{i}]", ga)
            if found is not None:
                return found
        return None
    if not isinstance(info, mi.StructType) or not isinstance(value, dict):
        return None
    if info.cls in _LENIENT:
        return None
    fields = {f.encode_name: f for f in info.fields}
    beta = _BETA_FIELDS.get(info.cls, frozenset()) if ga else frozenset()
    for key, item in value.items():
        if key == info.tag_field:
            continue
        field = fields.get(key)
        if field is None or key in beta:
            return _join(path, key)
        found = _unknown_field(field.type, item, _join(path, key), ga)
        if found is not None:
            return found
    return None


# -- msgspec messages to OpenAI-like errors ---------------------------------------------

_AT = re.compile(r" - at `\$(.*)`$")
_MISSING = re.compile(r"Object missing required field `([^`]*)`")


def _validation_error(exc: msgspec.ValidationError, event_id: str | None) -> ClientEventError:
    text = str(exc)
    match = _AT.search(text)
    path = match.group(1).lstrip(".") if match else ""
    detail = (text[: match.start()] if match else text).replace("`", "'")
    missing = _MISSING.match(text)
    if missing is not None:
        param = _join(path, missing.group(1))
        return ClientEventError(
            f"Missing required parameter: '{param}'.",
            code="missing_required_parameter",
            param=param,
            event_id=event_id,
        )
    where = f"'{path}'" if path else "the event"
    return ClientEventError(
        f"Invalid value for {where}: {detail}.",
        code="invalid_value",
        param=path or None,
        event_id=event_id,
    )


def decode_client(
    data: str | bytes, *, strict: bool = True, interface: Interface = "any"
) -> wire.ClientEvent:
    """Decode and validate one client event in the server role (§4, §9, §10).

    Args:
        data: The frame payload (JSON text).
        strict: Refuse unknown fields (``unknown_parameter``), as the server does.
        interface: ``"any"`` accepts GA and beta shapes; ``"ga"`` requires
            ``session.type`` and refuses beta-only fields and events; ``"beta"``
            refuses nothing extra.

    Returns:
        The typed event; beta names decode to their own classes.

    Raises:
        ClientEventError: The server would answer with an ``error`` event (see the
            module docstring for the codes).
    """
    try:
        obj = msgspec.json.decode(data)
    except (ValueError, TypeError, RecursionError):
        raise ClientEventError("The event is not valid JSON.", code="invalid_event") from None
    if not isinstance(obj, dict):
        raise ClientEventError("The event must be a JSON object.", code="invalid_event")
    event_id = obj.get("event_id")
    event_id = event_id if isinstance(event_id, str) else None
    kind = obj.get("type")
    if kind is None:
        raise ClientEventError(
            "Missing required parameter: 'type'.",
            code="missing_required_parameter",
            param="type",
            event_id=event_id,
        )
    cls = wire.CLIENT_EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None or (interface == "ga" and kind in _BETA_ONLY_TYPES):
        supported = ", ".join(
            f"'{name}'"
            for name in wire.CLIENT_EVENT_TYPES
            if interface != "ga" or name not in _BETA_ONLY_TYPES
        )
        raise ClientEventError(
            f"Invalid value: '{kind}'. Supported values are: {supported}.",
            code="invalid_value",
            param="type",
            event_id=event_id,
        )
    ga = interface == "ga"
    if strict:
        unknown = _unknown_field(_info(cls), obj, "", ga)
        if unknown is not None:
            raise ClientEventError(
                f"Unknown parameter: '{unknown}'.",
                code="unknown_parameter",
                param=unknown,
                event_id=event_id,
            )
    try:
        event = msgspec.convert(obj, cls)
    except msgspec.ValidationError as exc:
        raise _validation_error(exc, event_id) from None
    if ga and isinstance(event, wire.SessionUpdate) and event.session.type is UNSET:
        raise ClientEventError(
            "Missing required parameter: 'session.type'.",
            code="missing_required_parameter",
            param="session.type",
            event_id=event_id,
        )
    return cast(wire.ClientEvent, event)
