"""OpenAI Realtime session facts, without I/O: handshake and command encoding.

:class:`OpenAIProtocol` is what the session runner talks to (the
``ProviderProtocol`` of :mod:`realtalk.session.link`). The handshake (§6.1): after
the upgrade the server sends ``session.created``; the protocol answers with
``session.update`` carrying the configured session and the handshake is complete
at the following ``session.updated`` (the decoder emits ``SetupComplete`` then).
OpenAI has no session resumption: every connection starts an empty conversation.

Several provider-neutral commands need more than one client event (a user text is
an item plus ``response.create``); those return ``list[bytes]``, one WebSocket
message per element, to be sent in order. Commands that need one event return
``bytes``; an empty list means there is nothing to send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from realtalk.errors import SetupError
from realtalk.protocol import events as ev
from realtalk.protocol.endpoint import Endpoint
from realtalk.protocol.openai import codec, wire
from realtalk.protocol.openai.endpoints import openai_endpoint
from realtalk.protocol.openai.inputs import (
    b64decode,
    build_session,
    merge,
    to_function_outputs,
    to_items,
)
from realtalk.protocol.openai.pcm import LinearResampler, alaw_encode, ulaw_encode
from realtalk.protocol.secrets import Secret

__all__ = [
    "Frames",
    "OpenAIProtocol",
    "build_session",
    "openai_protocol",
    "to_function_outputs",
    "to_items",
]

#: What a command returns: one message, or several to send in order.
Frames = bytes | list[bytes]


class OpenAIProtocol:
    """The OpenAI side of a session, Sans-I/O.

    Args:
        endpoint: Where and how to connect.
        session: The session configuration sent in ``session.update`` on every
            connection (a :class:`wire.Session` or a mapping in the wire shape).
        event_ids: Generates client ``event_id`` values (default :class:`codec.EventIds`).
        audio_event_ids: Also give ``input_audio_buffer.append`` events an id (off:
            they are never acknowledged and are the bulk of the traffic).

    Raises:
        ConfigError: ``session`` is not a valid session configuration.
    """

    #: Client events are JSON in text frames (§1.1).
    text_frames = True

    def __init__(
        self,
        endpoint: Endpoint,
        session: wire.Session | Mapping[str, Any] | None = None,
        *,
        event_ids: Callable[[], str] | None = None,
        audio_event_ids: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.session = build_session(session)
        #: Builds the endpoint for a fresh credential (set when a token provider is used).
        self.endpoint_for: Callable[[str | None], Endpoint] | None = None
        self.decoder = codec.OpenAIDecoder(self.session)
        #: Decode one server frame (a bound method of :attr:`decoder`; never raises).
        self.decode = self.decoder.feed
        self._next_id = event_ids if event_ids is not None else codec.EventIds()
        self._audio_ids = audio_event_ids
        self._resampler: LinearResampler | None = None
        #: The ``event_id`` of the handshake's ``session.update``.
        self.setup_event_id: str | None = None

    @property
    def input_rate(self) -> int:
        """The sample rate the session takes input audio at (24000 PCM, 8000 G.711)."""
        return codec.audio_format_rate(self.decoder.input_format)

    @property
    def resumption_enabled(self) -> bool:
        """Always False: OpenAI Realtime has no session resumption (§6.1)."""
        return False

    # -- handshake (§6.1) -----------------------------------------------------------
    def opening_frames(self, handle: str | None = None) -> list[bytes]:
        """Nothing is sent before ``session.created``; resets the per-connection state.

        Args:
            handle: Ignored (no resumption).
        """
        self.decoder.reset()
        self._resampler = None
        self.setup_event_id = None
        return []

    def handshake_event(self, event: ev.Event) -> tuple[bool, list[bytes]]:
        """Feed one event received during the handshake.

        Returns:
            ``(done, frames)``: ``session.created`` -> send ``session.update``;
            ``SetupComplete`` (the first ``session.updated``) -> done.

        Raises:
            SetupError: The server reported an error before the session was ready
                (bad key, rejected configuration, beta interface refused, ...).
        """
        if isinstance(event, ev.SetupComplete):
            return True, []
        if isinstance(event, ev.SessionUpdated) and event.created:
            self.setup_event_id = self._next_id()
            return False, [codec.encode_session_update(self.session, self.setup_event_id)]
        if isinstance(event, ev.Error) and event.code != "malformed":
            where = f" (param {event.param})" if event.param else ""
            raise SetupError(f"{event.code}: {event.message}{where}")
        return False, []

    # -- audio (§4.2, §7) -------------------------------------------------------------
    def _audio_id(self) -> str | None:
        return self._next_id() if self._audio_ids else None

    def audio(self, pcm: bytes, rate: int) -> Frames:
        """``input_audio_buffer.append`` for 16-bit PCM at ``rate``.

        The audio is resampled to the session's input rate (24 kHz PCM, or 8 kHz
        G.711) with a streaming linear resampler and G.711-encoded when the session's
        input format asks for it.

        Raises:
            TypeError: ``pcm`` is not bytes-like.
            ValueError: ``pcm`` holds a partial sample, or ``rate`` is not a positive int.
        """
        fmt = self.decoder.input_format
        target = codec.audio_format_rate(fmt)
        if rate == target and type(rate) is int:
            if len(pcm) % 2:
                raise ValueError("pcm must hold whole 16-bit samples (an even number of bytes)")
            data = pcm
        else:
            resampler = self._resampler
            if resampler is None or resampler.src != rate or resampler.dst != target:
                resampler = self._resampler = LinearResampler(rate, target)
            data = resampler.process(pcm)
            if not data:
                return []
        if fmt.type == wire.AUDIO_PCMU:
            data = ulaw_encode(data)
        elif fmt.type == wire.AUDIO_PCMA:
            data = alaw_encode(data)
        return codec.encode_input_audio_buffer_append(data, self._audio_id())

    def audio_base64(self, data: str | bytes, rate: int) -> Frames:
        """Like :meth:`audio` for base64 PCM; passed through untouched at the session rate.

        Raises:
            ValueError: ``data`` is not base64, or ``rate`` is not a positive int.
        """
        fmt = self.decoder.input_format
        if fmt.type == wire.AUDIO_PCM and rate == codec.audio_format_rate(fmt):
            return codec.encode_input_audio_buffer_append_base64(data, self._audio_id())
        return self.audio(b64decode(data), rate)

    # -- other input ------------------------------------------------------------------
    def video(self, data: bytes, mime: str) -> Frames:
        """``conversation.item.create`` with a user ``input_image`` (data URL)."""
        return codec.encode_input_image(data, mime, event_id=self._next_id())

    def text(self, text: str) -> Frames:
        """A user ``input_text`` item, then ``response.create`` (§6.4)."""
        return [
            codec.encode_user_text(text, event_id=self._next_id()),
            codec.encode_response_create(event_id=self._next_id()),
        ]

    def client_content(self, turns: object, turn_complete: bool) -> Frames:
        """One ``conversation.item.create`` per turn (+ ``response.create`` when complete)."""
        frames = [
            codec.encode_conversation_item_create(item, event_id=self._next_id())
            for item in to_items(turns)
        ]
        if turn_complete:
            frames.append(codec.encode_response_create(event_id=self._next_id()))
        return frames

    def activity_start(self) -> Frames:
        """Manual turn start (§6.3): cancel the running response if any, clear the buffer."""
        frames = []
        if self.decoder.active_response_id is not None:
            frames.append(codec.encode_response_cancel(event_id=self._next_id()))
        frames.append(codec.encode_input_audio_buffer_clear(self._next_id()))
        return frames

    def activity_end(self) -> Frames:
        """Manual turn end (§6.3): commit the buffer, then ``response.create``."""
        return [
            codec.encode_input_audio_buffer_commit(self._next_id()),
            codec.encode_response_create(event_id=self._next_id()),
        ]

    def audio_stream_end(self) -> Frames:
        """``input_audio_buffer.commit``."""
        return codec.encode_input_audio_buffer_commit(self._next_id())

    def tool_response(self, responses: object) -> tuple[Frames, list[str]]:
        """``function_call_output`` items plus one ``response.create`` (§6.5).

        Returns:
            The frames and the call ids they answer.
        """
        items, respond = to_function_outputs(responses)
        frames = [
            codec.encode_conversation_item_create(item, event_id=self._next_id()) for item in items
        ]
        if respond:
            frames.append(codec.encode_response_create(event_id=self._next_id()))
        return frames, [item.call_id for item in items]

    def raw(self, message: object) -> bytes:
        """Encode an escape-hatch message: a client event, a mapping, or JSON text.

        Raises:
            TypeError: Any other type, or a mapping that is not JSON-serializable.
        """
        if isinstance(message, wire.ClientEventBase):
            return codec.encode_client(message)
        if isinstance(message, Mapping):
            try:
                return msgspec.json.encode(message)
            except (TypeError, msgspec.EncodeError) as exc:
                raise TypeError(f"message is not JSON-serializable: {exc}") from None
        if isinstance(message, str):
            return message.encode()
        if isinstance(message, bytes | bytearray):
            return bytes(message)
        raise TypeError(
            f"message must be a client event, a mapping or JSON text, not {type(message).__name__}"
        )

    # -- OpenAI-specific commands (ARCHITECTURE §3) -----------------------------------
    def commit_audio(self) -> bytes:
        """``input_audio_buffer.commit``."""
        return codec.encode_input_audio_buffer_commit(self._next_id())

    def clear_audio(self) -> bytes:
        """``input_audio_buffer.clear``."""
        return codec.encode_input_audio_buffer_clear(self._next_id())

    def create_response(self, options: wire.ResponseCreateParams | None = None) -> bytes:
        """``response.create``, optionally with per-response overrides."""
        return codec.encode_response_create(options, event_id=self._next_id())

    def cancel_response(self, response_id: str | None = None) -> bytes:
        """``response.cancel`` (the default-conversation response unless ``response_id``)."""
        return codec.encode_response_cancel(response_id, event_id=self._next_id())

    def truncate(self, item_id: str, content_index: int, audio_end_ms: int) -> bytes:
        """``conversation.item.truncate`` after a barge-in (§6.6).

        ``audio_end_ms`` is clamped to the audio actually received for the item, so
        the server's "already shorter than" error cannot happen.
        """
        received = self.decoder.audio_received_ms(item_id, content_index)
        end = max(0, min(audio_end_ms, received))
        return codec.encode_conversation_item_truncate(
            item_id, content_index, end, event_id=self._next_id()
        )

    def context_update(self, update: object) -> bytes:
        """``session.update``: OpenAI changes any setting on the open connection.

        Raises:
            TypeError, ConfigError: ``update`` is not a valid session change.
        """
        if not isinstance(update, (Mapping, wire.Session)):
            raise TypeError(f"update must be a mapping, not {type(update).__name__}")
        return self.update_session(update)

    def reconfigure(self, update: object) -> None:
        """Keep ``update`` for later connections (already done by :meth:`context_update`)."""
        if not isinstance(update, (Mapping, wire.Session)):
            raise TypeError(f"update must be a mapping, not {type(update).__name__}")
        self.update_session(update)

    @staticmethod
    def instructions_update(text: str) -> dict[str, Any]:
        """The update that replaces the instructions."""
        return {"instructions": text}

    def restoration(self) -> tuple[list[bytes], bool] | None:
        """Frames re-creating the conversation on a new connection (OpenAI cannot resume).

        Returns:
            ``(frames, complete)``: one ``conversation.item.create`` per confirmed item,
            and False when audio had to be replaced by transcripts; None when there is
            nothing to restore.
        """
        restoration = self.decoder.items.restoration()
        if not restoration.items:
            return None
        frames = [
            codec.encode_conversation_item_create(item, event_id=self._next_id())
            for item in restoration.items
        ]
        return frames, restoration.complete

    def restoration_sent(self) -> None:
        """The restoration went out whole: the new connection confirms the items anew."""
        self.decoder.items.clear()

    def interrupt(self) -> Frames | None:
        """``response.cancel`` for the running response; None when none is running."""
        response = self.decoder.active_response_id
        return None if response is None else self.cancel_response(response)

    def update_session(self, update: wire.Session | Mapping[str, Any]) -> bytes:
        """``session.update`` with ``update``; the change is kept for later connections.

        Raises:
            ConfigError: ``update`` is not a valid session configuration.
            TypeError: ``update`` has the wrong type.
        """
        partial = build_session(update)
        merged = merge(msgspec.to_builtins(self.session), msgspec.to_builtins(partial))
        self.session = build_session(merged)
        return codec.encode_session_update(partial, event_id=self._next_id())


def openai_protocol(
    model: str,
    *,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    session: wire.Session | Mapping[str, Any] | None = None,
    organization: str | None = None,
    project: str | None = None,
    beta: bool = False,
    event_ids: Callable[[], str] | None = None,
) -> OpenAIProtocol:
    """Build an :class:`OpenAIProtocol` whose ``endpoint_for`` rebuilds the endpoint
    with a fresh credential (for token providers: API keys or ephemeral ``ek_`` keys).

    Raises:
        ValueError: An invalid endpoint argument.
        ConfigError: An invalid session configuration.
    """

    def build(credential: str | None) -> Endpoint:
        key: str | Secret | None = credential if credential is not None else api_key
        return openai_endpoint(
            model=model,
            api_key=key,
            base_url=base_url,
            organization=organization,
            project=project,
            beta=beta,
        )

    protocol = OpenAIProtocol(build(None), session, event_ids=event_ids)
    protocol.endpoint_for = build
    return protocol
