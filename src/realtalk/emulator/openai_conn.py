"""One emulated OpenAI Realtime connection (server role of openai-realtime.md §1-§6, §10).

:class:`OpenAIConnection` admits the connection (GA interface only, credential,
``?model=``), sends ``session.created``, then runs the reader (every client event,
in order) and the timeline (the session time limit and timed faults) in one
:class:`asyncio.TaskGroup`; responses run in the same group (:mod:`.openai_responder`).
Client events are decoded by the protocol layer's server role
(:func:`~realtalk.protocol.openai.decode_client`); a refused event gets an ``error``
event and the session goes on (§5.1). What each event does is in
:mod:`.openai_events`.

Fatal conditions follow §8: an ``error`` event then a close with code 3000 and the
reason ``<type>.<code>`` (bad credential, missing model, unknown ``intent``, retired
beta interface); the time limit sends ``error`` ``session_expired`` and closes with
1001. ``?intent=transcription`` (or a client secret bound to a transcription
session) opens a transcription session (§1.1, §3.3), which needs no model.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import msgspec

from realtalk.emulator.config import Shared
from realtalk.emulator.conversation import Conversation
from realtalk.emulator.guard import serve_guarded
from realtalk.emulator.openai_events import EventHandlers, describe
from realtalk.emulator.openai_idle import IdleTimer
from realtalk.emulator.openai_input import InputBuffer
from realtalk.emulator.openai_items import ItemStore
from realtalk.emulator.openai_link import OpenAIConnectionRecord, OpenAILink
from realtalk.emulator.openai_output import Ids, RequestError, session_expired
from realtalk.emulator.openai_responder import Responder
from realtalk.emulator.openai_rest import MintedSecret, SecretStore
from realtalk.emulator.openai_session import SessionConfig, SessionKind
from realtalk.emulator.scenario import Fault
from realtalk.emulator.state import ConnectionState
from realtalk.emulator.validate import Reject
from realtalk.protocol.openai import ClientEventError, decode_client, wire
from realtalk.protocol.openai.endpoints import bearer_token, parse_subprotocols
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Request

__all__ = ["DEFAULT_SESSION_LIMIT", "OpenAIConnection", "OpenAIOptions"]


#: Maximum session duration of the service (§6.1, §8).
DEFAULT_SESSION_LIMIT = 3600.0
#: Close code of fatal request errors, with the reason ``<type>.<code>`` [observed] (§8).
FATAL_CLOSE = 3000
#: Close code when the session time limit is reached (§6.1).
EXPIRED_CLOSE = 1001
_MALFORMED = b'{"type": "response.output_text.delta", "delta": '


@dataclass(frozen=True, slots=True)
class OpenAIOptions:
    """Options and shared state of the OpenAI side of an emulator.

    Attributes:
        session_limit: Seconds until ``error session_expired`` and a 1001 close
            (None = unlimited).
        secrets: The client secrets minted through the REST side (§1.3).
        idle_scale: Multiplier of the server VAD idle-timeout wait (tests make it small).
    """

    session_limit: float | None = DEFAULT_SESSION_LIMIT
    secrets: SecretStore = field(default_factory=SecretStore)
    idle_scale: float = 1.0


class OpenAIConnection:
    """Serves one connection. Create one per accepted connection and await :meth:`run`."""

    def __init__(
        self,
        conn: Connection,
        request: Request,
        shared: Shared,
        options: OpenAIOptions,
        record: OpenAIConnectionRecord,
    ) -> None:
        self._conn = conn
        self._request = request
        self._shared = shared
        self._opts = shared.options
        self._limit = options.session_limit
        self._idle_scale = options.idle_scale
        self._secrets = options.secrets
        self._minted: MintedSecret | None = None
        self._record = record
        self._ids = Ids()
        self._link = OpenAILink(conn, record, self._ids)
        self._state = record.machine
        self._index = 0
        self._handlers: EventHandlers | None = None
        self._tg: asyncio.TaskGroup | None = None

    @property
    def state(self) -> ConnectionState:
        """The current state of the connection."""
        return self._state.state

    # -- lifecycle --------------------------------------------------------------------------
    async def run(self) -> None:
        """Serve until the connection ends. Never raises except on cancellation."""
        try:
            await serve_guarded(
                self._serve, self._conn, self._record, Reject(1011, "Internal server error")
            )
        finally:
            if self._state.state is not ConnectionState.CLOSED:
                self._state.to(ConnectionState.CLOSED)
            self._record._finish(self._conn.close_code or ABNORMAL_CLOSURE, self._conn.close_reason)

    async def _serve(self) -> None:
        model, kind = await self._admit()
        session_id = self._ids("sess")
        conversation = Conversation(session_id=session_id, model=model or "")
        self._record.conversation = conversation
        limit = self._limit
        expires = int(time.time() + (limit if limit is not None else 0))
        config = SessionConfig(model, session_id, expires if limit is not None else 0, kind=kind)
        if self._minted is not None and self._minted.session is not None:
            bound = {k: v for k, v in self._minted.session.items() if k != "model"}
            config.update(msgspec.convert(bound, wire.Session), audio_sent=False, event_id=None)
            # (checked when minted: openai_rest.SecretStore.mint)
        store = ItemStore(conversation)
        buffer = InputBuffer(config.input_format, config.turn_detection, self._opts.vad_threshold)
        async with asyncio.TaskGroup() as tg:  # tasks (the idle timer too) end with it
            self._tg = tg
            idle = IdleTimer(tg, config, buffer, self._idle_scale)
            responder = Responder(
                link=self._link,
                store=store,
                config=config,
                shared=self._shared,
                state=self._state,
                new_id=self._ids,
                conversation_id=self._ids("conv"),
                on_turn=self._turn_faults,
                idle=idle,
            )
            self._handlers = EventHandlers(
                link=self._link,
                config=config,
                store=store,
                buffer=buffer,
                responder=responder,
                conversation=conversation,
                scenario=self._shared.scenario,
                record=self._record,
                new_id=self._ids,
                tg=tg,
                idle=idle,
                strict=self._opts.strict,
            )
            self._record.session = config.to_wire()
            self._state.to(ConnectionState.IDLE)  # before the client can know of the session
            await self._link.send(wire.SessionCreated(session=self._record.session))
            tg.create_task(self._timeline())
            tg.create_task(self._read_loop())

    async def _admit(self) -> tuple[str | None, SessionKind]:
        """Check the interface, the credential, the intent and the model (§1.1, §1.2, §8).

        Returns:
            The model (None for a transcription session opened without one) and the
            kind of session: a client secret's bound session type, else
            ``transcription`` with ``?intent=transcription``, else ``realtime``.

        Raises:
            Reject: 3000 after the ``error`` event, when the connection is refused.
        """
        headers = self._request.headers
        self._record.platform = "openai"
        offered = parse_subprotocols(headers.get("sec-websocket-protocol", ""))
        if offered.beta or "realtime=v1" in headers.get("openai-beta", ""):
            await self._refuse(
                "beta_api_shape_disabled",
                "The Realtime Beta API is no longer supported. Use the GA interface "
                "(no OpenAI-Beta header).",
            )
        bearer = bearer_token(headers) or offered.api_key
        key = bearer.reveal() if bearer is not None else None
        minted = self._secrets.secrets.get(key or "")
        self._minted = self._secrets.usable(key or "")
        if minted is not None and self._minted is None:
            await self._refuse("invalid_api_key", "The client secret has expired.")
        if self._opts.require_auth and key is None:
            await self._refuse(
                "invalid_api_key",
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            )
        keys = self._opts.api_keys
        if keys is not None and key not in keys and self._minted is None:
            await self._refuse("invalid_api_key", "Incorrect API key provided.")
        intent = self._request.query.get("intent")
        if intent is not None and intent != "transcription":
            await self._refuse(
                "invalid_value",
                f"Invalid value: '{intent}'. Supported values are: 'transcription'.",
                "intent",
            )
        bound = self._minted.session if self._minted is not None else None
        kind: SessionKind = "transcription" if intent == "transcription" else "realtime"
        if bound is not None:
            kind = "transcription" if bound.get("type") == "transcription" else "realtime"
        model = self._request.query.get("model", "")
        if not model and bound is not None:
            model = str(bound.get("model", ""))
        self._record.model = model or None
        if not model and kind == "realtime":
            await self._refuse(
                "missing_required_parameter", "Missing required parameter: 'model'.", "model"
            )
        allow = self._opts.model_allowlist
        if model and allow is not None and model not in allow:
            await self._refuse(
                "model_not_found",
                f"The model `{model}` does not exist or you do not have access to it.",
                "model",
            )
        return model or None, kind

    async def _refuse(self, code: str, message: str, param: str | None = None) -> None:
        error = RequestError(message, code=code, param=param)
        await self._link.send(error.to_event())
        raise Reject(FATAL_CLOSE, f"{error.type}.{code}")

    # -- reading ------------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        assert self._handlers is not None
        while True:
            data = await self._conn.recv()
            self._index += 1
            try:
                event = decode_client(data, strict=self._opts.strict, interface="ga")
            except ClientEventError as exc:
                self._record.log.append(describe(self._index, None))
                await self._link.send(RequestError.from_decoding(exc).to_event())
            else:
                self._record.log.append(describe(self._index, event))
                try:
                    await self._handlers.dispatch(event)
                except RequestError as exc:
                    await self._link.send(exc.to_event())
            for number, fault in enumerate(self._shared.scenario.faults):
                if fault.after_messages == self._index:
                    await self._fire(number, fault)

    # -- time and faults ----------------------------------------------------------------------
    async def _timeline(self) -> None:
        """The session time limit (§6.1, §8) and ``after_seconds`` faults."""
        plan: list[tuple[float, int, Fault | None]] = []
        if self._limit is not None:
            plan.append((self._limit, -1, None))
        for number, timed in enumerate(self._shared.scenario.faults):
            if timed.after_seconds is not None:
                plan.append((timed.after_seconds, number, timed))
        loop = asyncio.get_running_loop()
        start = loop.time()
        for at, number, fault in sorted(plan, key=lambda item: (item[0], item[1])):
            await asyncio.sleep(max(0.0, start + at - loop.time()))
            if fault is None:
                await self._expire(at)
            else:
                await self._fire(number, fault)

    async def _expire(self, seconds: float) -> None:
        event = session_expired(seconds)
        await self._link.send(event)
        raise Reject(EXPIRED_CLOSE, event.error.message)

    async def _turn_faults(self, turn: int) -> None:
        for number, fault in enumerate(self._shared.scenario.faults):
            if fault.at_turn == turn:
                await self._fire(number, fault)

    async def _fire(self, number: int, fault: Fault) -> None:
        """Make a scripted fault happen (unless a ``once`` fault already fired).

        ``go_away`` has no OpenAI counterpart: the session expires after ``seconds``.
        """
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
        elif self._tg is not None:
            self._tg.create_task(self._expire_later(fault.seconds))

    async def _expire_later(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self._expire(seconds)
