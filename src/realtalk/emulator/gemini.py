"""One emulated Gemini Live connection (server role of gemini-live.md §3-§6).

:class:`GeminiConnection` checks the path and credentials, reads the setup,
then runs three tasks in one :class:`asyncio.TaskGroup`: the reader (every client
message, in order), the :class:`~realtalk.emulator.speaker.Speaker` (model turns)
and the timeline (``goAway``, connection lifetime, timed faults). Any of them ends
the connection by raising :class:`~realtalk.emulator.validate.Reject` with a close
code and reason; the client closing ends it too.

Client message indices are per connection: the setup is 0, then 1, 2, ...
(§5.6). The index reported as consumed in transparent resumption is the last
message whose effect is complete: while a user utterance is still open, it is
the message before the utterance began.
"""

from __future__ import annotations

import asyncio

from realtalk.audio import duration
from realtalk.emulator import output
from realtalk.emulator.calls import PendingCalls
from realtalk.emulator.config import SessionSettings, Shared, declared_functions
from realtalk.emulator.conversation import Conversation
from realtalk.emulator.guard import serve_guarded
from realtalk.emulator.link import Link
from realtalk.emulator.records import ConnectionRecord, IssuedHandle, LogEntry
from realtalk.emulator.reply import compact_json, fragments
from realtalk.emulator.rest import apply_constraints
from realtalk.emulator.scenario import Fault
from realtalk.emulator.speaker import Job, Speaker
from realtalk.emulator.state import ConnectionState, StateMachine
from realtalk.emulator.vad import EnergyVad, VadKind
from realtalk.emulator.validate import (
    BAD_KEY,
    INVALID_ARGUMENT,
    Reject,
    check_auth,
    check_model,
    check_path,
    check_setup,
    credential,
)
from realtalk.errors import ProtocolError
from realtalk.protocol.gemini import codec, wire
from realtalk.protocol.gemini.endpoints import PathMatch
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Request

__all__ = ["GeminiConnection", "describe"]


SESSION_NOT_FOUND = "BidiGenerateContent session not found"
DEADLINE = "Deadline expired before operation could complete."
NOT_SUPPORTED = "Operation is not implemented, or supported, or enabled."
UNAVAILABLE = "The service is currently unavailable."
_ACTIVITY_WITH_AUTO_VAD = (
    f"{INVALID_ARGUMENT} Explicit activity control is not supported "
    "when automatic activity detection is enabled."
)
_MALFORMED = b'{"serverContent": {"modelTurn": {"parts": [{"text": '


def describe(index: int, message: wire.ClientMessage) -> LogEntry:
    """Summarise one client message for the connection log."""
    if message.setup is not None:
        return LogEntry(index, "setup", message.setup.model)
    if message.client_content is not None:
        turns = message.client_content.turns or []
        texts = [p.text for t in turns for p in t.parts or [] if p.text]
        return LogEntry(index, "client_content", "\n".join(texts))
    if message.tool_response is not None:
        responses = message.tool_response.function_responses or []
        texts = [f"{r.name} {compact_json(r.response or {})}" for r in responses]
        return LogEntry(index, "tool_response", "\n".join(texts))
    ri = message.realtime_input
    if ri is None:
        return LogEntry(index, "context_update")
    blob = ri.audio or ri.video or (ri.media_chunks[0] if ri.media_chunks else None)
    if blob is not None:
        is_video = blob is ri.video or not (blob.mime_type or "audio/").startswith("audio/")
        return LogEntry(index, "video" if is_video else "audio", size=len(blob.data or b""))
    for kind in ("text", "activity_start", "activity_end", "audio_stream_end"):
        if getattr(ri, kind) is not None:
            return LogEntry(index, kind, ri.text if kind == "text" else None)
    return LogEntry(index, "empty")


