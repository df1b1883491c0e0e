"""Normalisation of the arguments of the provider-neutral send commands (§3, §3.4, §6.5).

Used by :class:`~realtalk.protocol.openai.protocol.OpenAIProtocol`; every function
validates at the call site (``TypeError`` / ``ValueError`` / ``ConfigError``).
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping, Sequence
from typing import Any, cast

import msgspec
from msgspec import UNSET

from realtalk.errors import ConfigError
from realtalk.protocol.openai import codec, wire

__all__ = ["b64decode", "build_session", "merge", "to_function_outputs", "to_items"]

_URLSAFE = str.maketrans("-_", "+/")


def build_session(config: wire.Session | Mapping[str, Any] | None) -> wire.Session:
    """Validate ``config`` and return the session object sent in ``session.update`` (§3).

    ``type`` defaults to ``realtime`` unless the config uses the beta shape (§9).

    Args:
        config: A :class:`wire.Session`, a mapping in the wire shape, or None.

    Raises:
        ConfigError: The mapping is not a valid session; the message names the field.
        TypeError: ``config`` has the wrong type.
    """
    if config is None:
        return wire.Session(type="realtime")
    if isinstance(config, wire.Session):
        session = config
    elif isinstance(config, Mapping):
        try:
            frame = msgspec.json.encode({"type": "session.update", "session": dict(config)})
        except (TypeError, msgspec.EncodeError) as exc:
            raise ConfigError(f"session config is not JSON-serializable: {exc}") from None
        try:
            event = codec.decode_client(frame)
        except codec.ClientEventError as exc:
            raise ConfigError(f"invalid session config: {exc.message}") from None
        assert isinstance(event, wire.SessionUpdate)
        session = event.session
    else:
        raise TypeError(f"session must be a Session or a mapping, not {type(config).__name__}")
    beta = any(getattr(session, name) is not UNSET for name in wire.BETA_SESSION_FIELDS)
    if session.type is UNSET and not beta:
        session = msgspec.structs.replace(session, type="realtime")
    return session


def merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``update`` into a copy of ``base`` (objects merge, anything else replaces)."""
    out = dict(base)
    for key, value in update.items():
        old = out.get(key)
        if isinstance(value, Mapping) and isinstance(old, dict) and "type" not in value:
            out[key] = merge(old, value)
        else:
            out[key] = value
    return out


def _text_parts(turn: Mapping[str, Any], role: str) -> list[wire.Content]:
    """Content parts from a Gemini-like turn: ``text`` or ``parts: [{"text": ...}]``."""
    texts: list[Any] = []
    if "text" in turn:
        texts.append(turn["text"])
    for part in turn.get("parts") or ():
        if not isinstance(part, Mapping) or set(part) - {"text", "thought"}:
            raise ValueError("turns: only text parts can be sent as OpenAI message content")
        texts.append(part.get("text"))
    if not texts or not all(isinstance(t, str) for t in texts):
        raise ValueError("turns: a turn needs text")
    if role == "assistant":
        return [wire.OutputTextContent(text=t) for t in texts]
    return [wire.InputTextContent(text=t) for t in texts]


def to_items(turns: object) -> list[wire.Item]:
    """Normalise the ``turns`` argument of ``send_client_content`` into items (§3.4).

    Accepts a str (one user text message), an item (:class:`wire.ItemBase`), a mapping
    with ``type`` in the OpenAI item shape, a Gemini-like mapping with ``role``
    (``user``, ``model``/``assistant``, ``system``) and ``text`` or text ``parts``,
    or a sequence of those.

    Raises:
        TypeError: An element of an unsupported type.
        ValueError: A mapping that is not a valid item or turn.
    """
    if isinstance(turns, str | wire.ItemBase | Mapping):
        turns = [turns]
    if not isinstance(turns, Sequence) or isinstance(turns, bytes | bytearray):
        raise TypeError(
            f"turns must be a str, an item, a mapping or a list of them, not {type(turns).__name__}"
        )
    items: list[wire.Item] = []
    for turn in turns:
        if isinstance(turn, str):
            items.append(codec.text_message_item(turn))
        elif isinstance(turn, wire.ItemBase):
            items.append(cast(wire.Item, turn))
        elif isinstance(turn, Mapping) and "type" in turn:
            try:
                items.append(msgspec.convert(dict(turn), wire.Item))
            except msgspec.ValidationError as exc:
                raise ValueError(f"turns: invalid item: {exc}") from None
        elif isinstance(turn, Mapping):
            role = {"model": "assistant"}.get(turn.get("role", "user"), turn.get("role", "user"))
            if role not in ("user", "assistant", "system"):
                raise ValueError(f"turns: unknown role {role!r}")
            items.append(wire.MessageItem(role=role, content=_text_parts(turn, role)))
        else:
            raise TypeError(f"turns: unsupported element type {type(turn).__name__}")
    return items


def _output_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, msgspec.EncodeError) as exc:
        raise ValueError(f"responses: output is not JSON-serializable: {exc}") from None


def to_function_outputs(responses: object) -> tuple[list[wire.FunctionCallOutputItem], bool]:
    """Normalise the ``responses`` argument of ``send_tool_response`` (§6.5).

    Accepts a :class:`wire.FunctionCallOutputItem`, a mapping with ``call_id`` (or
    Gemini's ``id``) and ``output`` (or Gemini's ``response``), any msgspec Struct of
    that shape (e.g. Gemini's ``FunctionResponse``), or a sequence of those. A
    non-string output is sent as JSON text.

    Returns:
        The items, and whether a response should be created: False only when every
        answer has Gemini's ``scheduling: "SILENT"`` (add to context, don't speak).

    Raises:
        TypeError: An element of an unsupported type.
        ValueError: No responses, or one without a call id or an output.
    """
    if isinstance(responses, wire.FunctionCallOutputItem | Mapping | msgspec.Struct):
        responses = [responses]
    if not isinstance(responses, Sequence) or isinstance(responses, str | bytes):
        raise TypeError(
            f"responses must be a function output, a mapping or a list of them, "
            f"not {type(responses).__name__}"
        )
    if not responses:
        raise ValueError("responses must not be empty")
    items: list[wire.FunctionCallOutputItem] = []
    silent = True
    for answer in responses:
        if isinstance(answer, wire.FunctionCallOutputItem):
            items.append(answer)
            silent = False
            continue
        if isinstance(answer, msgspec.Struct):
            answer = msgspec.to_builtins(answer)
        if not isinstance(answer, Mapping):
            raise TypeError(f"responses: unsupported element type {type(answer).__name__}")
        call_id = answer.get("call_id") or answer.get("id")
        if not isinstance(call_id, str) or not call_id:
            raise ValueError("responses: every answer needs a call_id (or id)")
        if "output" in answer:
            output = _output_text(answer["output"])
        elif "response" in answer:
            output = _output_text(answer["response"])
        else:
            raise ValueError(f"responses: answer to {call_id!r} has no output")
        silent = silent and str(answer.get("scheduling", "")).upper() == "SILENT"
        items.append(codec.function_call_output_item(call_id, output))
    return items, not silent


def b64decode(data: str | bytes) -> bytes:
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    try:
        return binascii.a2b_base64(text.translate(_URLSAFE), strict_mode=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"data is not base64: {exc}") from None
