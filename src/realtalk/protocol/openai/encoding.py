"""Encoding of OpenAI Realtime events (openai-realtime.md §2, §4, §5).

Import these from :mod:`realtalk.protocol.openai.codec`, which re-exports them.

Client role: the fast builders (``encode_input_audio_buffer_append``, ...) write the
bytes of one client event; each accepts an optional ``event_id`` (§2), which
:class:`EventIds` generates deterministically. :func:`encode_client` encodes any
:data:`~realtalk.protocol.openai.wire.ClientEvent`. Server role: :func:`encode_server`.
Every result is the JSON of exactly one WebSocket text frame.
"""

from __future__ import annotations

import binascii

import msgspec

from realtalk.protocol.openai import wire

__all__ = [
    "EventIds",
    "encode_client",
    "encode_conversation_item_create",
    "encode_conversation_item_delete",
    "encode_conversation_item_retrieve",
    "encode_conversation_item_truncate",
    "encode_function_call_output",
    "encode_input_audio_buffer_append",
    "encode_input_audio_buffer_append_base64",
    "encode_input_audio_buffer_clear",
    "encode_input_audio_buffer_commit",
    "encode_input_image",
    "encode_output_audio_buffer_clear",
    "encode_response_cancel",
    "encode_response_create",
    "encode_server",
    "encode_session_update",
    "encode_user_text",
    "function_call_output_item",
    "image_data_url",
    "input_image_item",
    "text_message_item",
]

_ENCODER = msgspec.json.Encoder()
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_URLSAFE = bytes.maketrans(b"-_", b"+/")


class EventIds:
    """Deterministic client ``event_id`` values: ``prefix`` + a counter.

    No clock and no randomness (the protocol layer is pure); give each session its
    own instance, or another prefix, when ids must differ across sessions.

    Args:
        prefix: Text before the number.
        start: The first number.
    """

    __slots__ = ("_next", "prefix")

    def __init__(self, prefix: str = "evt_rt_", start: int = 1) -> None:
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, not {type(prefix).__name__}")
        self.prefix = prefix
        self._next = start

    def __call__(self) -> str:
        """Return the next id."""
        number = self._next
        self._next = number + 1
        return f"{self.prefix}{number}"


def _head(kind: bytes, event_id: str | None) -> bytes:
    """``{"type":"<kind>"`` plus the event id, without the closing brace."""
    if event_id is None:
        return b'{"type":"' + kind + b'"'
    if not isinstance(event_id, str):
        raise TypeError(f"event_id must be a str, not {type(event_id).__name__}")
    return b'{"type":"' + kind + b'","event_id":' + _ENCODER.encode(event_id)


def _check_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def encode_client(event: wire.ClientEventBase) -> bytes:
    """Encode any client event (§4); UNSET and default-valued fields are left out.

    Raises:
        TypeError: ``event`` is not a client event.
    """
    if not isinstance(event, wire.ClientEventBase):
        raise TypeError(f"event must be a client event, not {type(event).__name__}")
    return _ENCODER.encode(event)


def encode_session_update(session: wire.Session, event_id: str | None = None) -> bytes:
    """Encode ``session.update`` (§4.1).

    Raises:
        TypeError: ``session`` is not a :class:`~realtalk.protocol.openai.wire.Session`.
    """
    if not isinstance(session, wire.Session):
        raise TypeError(f"session must be a Session, not {type(session).__name__}")
    return _head(b"session.update", event_id) + b',"session":' + _ENCODER.encode(session) + b"}"


def encode_input_audio_buffer_append(pcm: bytes, event_id: str | None = None) -> bytes:
    """Encode ``input_audio_buffer.append`` (§4.2) with the audio base64-encoded inline.

    Args:
        pcm: Audio in the session's input format (bytes-like).
        event_id: Optional client event id.

    Raises:
        TypeError: ``pcm`` is not bytes-like.
    """
    audio = binascii.b2a_base64(pcm, newline=False)
    return b"".join((_head(b"input_audio_buffer.append", event_id), b',"audio":"', audio, b'"}'))