class _Activity:
    """A manual-VAD activity between ``activityStart`` and ``activityEnd``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.texts: list[str] = []


class GeminiConnection:
    """Serves one connection. Create one per accepted connection and await :meth:`run`."""

    def __init__(
        self, conn: Connection, request: Request, shared: Shared, record: ConnectionRecord
    ) -> None:
        self._conn = conn
        self._request = request
        self._shared = shared
        self._opts = shared.options
        self._record = record
        self._link = Link(conn, record, shared.options.send_text_frames)
        self._state = StateMachine()
        self._calls = PendingCalls()
        self._index = 0
        self._consumed = 0
        self._pending_text: list[str] = []
        self._activity: _Activity | None = None
        self._declared: dict[str, bool] = {}
        self._tg: asyncio.TaskGroup | None = None
        self._serving: str | None = None  # session id, once counted as open in ``shared``
        # set once the setup is accepted
        self._settings = SessionSettings(platform="ai_studio")
        self._conv = Conversation.new("")
        self._vad = EnergyVad()
        self._speaker: Speaker | None = None

    @property
    def state(self) -> ConnectionState:
        """The current state of the connection."""
        return self._state.state

    # -- lifecycle ------------------------------------------------------------------------
    async def run(self) -> None:
        """Serve until the connection ends. Never raises except on cancellation."""
        try:
            await serve_guarded(
                self._serve, self._conn, self._record, Reject(1011, "Internal error occurred.")
            )
        finally:
            if self._state.state is not ConnectionState.CLOSED:
                self._state.to(ConnectionState.CLOSED)
            self._record._finish(self._conn.close_code or ABNORMAL_CLOSURE, self._conn.close_reason)
            if self._record.conversation is not None:
                self._shared.handles.touch(self._conv.session_id)
            if self._serving is not None:
                self._shared.session_closed(self._serving, self._conn)

    async def _serve(self) -> None:
        found = check_path(self._request.path)
        self._record.platform = found.platform
        await self._handshake(found)
        self._serving = self._conv.session_id
        self._shared.session_opened(self._serving, self._conn)
        async with asyncio.TaskGroup() as tg:
            self._tg = tg
            speaker = self._speaker = self._make_speaker()
            await self._link.send(output.setup_complete(self._conv.session_id))
            self._state.to(
                ConnectionState.SEEDING if self._settings.seeding else ConnectionState.IDLE
            )
            await speaker.send_handle()
            tg.create_task(speaker.run(tg))
            tg.create_task(self._timeline(tg))
            tg.create_task(self._read_loop())

    def _check_token(self, found: PathMatch, setup: wire.Setup) -> wire.Setup:
        """Ephemeral tokens: the constrained method needs one this emulator minted (§1.2).

        Its uses and expiry are enforced (resuming uses none), and the setup fields it
        locks replace the client's.

        Raises:
            Reject: 1008 when the token is missing, unknown, expired or used up.
        """
        key = credential(self._request, found)
        is_token = key is not None and key.startswith("auth_tokens/")
        if not found.constrained and not is_token:
            return setup
        if key is None or not is_token:
            raise Reject(1008, BAD_KEY)
        resuming = setup.session_resumption is not None and bool(setup.session_resumption.handle)
        refused = self._shared.tokens.start_session(key, resuming=resuming)
        if refused is not None:
            raise Reject(1008, refused)
        token = self._shared.tokens.get(key)
        return setup if token is None else apply_constraints(setup, token)

    async def _handshake(self, found: PathMatch) -> None:
        """Read and check the setup (§3); restore a resumed conversation (§6.8)."""
        data = await self._conn.recv()
        check_auth(
            self._request, found, require=self._opts.require_auth, api_keys=self._opts.api_keys
        )
        message = self._decode(data)
        self._record.log.append(describe(0, message))
        setup = message.setup
        if setup is None:
            raise Reject(1007, f"{INVALID_ARGUMENT} The first message must be a setup message.")
        setup = self._check_token(found, setup)
        check_model(setup.model, found, self._opts.model_allowlist)
        check_setup(setup)
        self._settings = SessionSettings.from_setup(setup, found.platform, self._opts.vad_threshold)
        self._conv = self._conversation(setup)
        self._declared.update(declared_functions(setup.tools))
        self._vad = EnergyVad(
            threshold=self._settings.vad_threshold,
            silence_ms=self._settings.silence_ms,
            prefix_ms=self._settings.prefix_ms,
        )
        self._record.setup = setup
        self._record.conversation = self._conv

    def _conversation(self, setup: wire.Setup) -> Conversation:
        handle = setup.session_resumption.handle if setup.session_resumption else None
        if not handle:
            return Conversation.new(setup.model)
        snapshot = self._shared.handles.get(handle)
        if snapshot is None:
            raise Reject(1008, SESSION_NOT_FOUND)
        if self._opts.strict and snapshot.model != setup.model:
            raise Reject(1007, f"{INVALID_ARGUMENT} The model cannot change on resumption.")
        if self._opts.reject_resume_while_open and self._shared.session_is_open(
            snapshot.session_id
        ):
            # Seen in the field: the service refuses to resume a session whose
            # previous connection is still open (gemini-live.md §6.10: 1011 is retryable).
            raise Reject(1011, UNAVAILABLE)
        self._record.resumed_from = handle
        return Conversation.restore(snapshot)

    def _make_speaker(self) -> Speaker:
        return Speaker(
            link=self._link,
            state=self._state,
            settings=self._settings,
            shared=self._shared,
            conversation=self._conv,
            calls=self._calls,
            declared=self._declared,
            on_turn=self._turn_faults,
            consumed=lambda: self._consumed,
            on_handle=lambda handle, consumed: self._record.issued.append(
                IssuedHandle(handle, consumed)
            ),
        )

    def _decode(self, data: str | bytes) -> wire.ClientMessage:
        try:
            return codec.decode_client(data, strict=self._opts.strict)
        except ProtocolError as exc:
            raise Reject(1007, exc.reason) from None

    # -- reading ----------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        while True:
            data = await self._conn.recv()
            self._index += 1
            message = self._decode(data)
            self._record.log.append(describe(self._index, message))
            await self._dispatch(message)
            if self._activity is None and not self._vad.in_speech:
                self._consumed = self._index
            for number, fault in enumerate(self._shared.scenario.faults):
                if fault.after_messages == self._index:
                    await self._fire(number, fault)

    async def _dispatch(self, message: wire.ClientMessage) -> None:
        if message.setup is not None:
            raise Reject(1007, f"{INVALID_ARGUMENT} setup may only be sent once.")
        waiting = self._state.state is ConnectionState.TOOL_WAIT and self._opts.strict_tool_wait
        if waiting and (message.client_content or message.realtime_input):
            raise Reject(1008, NOT_SUPPORTED)
        if message.client_content is not None:
            await self._on_client_content(message.client_content)
        elif message.realtime_input is not None:
            await self._on_realtime(message.realtime_input)
        elif message.tool_response is not None:
            self._on_tool_response(message.tool_response)
        elif message.context_update is not None:
            self._on_context_update(message.context_update)

    def _commit_turn(self, text: str) -> None:
        assert self._speaker is not None
        self._conv.user_turns += 1
        self._speaker.submit(Job("user", text, turn=self._conv.user_turns))

    def _barge_in(self) -> None:
        if self._settings.interrupts and self._speaker is not None:
            self._speaker.interrupt()

    async def _on_client_content(self, content: wire.ClientContent) -> None:
        """History and text turns (§4.2); interrupts any model turn in progress."""
        seeding = self._state.state is ConnectionState.SEEDING
        if not seeding and self._speaker is not None:
            self._speaker.interrupt()
        for turn in content.turns or ():
            texts = [p.text for p in turn.parts or () if p.text]
            for text in texts:
                self._conv.add("model" if turn.role == "model" else "user", "text", text)
            if turn.role != "model" and not seeding:
                self._pending_text += texts
        if not content.turn_complete:
            return
        if seeding:
            self._state.to(ConnectionState.IDLE)
            return
        text = " ".join(self._pending_text) or next(iter(self._conv.texts("user")[-1:]), "")
        self._pending_text.clear()
        self._commit_turn(text)

    async def _on_realtime(self, ri: wire.RealtimeInput) -> None:
        """Audio, video, text and activity signals (§4.3, §6.3)."""
        if (ri.activity_start or ri.activity_end) and self._settings.auto_vad:
            raise Reject(1007, _ACTIVITY_WITH_AUTO_VAD)
        if self._state.state is ConnectionState.SEEDING:
            self._state.to(ConnectionState.IDLE)
        if ri.activity_start is not None:
            self._barge_in()
            self._activity = _Activity()
        audio = ri.audio
        if audio is None and ri.media_chunks:
            first = ri.media_chunks[0]
            audio = first if (first.mime_type or "").startswith("audio/") else None
        if audio is not None:
            await self._on_audio(audio)
        if ri.text is not None:
            await self._on_text(ri.text)
        if ri.activity_end is not None and self._activity is not None:
            activity, self._activity = self._activity, None
            if activity.texts:
                self._commit_text(" ".join(activity.texts))
            else:
                await self._commit_audio(activity.seconds)
        if ri.audio_stream_end and self._settings.auto_vad:
            end = self._vad.flush()
            if end is not None:
                await self._commit_audio(end.speech_seconds)

    async def _on_audio(self, blob: wire.Blob) -> None:
        rate = codec.parse_pcm_rate(blob.mime_type or "audio/pcm", codec.INPUT_SAMPLE_RATE)
        if rate is None:
            return  # not PCM: nothing to detect
        pcm = blob.data or b""
        if not self._settings.auto_vad:
            if self._activity is not None:
                self._activity.seconds += duration(pcm, rate)
            return
        for event in self._vad.feed(pcm, rate):
            if event.kind is VadKind.START:
                self._barge_in()
            else:
                await self._commit_audio(event.speech_seconds)

    async def _on_text(self, text: str) -> None:
        if self._activity is not None:
            self._activity.texts.append(text)
            return
        self._barge_in()
        self._commit_text(text)

    def _commit_text(self, text: str) -> None:
        self._conv.add("user", "text", text)
        self._commit_turn(text)

    async def _commit_audio(self, seconds: float) -> None:
        """End a user audio turn: transcript (scenario or placeholder), then the reply."""
        self._conv.audio_turns += 1
        scripted = self._shared.scenario.input_transcripts
        n = self._conv.audio_turns
        text = scripted[n - 1] if n <= len(scripted) else f"(audio {seconds:.1f} s)"
        self._conv.add("user", "audio", text, seconds)
        if self._settings.input_transcription:
            pieces = fragments(text)
            for i, piece in enumerate(pieces):
                await self._link.send(output.input_transcription(piece, i == len(pieces) - 1))
        self._commit_turn(text)

    def _on_tool_response(self, response: wire.ToolResponse) -> None:
        """Results of function calls (§4.4, §6.6)."""
        assert self._speaker is not None
        for fr in response.function_responses or ():
            result = fr.response or {}
            self._conv.add("tool", "tool_response", f"{fr.name} {compact_json(result)}")
            call = self._calls.resolve(fr)
            if call is None or not call.non_blocking:
                continue
            scheduling = fr.scheduling or "WHEN_IDLE"
            if scheduling == "SILENT":
                continue
            job = Job("result", call.user_text, call=call, response=result)
            if scheduling == "INTERRUPT":
                self._speaker.interrupt()
                self._speaker.submit(job, front=True)
            else:
                self._speaker.submit(job)

    def _on_context_update(self, update: wire.ContextUpdate) -> None:
        """Replace the declared tools when given (§4.5)."""
        if update.tools is not None:
            self._declared.clear()
            self._declared.update(declared_functions(update.tools.tools))

    # -- time and faults ----------------------------------------------------------------------
    async def _timeline(self, tg: asyncio.TaskGroup) -> None:
        """``goAway`` and the connection lifetime (§5.5, §6.7), and ``after_seconds`` faults."""
        plan: list[tuple[float, int, Fault | None]] = []
        lifetime = self._opts.connection_lifetime
        if lifetime is not None:
            plan.append((max(0.0, lifetime - self._opts.go_away_time_left), -1, None))
        for number, timed in enumerate(self._shared.scenario.faults):
            if timed.after_seconds is not None:
                plan.append((timed.after_seconds, number, timed))
        start = asyncio.get_running_loop().time()
        for at, number, fault in sorted(plan, key=lambda item: (item[0], item[1])):
            await asyncio.sleep(max(0.0, start + at - asyncio.get_running_loop().time()))
            if fault is not None:
                await self._fire(number, fault)
                continue
            assert lifetime is not None
            left = min(self._opts.go_away_time_left, lifetime)
            await self._link.send(output.go_away(left))
            if self._opts.close_on_expiry:
                tg.create_task(self._expire(start + lifetime))

    async def _expire(self, when: float) -> None:
        await asyncio.sleep(max(0.0, when - asyncio.get_running_loop().time()))
        raise Reject(1011, DEADLINE)

    async def _turn_faults(self, turn: int) -> None:
        for number, fault in enumerate(self._shared.scenario.faults):
            if fault.at_turn == turn:
                await self._fire(number, fault)

    async def _fire(self, number: int, fault: Fault) -> None:
        """Make a scripted fault happen (unless a ``once`` fault already fired)."""
        if not self._shared.claim_fault(number, fault):
            return
        if fault.kind == "drop":
            raise Reject(None)
        if fault.kind == "close":
            raise Reject(fault.code, fault.reason)
        if fault.kind == "stall":
            await self._link.stall(fault.seconds)
        elif fault.kind == "malformed":
            await self._link.send_raw(_MALFORMED, "malformed")
        else:
            await self._link.send(output.go_away(fault.seconds))
            if self._opts.close_on_expiry and self._tg is not None:
                self._tg.create_task(
                    self._expire(asyncio.get_running_loop().time() + fault.seconds)
                )
