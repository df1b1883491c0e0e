"""Gemini Live session facts, without I/O: setup, handshake, and command encoding.

:class:`GeminiProtocol` is what the session runner talks to. It knows how to
build and validate the ``setup`` message (gemini-live.md §4.1), when the
handshake is complete (§3: the first server message is ``setupComplete``), and
how each provider-neutral send command becomes wire bytes (§4.2-§4.5). The runner
itself never branches on the provider.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import msgspec

from realtalk.errors import ConfigError, ProtocolError
from realtalk.protocol.capabilities_table import Feature, supports
from realtalk.protocol.events import Event, SetupComplete
from realtalk.protocol.gemini import codec, wire
from realtalk.protocol.gemini.endpoints import Endpoint

__all__ = ["GeminiProtocol", "build_setup", "to_content_list", "to_function_responses"]


def build_setup(model: str, config: wire.Setup | Mapping[str, Any] | None) -> wire.Setup:
    """Validate ``config`` and return the setup message for ``model``.

    Args:
        model: The model resource name (already in the platform's form).
        config: A :class:`wire.Setup`, a mapping in the wire shape (camelCase or
            snake_case keys, as in gemini-live.md §4.1; ``model`` may be omitted),
            or None for the defaults.

    Raises:
        ConfigError: The config is not a valid setup; the message names the field.
        TypeError: ``config`` has the wrong type.
    """
    if config is None:
        return wire.Setup(model=model)
    if isinstance(config, wire.Setup):
        return msgspec.structs.replace(config, model=model)
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a realtalk Setup or a mapping, not {type(config).__name__}"
        )
    payload = dict(config)
    payload["model"] = model
    try:
        frame = msgspec.json.encode({"setup": payload})
    except (TypeError, msgspec.EncodeError) as exc:
        raise ConfigError(f"config is not JSON-serializable: {exc}") from None
    try:
        message = codec.decode_client(frame, strict=True)
    except ProtocolError as exc:
        raise ConfigError(f"invalid config: {exc.reason}") from None
    assert message.setup is not None
    return message.setup


def to_content_list(turns: object) -> list[wire.Content]:
    """Normalise the ``turns`` argument of ``send_client_content``.

    Accepts a str (one user text turn), a :class:`wire.Content`, a mapping in the
    wire shape, or a sequence of those.

    Raises:
        TypeError: An element of an unsupported type.
        ValueError: A mapping that is not valid content.
    """
    if isinstance(turns, (str, wire.Content, Mapping)):
        turns = [turns]
    if not isinstance(turns, Sequence) or isinstance(turns, (bytes, bytearray)):
        raise TypeError(
            f"turns must be a str, Content, mapping or a list of them, not {type(turns).__name__}"
        )
    result: list[wire.Content] = []
    for turn in turns:
        if isinstance(turn, str):
            result.append(wire.Content(role="user", parts=[wire.Part(text=turn)]))
        elif isinstance(turn, wire.Content):
            result.append(turn)
        elif isinstance(turn, Mapping):
            try:
                result.append(msgspec.convert(turn, wire.Content))
            except msgspec.ValidationError as exc:
                raise ValueError(f"turns: invalid content: {exc}") from None
        else:
            raise TypeError(f"turns: unsupported element type {type(turn).__name__}")
    return result


def to_function_responses(responses: object) -> list[wire.FunctionResponse]:
    """Normalise the ``responses`` argument of ``send_tool_response``.

    Accepts a :class:`wire.FunctionResponse`, a mapping with ``id``, ``name`` and
    ``response``, or a sequence of those. A non-object ``response`` is wrapped as
    ``{"output": value}`` (the convention of gemini-live.md §4.4).

    Raises:
        TypeError: An element of an unsupported type.
        ValueError: A response without a name, or one that is not valid.
    """
    if isinstance(responses, (wire.FunctionResponse, Mapping)):
        responses = [responses]
    if not isinstance(responses, Sequence) or isinstance(responses, (str, bytes)):
        raise TypeError(
            f"responses must be a FunctionResponse, a mapping or a list of them, "
            f"not {type(responses).__name__}"
        )
    if not responses:
        raise ValueError("responses must not be empty")
    result: list[wire.FunctionResponse] = []
    for item in responses:
        if isinstance(item, Mapping):
            data = dict(item)
            if "response" in data and not isinstance(data["response"], Mapping):
                data["response"] = {"output": data["response"]}
            try:
                item = msgspec.convert(data, wire.FunctionResponse)
            except msgspec.ValidationError as exc:
                raise ValueError(f"responses: invalid function response: {exc}") from None
        if not isinstance(item, wire.FunctionResponse):
            raise TypeError(f"responses: unsupported element type {type(item).__name__}")
        if not item.name:
            raise ValueError("responses: every function response needs a name")
        result.append(item)
    return result


class GeminiProtocol:
    """The Gemini side of a session, Sans-I/O.

    Args:
        endpoint: Where and how to connect.
        setup: The validated setup message sent first on every connection.
    """

    #: Client frames are JSON in text frames (gemini-live.md §2.1).
    text_frames = True
    #: Microphone audio's native rate (§6.4); other rates are declared in the MIME type.
    input_rate = codec.INPUT_SAMPLE_RATE

    def __init__(self, endpoint: Endpoint, setup: wire.Setup) -> None:
        self.endpoint = endpoint
        self.setup = setup
        #: Builds the endpoint for a fresh credential (set when a token provider is used).
        self.endpoint_for: Callable[[str | None], Endpoint] | None = None

    @property
    def resumption_enabled(self) -> bool:
        """True when the setup asks for session resumption (§6.8)."""
        return self.setup.session_resumption is not None

    # -- handshake (§3) -------------------------------------------------------------
    def opening_frames(self, handle: str | None = None) -> list[bytes]:
        """Frames to send right after the connection opens: the setup.

        Args:
            handle: Resume the session with this handle; ``historyConfig`` is then
                left out (history can only be seeded into a new session).
        """
        setup = self.setup
        if handle is not None:
            resumption = setup.session_resumption or wire.SessionResumptionConfig()
            setup = msgspec.structs.replace(
                setup,
                session_resumption=msgspec.structs.replace(resumption, handle=handle),
                history_config=None,
            )
        return [codec.encode_setup(setup)]

    def handshake_event(self, event: Event) -> tuple[bool, list[bytes]]:
        """Feed one event received during the handshake.

        Returns:
            ``(done, frames)``: whether the session is ready, and frames to send.
        """
        return isinstance(event, SetupComplete), []

    # -- receive ------------------------------------------------------------------------
    decode = staticmethod(codec.decode_server)

    # -- send commands (§4.2-§4.5) ---------------------------------------------------
    @staticmethod
    def audio(pcm: bytes, rate: int) -> bytes:
        return codec.encode_audio(pcm, rate)

    @staticmethod
    def audio_base64(data: str | bytes, rate: int) -> bytes:
        return codec.encode_audio_base64(data, rate)

    @staticmethod
    def video(data: bytes, mime: str) -> bytes:
        return codec.encode_video(data, mime)

    @staticmethod
    def text(text: str) -> bytes:
        return codec.encode_text(text)

    @staticmethod
    def client_content(turns: object, turn_complete: bool) -> bytes:
        return codec.encode_client_content(to_content_list(turns), turn_complete)

    @staticmethod
    def activity_start() -> bytes:
        return codec.encode_activity_start()

    @staticmethod
    def activity_end() -> bytes:
        return codec.encode_activity_end()

    @staticmethod
    def audio_stream_end() -> bytes:
        return codec.encode_audio_stream_end()

    @staticmethod
    def tool_response(responses: object) -> tuple[bytes, list[str]]:
        """Encode function responses; also returns the call ids they answer."""
        items = to_function_responses(responses)
        return codec.encode_tool_response(items), [r.id for r in items if r.id]

    # -- changing the configuration mid-session (§3, §4.5) ----------------------------------
    #: Setup fields ``contextUpdate`` can change on an open connection.
    CONTEXT_FIELDS = frozenset({"systemInstruction", "system_instruction", "tools"})

    @property
    def supports_context_update(self) -> bool:
        """Whether the model takes ``contextUpdate`` (the capability table; §4.5)."""
        platform: Literal["ai_studio", "vertex"] = (
            "vertex" if self.endpoint.platform == "vertex" else "ai_studio"
        )
        return supports("gemini", self.setup.model, platform, Feature.CONTEXT_UPDATE)

    def merged_setup(self, update: object) -> wire.Setup:
        """The current setup with ``update`` (a wire-shaped mapping) merged in, validated.

        Raises:
            TypeError: ``update`` is not a mapping.
            ConfigError: The result is not a valid setup.
        """
        if not isinstance(update, Mapping):
            raise TypeError(f"update must be a mapping, not {type(update).__name__}")
        current = msgspec.json.decode(codec.encode_setup(self.setup))["setup"]
        return build_setup(self.setup.model, {**current, **dict(update)})

    def context_update(self, update: object) -> bytes | None:
        """``contextUpdate`` frames applying ``update`` now, or None when it needs a new
        setup (the model does not take ``contextUpdate``, or other fields change).

        Raises:
            TypeError, ConfigError: ``update`` is not a valid setup change.
        """
        merged = self.merged_setup(update)
        assert isinstance(update, Mapping)
        if not self.supports_context_update or not set(update) <= self.CONTEXT_FIELDS:
            return None
        tools = wire.ToolsWrapper(tools=merged.tools or []) if "tools" in update else None
        change = wire.ContextUpdate(
            system_instruction=merged.system_instruction
            if set(update) & {"systemInstruction", "system_instruction"}
            else None,
            tools=tools,
        )
        self.setup = merged
        return codec.encode_context_update(change)

    def reconfigure(self, update: object) -> None:
        """Use ``update`` for the next connection's setup (see :meth:`context_update`)."""
        self.setup = self.merged_setup(update)

    @staticmethod
    def instructions_update(text: str) -> dict[str, Any]:
        """The update that replaces the system instruction."""
        return {"systemInstruction": {"parts": [{"text": text}]}}

    # -- the provider-neutral commands of the RealtimeSession contract ---------------------
    @staticmethod
    def restoration() -> None:
        """Gemini resumes server-side with a handle; nothing to rebuild client-side."""
        return None

    @staticmethod
    def restoration_sent() -> None:
        """Nothing to do (see :meth:`restoration`)."""

    @staticmethod
    def commit_audio() -> None:
        """Gemini has no input buffer to commit: audio is consumed as it streams."""
        return None

    @staticmethod
    def clear_audio() -> None:
        """Gemini has no input buffer to clear."""
        return None

    @staticmethod
    def create_response() -> bytes:
        """Ask for a reply from what was sent so far: ``clientContent{turnComplete}``."""
        return codec.encode_client_content([], True)

    def interrupt(self) -> bytes | None:
        """Manual VAD: ``activityStart`` cuts the model off. Automatic VAD: nothing to
        send (the server interrupts on detected speech, §6.3)."""
        config = self.setup.realtime_input_config
        detection = config.automatic_activity_detection if config is not None else None
        manual = detection is not None and bool(detection.disabled)
        return codec.encode_activity_start() if manual else None

    @staticmethod
    def truncate(item_id: str, content_index: int, audio_end_ms: int) -> None:
        """Nothing to send: after an interruption Gemini keeps only what it had sent."""
        return None

    @staticmethod
    def raw(message: object) -> bytes:
        """Encode an escape-hatch message: a ``wire.ClientMessage``, a mapping, or JSON text.

        Raises:
            TypeError: Any other type, or a mapping that is not JSON-serializable.
        """
        if isinstance(message, wire.ClientMessage):
            return codec.encode_client(message)
        if isinstance(message, Mapping):
            try:
                return msgspec.json.encode(message)
            except (TypeError, msgspec.EncodeError) as exc:
                raise TypeError(f"message is not JSON-serializable: {exc}") from None
        if isinstance(message, str):
            return message.encode()
        if isinstance(message, (bytes, bytearray)):
            return bytes(message)
        raise TypeError(
            f"message must be a ClientMessage, a mapping or JSON text, not {type(message).__name__}"
        )