def encode_input_audio_buffer_append_base64(b64: str | bytes, event_id: str | None = None) -> bytes:
    """Encode ``input_audio_buffer.append`` from audio that is already base64 (§4.2).

    The URL-safe alphabet is translated to the standard one.

    Raises:
        ValueError: ``b64`` holds characters outside the base64 alphabets.
        TypeError: ``b64`` is not str or bytes.
    """
    if isinstance(b64, str):
        raw = b64.encode("ascii", "replace")
    elif isinstance(b64, bytes | bytearray):
        raw = bytes(b64)
    else:
        raise TypeError(f"b64 must be str or bytes, not {type(b64).__name__}")
    raw = raw.translate(_URLSAFE)
    if raw.translate(None, _B64_ALPHABET):
        raise ValueError("b64 is not base64 text")
    return b"".join((_head(b"input_audio_buffer.append", event_id), b',"audio":"', raw, b'"}'))


def encode_input_audio_buffer_commit(event_id: str | None = None) -> bytes:
    """Encode ``input_audio_buffer.commit`` (§4.3)."""
    return _head(b"input_audio_buffer.commit", event_id) + b"}"


def encode_input_audio_buffer_clear(event_id: str | None = None) -> bytes:
    """Encode ``input_audio_buffer.clear`` (§4.4)."""
    return _head(b"input_audio_buffer.clear", event_id) + b"}"


def encode_output_audio_buffer_clear(event_id: str | None = None) -> bytes:
    """Encode ``output_audio_buffer.clear`` (WebRTC/SIP only, §4.11)."""
    return _head(b"output_audio_buffer.clear", event_id) + b"}"


def encode_conversation_item_create(
    item: wire.Item, previous_item_id: str | None = None, event_id: str | None = None
) -> bytes:
    """Encode ``conversation.item.create`` (§4.5).

    Args:
        item: The item (message, function_call, function_call_output, ...).
        previous_item_id: Insert after this item; ``"root"`` = first; None = append.
        event_id: Optional client event id.

    Raises:
        TypeError: An argument of the wrong type.
    """
    if not isinstance(item, wire.ItemBase):
        raise TypeError(f"item must be a conversation item, not {type(item).__name__}")
    head = _head(b"conversation.item.create", event_id)
    if previous_item_id is not None:
        _check_str("previous_item_id", previous_item_id)
        head += b',"previous_item_id":' + _ENCODER.encode(previous_item_id)
    return head + b',"item":' + _ENCODER.encode(item) + b"}"


def encode_conversation_item_retrieve(item_id: str, event_id: str | None = None) -> bytes:
    """Encode ``conversation.item.retrieve`` (§4.6)."""
    item = _ENCODER.encode(_check_str("item_id", item_id))
    return _head(b"conversation.item.retrieve", event_id) + b',"item_id":' + item + b"}"


def encode_conversation_item_delete(item_id: str, event_id: str | None = None) -> bytes:
    """Encode ``conversation.item.delete`` (§4.8)."""
    item = _ENCODER.encode(_check_str("item_id", item_id))
    return _head(b"conversation.item.delete", event_id) + b',"item_id":' + item + b"}"


def encode_conversation_item_truncate(
    item_id: str, content_index: int, audio_end_ms: int, event_id: str | None = None
) -> bytes:
    """Encode ``conversation.item.truncate`` (§4.7).

    Args:
        item_id: The assistant message item.
        content_index: The audio part (0).
        audio_end_ms: Milliseconds of the item's audio that were played (inclusive).
        event_id: Optional client event id.

    Raises:
        TypeError, ValueError: ``content_index`` or ``audio_end_ms`` is not an int >= 0.
    """
    for name, value in (("content_index", content_index), ("audio_end_ms", audio_end_ms)):
        if type(value) is not int:
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    item = _ENCODER.encode(_check_str("item_id", item_id))
    return b'%s,"item_id":%s,"content_index":%d,"audio_end_ms":%d}' % (
        _head(b"conversation.item.truncate", event_id),
        item,
        content_index,
        audio_end_ms,
    )


def encode_response_create(
    response: wire.ResponseCreateParams | None = None, event_id: str | None = None
) -> bytes:
    """Encode ``response.create`` (§4.9), with optional per-response overrides.

    Raises:
        TypeError: ``response`` is not a ResponseCreateParams.
    """
    head = _head(b"response.create", event_id)
    if response is None:
        return head + b"}"
    if not isinstance(response, wire.ResponseCreateParams):
        raise TypeError(f"response must be ResponseCreateParams, not {type(response).__name__}")
    return head + b',"response":' + _ENCODER.encode(response) + b"}"


