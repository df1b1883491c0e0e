"""The public wire session: :func:`connect` and :class:`Session`.

A :class:`Session` is a thin handle on a shared runner (see
:mod:`realtalk.session.runner`). Each handle owns one cursor into the session's
event ring; :meth:`Session.clone` makes another handle with its own cursor, and
:meth:`Session.events` makes an independent iterator. All handles share the
connection; closing any of them closes the session for all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Mapping
from types import TracebackType
from typing import Any

from realtalk.protocol.events import Event, Lagged
from realtalk.protocol.gemini import wire
from realtalk.protocol.secrets import Secret
from realtalk.session.contracts import Applied, ContextMutationOutcome, RequiresResumption
from realtalk.session.link import Frames, ProviderProtocol
from realtalk.session.options import SessionOptions
from realtalk.session.outbox import Kind
from realtalk.session.providers import api_key_arg, gemini_protocol, openai_protocol_for, secret
from realtalk.session.recording import Recorder
from realtalk.session.ring import Cursor
from realtalk.session.runner import Runner, SessionStatistics
from realtalk.session.state import SessionStatus
from realtalk.transport import NativeConnector

__all__ = ["Session", "connect"]

_PROVIDERS = ("gemini", "openai")
_MIN_RATE, _MAX_RATE = 8000, 192000


def _bytes_arg(name: str, value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{name} must be bytes-like, not {type(value).__name__}")


def _rate_arg(rate: object) -> int:
    if isinstance(rate, bool) or not isinstance(rate, int):
        raise TypeError(f"rate must be an int, not {type(rate).__name__}")
    if not _MIN_RATE <= rate <= _MAX_RATE:
        raise ValueError(f"rate must be between {_MIN_RATE} and {_MAX_RATE} Hz, got {rate}")
    return rate


class EventIterator:
    """An async iterator over a session's events with its own cursor.

    Yields every event including :class:`~realtalk.protocol.events.Lagged`, and
    stops after the session's :class:`~realtalk.protocol.events.Closed` event.
    """

    __slots__ = ("_cursor",)

    def __init__(self, cursor: Cursor) -> None:
        self._cursor = cursor

    def __aiter__(self) -> EventIterator:
        return self

    async def __anext__(self) -> Event:
        cursor = self._cursor
        event = cursor.poll()  # an event already there costs no extra coroutine
        if event is None:
            event = await cursor.next()
            if event is None:
                raise StopAsyncIteration
        return event


class Session:
    """A live session with a realtime model (one connection at a time).

    Create with :func:`realtalk.connect`. Every ``send_*`` method raises
    :class:`~realtalk.errors.SessionClosed` once the session is closed, and
    :class:`TypeError` / :class:`ValueError` naming the parameter on bad input.
    Cancelling a send is safe: a message is either sent whole or not at all.
    """

    __slots__ = ("_cursor", "_runner")

    def __init__(self, runner: Runner, cursor: Cursor) -> None:
        self._runner = runner
        self._cursor = cursor

    def __repr__(self) -> str:
        return f"<Session {self.session_id} {self.status.name}>"

    # -- state ------------------------------------------------------------------------
    @property
    def status(self) -> SessionStatus:
        """CONNECTING, CONNECTED, RECONNECTING or CLOSED."""
        return self._runner.status

    @property
    def is_connected(self) -> bool:
        """True while the session has a live connection."""
        return self._runner.status is SessionStatus.CONNECTED

    @property
    def session_id(self) -> str | None:
        """The server's session id when it sends one, else a local id."""
        return self._runner.session_id

    # -- sending (ARCHITECTURE §3) -------------------------------------------------------
    async def send_audio(
        self, pcm: bytes | bytearray | memoryview, *, rate: int | None = None
    ) -> None:
        """Stream a chunk of microphone audio: 16-bit little-endian mono PCM at ``rate`` Hz.

        ``rate`` defaults to the provider's native input rate (Gemini 16 kHz, OpenAI
        the session's input format, 24 kHz by default); other rates are declared to
        Gemini in the MIME type and resampled for OpenAI.

        Raises:
            TypeError: ``pcm`` is not bytes-like or ``rate`` is not an int.
            ValueError: ``pcm`` holds a partial sample, or ``rate`` is out of range.
            SessionClosed: The session is closed.
        """
        data = _bytes_arg("pcm", pcm)
        if len(data) % 2:
            raise ValueError("pcm must hold whole 16-bit samples (an even number of bytes)")
        protocol = self._runner.protocol
        hz = protocol.input_rate if rate is None else _rate_arg(rate)
        await self._runner.send(Kind.AUDIO, protocol.audio(data, hz))

    async def send_audio_base64(self, data: str | bytes, *, rate: int | None = None) -> None:
        """Stream audio that is already base64-encoded PCM (no re-encoding).

        Raises:
            TypeError: ``data`` is not str or bytes.
            SessionClosed: The session is closed.
        """
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
        protocol = self._runner.protocol
        frame = protocol.audio_base64(
            data, protocol.input_rate if rate is None else _rate_arg(rate)
        )
        await self._runner.send(Kind.AUDIO, frame)

    async def send_video(
        self, frame: bytes | bytearray | memoryview, *, mime: str = "image/jpeg"
    ) -> None:
        """Send one video frame as an encoded image (JPEG or PNG, about 1 frame/s).

        Raises:
            TypeError: ``frame`` is not bytes-like.
            ValueError: ``mime`` is not an ``image/*`` type.
            SessionClosed: The session is closed.
        """
        data = _bytes_arg("frame", frame)
        if not isinstance(mime, str) or not mime.startswith("image/"):
            raise ValueError(f"mime must be an image/* type, got {mime!r}")
        await self._runner.send(Kind.VIDEO, self._runner.protocol.video(data, mime))

    async def send_text(self, text: str) -> None:
        """Send text on the realtime input channel (triggers a reply under automatic VAD).

        Raises:
            TypeError: ``text`` is not a str.
            ValueError: ``text`` is empty.
            SessionClosed: The session is closed.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if not text:
            raise ValueError("text must not be empty")
        await self._runner.send(Kind.TEXT, self._runner.protocol.text(text))

    async def send_client_content(self, turns: Any, *, turn_complete: bool = True) -> None:
        """Append turns to the conversation (ordered, interrupts generation).

        Args:
            turns: A str (one user turn), a ``Content``, a wire-shaped mapping, or a list.
            turn_complete: True to start generating from the accumulated prompt.

        Raises:
            TypeError: ``turns`` or ``turn_complete`` has the wrong type.
            ValueError: A turn is not valid content.
            SessionClosed: The session is closed.
        """
        if not isinstance(turn_complete, bool):
            raise TypeError("turn_complete must be a bool")
        frame = self._runner.protocol.client_content(turns, turn_complete)
        await self._runner.send(Kind.CONTENT if turn_complete else Kind.PARTIAL_CONTENT, frame)

    async def activity_start(self) -> None:
        """Manual VAD: the user started speaking."""
        await self._runner.send(Kind.CONTROL, self._runner.protocol.activity_start())

    async def activity_end(self) -> None:
        """Manual VAD: the user stopped speaking (ends the user turn)."""
        await self._runner.send(Kind.CONTROL, self._runner.protocol.activity_end())

    async def audio_stream_end(self) -> None:
        """Automatic VAD: the microphone paused; the server flushes buffered audio."""
        await self._runner.send(Kind.CONTROL, self._runner.protocol.audio_stream_end())

    async def send_tool_response(self, responses: Any) -> None:
        """Answer function calls.

        Args:
            responses: A ``FunctionResponse``, a mapping ``{"id", "name", "response"}``
                or a list of them. A non-object ``response`` is sent as ``{"output": value}``.

        Raises:
            TypeError, ValueError: Malformed responses.
            SessionClosed: The session is closed.
        """
        frame, ids = self._runner.protocol.tool_response(responses)
        await self._runner.send(Kind.TOOL_RESPONSE, frame, ids)

    async def send_raw(self, message: Any) -> None:
        """Send a provider wire message as is: a ``ClientMessage``, a mapping, or JSON text.

        Raises:
            TypeError: The message cannot be encoded.
            SessionClosed: The session is closed.
        """
        await self._runner.send(Kind.RAW, self._runner.protocol.raw(message))

    # -- the RealtimeSession contract (seed 003) --------------------------------------------
    async def _command(self, kind: Kind, frames: Frames | None) -> None:
        if frames is None:  # nothing to send on this provider (documented per method)
            if self._runner.status is SessionStatus.CLOSED:
                raise self._runner.closed_error()
            return
        await self._runner.send(kind, frames)

    async def commit_audio(self) -> None:
        """End the user's audio input (OpenAI ``input_audio_buffer.commit``).

        Gemini has no input buffer: a no-op (use :meth:`activity_end` with manual VAD).
        """
        await self._command(Kind.CONTROL, self._runner.protocol.commit_audio())

    async def clear_audio(self) -> None:
        """Drop uncommitted input audio (OpenAI ``input_audio_buffer.clear``; Gemini: no-op)."""
        await self._command(Kind.CONTROL, self._runner.protocol.clear_audio())

    async def create_response(self) -> None:
        """Ask the model to answer now (OpenAI ``response.create``; Gemini
        ``clientContent{turnComplete: true}``)."""
        await self._command(Kind.CONTROL, self._runner.protocol.create_response())

    async def interrupt(self) -> None:
        """Cut the model off: OpenAI ``response.cancel`` for the running response;
        Gemini with manual VAD ``activityStart``. With Gemini's automatic VAD the
        server interrupts on speech and there is nothing to send (a no-op)."""
        await self._command(Kind.CONTROL, self._runner.protocol.interrupt())

    async def truncate(self, item_id: str, audio_end_ms: int, *, content_index: int = 0) -> None:
        """After a barge-in, cut an assistant audio item to what the listener heard.

        OpenAI ``conversation.item.truncate``, with ``audio_end_ms`` clamped to the
        audio actually received for the item (the "already shorter than" error cannot
        happen). Gemini keeps only what it had sent already: a no-op.

        Raises:
            TypeError, ValueError: Bad arguments.
        """
        if not isinstance(item_id, str) or not item_id:
            raise ValueError("item_id must be a non-empty str")
        for name, value in (("audio_end_ms", audio_end_ms), ("content_index", content_index)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int")
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        frames = self._runner.protocol.truncate(item_id, content_index, audio_end_ms)
        await self._command(Kind.CONTROL, frames)

    async def mutate_context(self, update: Any) -> ContextMutationOutcome:
        """Change the session's configuration mid-flight.

        OpenAI applies any change with ``session.update`` → :class:`Applied`. Gemini
        models that take ``contextUpdate`` (3.x) apply a new system instruction or
        tools the same way; anything else returns :class:`RequiresResumption`, whose
        ``config`` :meth:`apply` installs on a new connection.

        Args:
            update: Provider-native fields to change (a wire-shaped mapping: a Gemini
                setup subset or an OpenAI session subset).

        Raises:
            TypeError, ConfigError: ``update`` is not a valid change (nothing is sent).
            SessionClosed: The session is closed.
        """
        frames = self._runner.protocol.context_update(update)
        if frames is None:
            return RequiresResumption(update)
        await self._runner.send(Kind.CONTROL, frames)
        return Applied()

    async def apply(self, config: Any, *, within: float = 10.0) -> None:
        """Install ``config`` by switching to a new connection that resumes the session.

        The switch waits for a safe point (the model's turn is over and covered by a
        resumption handle, no call unanswered) but at most ``within`` seconds; it shows
        as ``Reconnecting(cause="reconfigure")`` then ``Resumed`` (``ResumedFresh``
        without a usable handle). Returns once the new connection is ready.

        Raises:
            TypeError, ConfigError: ``config`` is not a valid change (nothing happens).
            SessionClosed: The session ended first.
        """
        if isinstance(within, bool) or not isinstance(within, (int, float)) or within < 0:
            raise ValueError("within must be a number of seconds >= 0")
        self._runner.protocol.reconfigure(config)
        await self._runner.hop("reconfigure", float(within))

    async def update_instruction(self, instruction: str) -> None:
        """Replace the system instruction, on the open connection where the provider
        allows it, else through :meth:`apply`."""
        if not isinstance(instruction, str):
            raise TypeError(f"instruction must be a str, not {type(instruction).__name__}")
        update = self._runner.protocol.instructions_update(instruction)
        outcome = await self.mutate_context(update)
        if isinstance(outcome, RequiresResumption):
            await self.apply(outcome.config)

    async def send_event(self, event: Any) -> None:
        """Alias of :meth:`send_raw` (the contract's name)."""
        await self.send_raw(event)

    # -- the SessionWriter contract (seed 004) -----------------------------------------------
    async def signal_activity_start(self) -> None:
        """Alias of :meth:`activity_start`."""
        await self.activity_start()

    async def signal_activity_end(self) -> None:
        """Alias of :meth:`activity_end`."""
        await self.activity_end()

    async def disconnect(self) -> None:
        """Alias of :meth:`close`."""
        await self.close()

    # -- receiving ------------------------------------------------------------------------
    def events(self) -> EventIterator:
        """A new independent iterator over this session's events.

        It starts where this handle's cursor is now (a fresh session: at its
        first event) and yields every event, :class:`Lagged` included, until
        :class:`Closed`. Iterators never steal events from each other.
        """
        return EventIterator(self._cursor.copy())

    def __aiter__(self) -> AsyncIterator[Event]:
        return self.events()

    async def next_event(self) -> Event | None:
        """The next event on this handle's cursor; None once closed and drained.

        Lag notifications are skipped (see :meth:`next_observed_event`).
        Safe to cancel: no event is lost.
        """
        while True:
            event = await self._cursor.next()
            if not isinstance(event, Lagged):
                return event

    async def next_observed_event(self) -> Event | None:
        """Like :meth:`next_event`, but returns :class:`Lagged(count)` when events were lost."""
        return await self._cursor.next()

    def statistics(self) -> SessionStatistics:
        """Queue depths and counters: ring, this handle's unread events, outbox,
        reconnects, replayed and dropped messages, last ping round trip."""
        return self._runner.statistics(unread=self._cursor.pending)

    def clone(self) -> Session:
        """Another handle on the same session with its own cursor at this handle's position."""
        return Session(self._runner, self._cursor.copy())

    # -- closing ------------------------------------------------------------------------
    async def close(self) -> None:
        """Close the session for every handle and wait until it is done. Idempotent.

        Safe to cancel: the session still ends.
        """
        await self._runner.close()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class _Connect:
    """What :func:`connect` returns: await it, or use it with ``async with``."""

    __slots__ = ("_runner", "_session")

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self._session: Session | None = None

    async def _open(self) -> Session:
        cursor = self._runner.ring.cursor(0)
        await self._runner.open()
        self._session = Session(self._runner, cursor)
        return self._session

    def __await__(self) -> Generator[Any, None, Session]:
        return self._open().__await__()

    async def __aenter__(self) -> Session:
        return await self._open()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()


def connect(
    provider: str,
    *,
    model: str,
    url: str | None = None,
    api_key: str | Secret | None = None,
    config: wire.Setup | Mapping[str, Any] | None = None,
    **options: Any,
) -> _Connect:
    """Open a live session.

    Use as ``session = await realtalk.connect(...)`` or
    ``async with realtalk.connect(...) as session:``. Returns once the setup
    handshake has completed. Arguments are validated at once, before any I/O.

    Args:
        provider: ``"gemini"`` or ``"openai"``.
        model: The model id (``gemini-...``), or a full name (``models/...``; on
            Vertex ``projects/.../models/...``).
        url: Base URL override (e.g. the emulator's ``ws://127.0.0.1:PORT``); the
            provider path is appended when the URL has none.
        api_key: API key; defaults to ``GEMINI_API_KEY`` / ``GOOGLE_API_KEY`` when
            no ``url`` is given.
        config: The Gemini setup (``realtalk.gemini.Setup`` or a wire-shaped mapping).
        **options: See :class:`~realtalk.session.options.SessionOptions`.

    Raises:
        TypeError, ValueError: Invalid arguments (raised by this call).
        ConnectError: The connection could not be opened (raised when awaited).
        SetupError: The server refused the setup; carries its close code and reason.
    """
    if provider not in _PROVIDERS:
        raise ValueError(f"provider must be one of {_PROVIDERS}, got {provider!r}")
    if not isinstance(model, str):
        raise TypeError(f"model must be a str, not {type(model).__name__}")
    if not model.strip():
        raise ValueError("model must not be empty")
    if url is not None and not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}")
    opts = SessionOptions.from_kwargs(options)
    key = api_key_arg(provider, api_key, url)
    protocol: ProviderProtocol
    if provider == "openai":
        protocol = openai_protocol_for(model, url, key, config, opts)
    else:
        protocol = gemini_protocol(model, url, key, config, opts)
    connector = opts.connector or NativeConnector(
        max_message_size=opts.max_message_size,
        ping_interval=opts.ping_interval,
        ping_timeout=opts.ping_timeout,
        connect_timeout=opts.connect_timeout,
        close_timeout=opts.close_timeout,
        ssl=opts.tls_context(),
    )
    recorder = None
    if opts.record_to is not None:
        secrets = [s for s in (key, secret(opts.ephemeral_token), secret(opts.access_token)) if s]
        recorder = Recorder(opts.record_to, secrets=secrets, provider=provider)
    return _Connect(Runner(protocol, opts, connector, recorder=recorder))