def encode_response_cancel(response_id: str | None = None, event_id: str | None = None) -> bytes:
    """Encode ``response.cancel`` (§4.10): the default response, or ``response_id``."""
    head = _head(b"response.cancel", event_id)
    if response_id is None:
        return head + b"}"
    return (
        head + b',"response_id":' + _ENCODER.encode(_check_str("response_id", response_id)) + b"}"
    )


# -- items (§3.4) ----------------------------------------------------------------------


def text_message_item(text: str, role: str = "user") -> wire.MessageItem:
    """A message item with one text part (``output_text`` for ``assistant``, else ``input_text``).

    Raises:
        TypeError: ``text`` or ``role`` is not a str.
        ValueError: ``role`` is not ``user``, ``assistant`` or ``system``.
    """
    _check_str("text", text)
    if role not in ("user", "assistant", "system"):
        raise ValueError(f"role must be 'user', 'assistant' or 'system', got {role!r}")
    part: wire.Content
    if role == "assistant":
        part = wire.OutputTextContent(text=text)
    else:
        part = wire.InputTextContent(text=text)
    return wire.MessageItem(role=role, content=[part])


def image_data_url(data: bytes, mime: str) -> str:
    """``data:<mime>;base64,<data>`` for an ``input_image`` part (§3.4).

    Raises:
        TypeError: ``mime`` is not a str or ``data`` is not bytes-like.
        ValueError: ``mime`` is not an ``image/*`` type.
    """
    _check_str("mime", mime)
    if not mime.startswith("image/") or any(c in mime for c in ";, "):
        raise ValueError(f"mime must be an image/* type, got {mime!r}")
    return f"data:{mime};base64,{binascii.b2a_base64(data, newline=False).decode()}"


def input_image_item(data: bytes, mime: str, detail: str | None = None) -> wire.MessageItem:
    """A user message item holding one ``input_image`` (``detail``: auto/low/high)."""
    part = wire.InputImageContent(image_url=image_data_url(data, mime), detail=detail)
    return wire.MessageItem(role="user", content=[part])


def function_call_output_item(call_id: str, output: str) -> wire.FunctionCallOutputItem:
    """A ``function_call_output`` item answering ``call_id`` (§3.4).

    Raises:
        TypeError: ``call_id`` or ``output`` is not a str.
        ValueError: ``call_id`` is empty.
    """
    if not _check_str("call_id", call_id):
        raise ValueError("call_id must not be empty")
    return wire.FunctionCallOutputItem(call_id=call_id, output=_check_str("output", output))


def encode_user_text(text: str, event_id: str | None = None) -> bytes:
    """Encode ``conversation.item.create`` with a user ``input_text`` message (§6.4)."""
    return encode_conversation_item_create(text_message_item(text), event_id=event_id)


def encode_input_image(
    data: bytes, mime: str, detail: str | None = None, event_id: str | None = None
) -> bytes:
    """Encode ``conversation.item.create`` with a user ``input_image`` (data URL)."""
    return encode_conversation_item_create(input_image_item(data, mime, detail), event_id=event_id)


def encode_function_call_output(call_id: str, output: str, event_id: str | None = None) -> bytes:
    """Encode ``conversation.item.create`` with a ``function_call_output`` item (§6.5)."""
    item = function_call_output_item(call_id, output)
    return encode_conversation_item_create(item, event_id=event_id)


# -- server role -----------------------------------------------------------------------


def encode_server(event: wire.ServerEventBase) -> bytes:
    """Encode a server event as the server does (every field, ``null`` included).

    Audio ``bytes`` go out as standard base64. Beta alias classes write the beta
    name (``ResponseAudioDelta`` -> ``response.audio.delta``).

    Raises:
        TypeError: ``event`` is not a server event.
    """
    if not isinstance(event, wire.ServerEventBase):
        raise TypeError(f"event must be a server event, not {type(event).__name__}")
    return _ENCODER.encode(event)
