"""Randomized fault schedules: the real session runner against the emulator.

A run goes through the in-memory transport, or (``sockets=True``) through realtalk's
own WebSocket client to the emulator serving ``ws://127.0.0.1``.

Used by ``test_fault_suite.py``. Everything about a run follows from its seed:

* :func:`make_schedule` draws the emulator's faults, the session options and the
  client script from ``random.Random(seed)``;
* :class:`WireTap` wraps the connector and logs every frame each
  connection carried, in one global order (what was sent when, relative to what
  was received);
* :class:`ClientRun` plays the script through ``realtalk.connect`` and keeps the
  client's log: every event the application read and every message it sent;
* :func:`verify` compares that log with the server's records (per-connection
  logs, issued handles with the index each covers, the final conversation) and
  returns the violated guarantees, as readable lines.

Client messages carry unique tokens (``t003q``; tool responses the call id), so
every frame and every history entry can be traced back to the send that made it.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import realtalk
from realtalk.emulator import Emulator, Fault, Scenario
from realtalk.emulator.records import ConnectionRecord
from realtalk.emulator.reply import compact_json
from realtalk.errors import ConnectionClosed, SessionClosed
from realtalk.events import (
    Closed,
    Connected,
    Connecting,
    Error,
    Event,
    Lagged,
    Reconnecting,
    Resumed,
    ResumedFresh,
    ResumptionUpdate,
    SetupComplete,
    TextDelta,
    ToolCall,
    TurnComplete,
)
from realtalk.protocol.gemini import codec
from realtalk.session.policy import ReconnectPolicy
from realtalk.transport import Connection, Connector, MemoryConnector, NativeConnector
from realtalk.transport.base import ABNORMAL_CLOSURE, PushReceiver, Receiver

__all__ = [
    "ClientRun",
    "Hooks",
    "Plan",
    "Schedule",
    "Step",
    "TappedConnection",
    "WireTap",
    "make_schedule",
    "nominal",
    "run_schedule",
    "verify",
]

POLICY = ReconnectPolicy(base=0.001, max=0.01, attempts=20)
GUARD = 10.0  # seconds before a run counts as hung (never reached by a passing run)
TOOL = "lookup"
TOOLS = [{"functionDeclarations": [{"name": TOOL, "description": "Look something up."}]}]
FATAL_REASON = "Requested entity was not found."
SILENCE = b"\x00" * 640  # 20 ms of 16 kHz silence: audio the server's VAD ignores

_TOKEN = re.compile(rb"[te]\d{3}q")
_TOKEN_TEXT = re.compile(r"[te]\d{3}q")
_CALL_ID = re.compile(r"function-call-\d+")
_LIFECYCLE = (Connecting, Connected, Reconnecting, Resumed, ResumedFresh, Closed, Lagged)

StepKind = Literal["turn", "text", "partial", "tool", "audio"]


# -- schedules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the client script.

    ``turn``: ``send_client_content(token)``; ``text``: ``send_text(token)``;
    ``partial``: ``send_client_content(token, turn_complete=False)``; ``tool``: a
    ``call lookup {"q": token}`` turn (``via`` says how it is sent), answered with
    ``send_tool_response`` after ``audio`` chunks of microphone silence;
    ``audio``: ``audio`` chunks of silence.
    """

    kind: StepKind
    token: str = ""
    audio: int = 0
    via: Literal["content", "text"] = "content"


@dataclass(frozen=True)
class Schedule:
    """Everything one run does, drawn from ``seed``."""

    seed: int
    transparent: bool
    handover: Literal["preconnect", "overlap"]
    reject_resume_while_open: bool
    silence_timeout: float | None
    steps: tuple[Step, ...]
    faults: tuple[Fault, ...]
    chunk_delay: float = 0.0  # the emulator's pause between output chunks
    drain: float = 0.0  # seconds each client write takes after the frame left (a slow socket)
    cut_after: int | None = None  # the network drops the first connection after this frame

    @property
    def config(self) -> dict[str, Any]:
        resumption: dict[str, Any] = {"transparent": True} if self.transparent else {}
        return {
            "generationConfig": {"responseModalities": ["TEXT"]},
            "sessionResumption": resumption,
            "tools": TOOLS,
        }

    def describe(self) -> str:
        lines = [
            f"seed={self.seed} transparent={self.transparent} handover={self.handover} "
            f"reject_resume_while_open={self.reject_resume_while_open} "
            f"silence_timeout={self.silence_timeout} chunk_delay={self.chunk_delay} "
            f"drain={self.drain} cut_after={self.cut_after}",
            "steps: " + ", ".join(_step_text(s) for s in self.steps),
            "faults:",
        ]
        lines += [f"  {_fault_text(f)}" for f in self.faults]
        return "\n".join(lines)


def _step_text(step: Step) -> str:
    if step.kind == "audio":
        return f"audio x{step.audio}"
    if step.kind == "tool":
        return f"tool[{step.via}] {step.token} (+{step.audio} audio)"
    return f"{step.kind} {step.token}"


def _fault_text(fault: Fault) -> str:
    trigger = (
        f"at_turn={fault.at_turn}"
        if fault.at_turn is not None
        else f"after_messages={fault.after_messages}"
        if fault.after_messages is not None
        else f"after_seconds={fault.after_seconds}"
    )
    extra = ""
    if fault.kind == "close":
        extra = f" code={fault.code}"
    elif fault.kind in ("stall", "go_away"):
        extra = f" seconds={fault.seconds}"
    return f"{fault.kind} {trigger}{extra}"


def _draw_steps(rng: random.Random) -> list[Step]:
    kinds: list[StepKind] = ["turn", "text", "partial", "tool", "audio"]
    steps: list[Step] = []
    for n in range(rng.randint(3, 6)):
        kind = rng.choices(kinds, weights=[3, 2, 2, 2, 2])[0]
        token = f"t{n:03d}q"
        if kind == "audio":
            steps.append(Step("audio", audio=rng.randint(1, 3)))
        elif kind == "tool":
            via = rng.choice(("content", "text"))
            steps.append(Step("tool", token, audio=rng.randint(0, 2), via=via))
        else:
            steps.append(Step(kind, token))
    if steps[-1].kind not in ("turn", "text", "tool"):
        steps.append(Step("turn", f"t{len(steps):03d}q"))
    return steps


@dataclass
class Plan:
    """Client message indices and turn numbers on the first connection, if nothing failed."""

    messages: int = 0
    turns: int = 0
    turn_starts: list[int] = field(default_factory=list)  # index of each turn's message
    in_tool_call: list[int] = field(default_factory=list)  # audio sent while a call waits


def nominal(steps: list[Step]) -> Plan:
    plan = Plan()
    for step in steps:
        if step.kind in ("turn", "text", "tool"):
            plan.messages += 1
            plan.turns += 1
            plan.turn_starts.append(plan.messages)
        if step.kind == "partial":
            plan.messages += 1
        if step.kind == "tool":
            plan.in_tool_call += range(plan.messages + 1, plan.messages + step.audio + 1)
            plan.messages += step.audio + 1  # the audio, then the tool response
        if step.kind == "audio":
            plan.messages += step.audio
    return plan


def _draw_fault(rng: random.Random, plan: Plan, kind: str) -> Fault:
    extra: dict[str, Any] = {}
    if kind == "close":
        extra = {"code": 1011, "reason": "Internal error occurred."}
    elif kind == "fatal":
        kind, extra = "close", {"code": 1008, "reason": FATAL_REASON}
    elif kind == "stall":
        extra = {"seconds": round(rng.uniform(0.005, 0.05), 3)}
    elif kind == "go_away":
        extra = {"seconds": round(rng.uniform(0.01, 0.1), 3)}
    r = rng.random()
    if kind == "go_away" and plan.in_tool_call and r < 0.3:
        # goAway while a blocking call waits: the microphone audio the client
        # streams meanwhile is what reaches this index
        return Fault(kind=kind, after_messages=rng.choice(plan.in_tool_call), **extra)
    if r < 0.45:
        return Fault(kind=kind, after_messages=rng.randint(1, plan.messages + 2), **extra)
    if r < 0.85:
        return Fault(kind=kind, at_turn=rng.randint(1, plan.turns + 1), **extra)  # mid-turn
    return Fault(kind=kind, after_seconds=round(rng.uniform(0.0, 0.02), 4), **extra)


def make_schedule(seed: int) -> Schedule:
    """The schedule of ``seed`` (pure: the same seed always gives the same schedule)."""
    rng = random.Random(seed)
    steps = _draw_steps(rng)
    plan = nominal(steps)
    kinds = ["drop", "close", "go_away", "stall", "malformed"]
    chosen = rng.choices(kinds, weights=[5, 4, 6, 3, 3], k=rng.choice((1, 1, 2, 2, 3)))
    if rng.random() < 0.08:
        chosen.append("fatal")
    faults = [_draw_fault(rng, plan, kind) for kind in chosen]
    if rng.random() < 0.2:  # early: on a later connection it may hit during the replay
        faults.append(Fault(kind="drop", after_messages=rng.randint(2, 3)))
    stalls = any(f.kind == "stall" for f in faults)
    return Schedule(
        seed=seed,
        transparent=seed % 2 == 0,
        handover="overlap" if seed // 2 % 2 else "preconnect",
        reject_resume_while_open=rng.random() < 0.3,
        silence_timeout=rng.choice((0.01, 0.02, 0.04)) if stalls else None,
        steps=tuple(steps),
        faults=tuple(faults),
        chunk_delay=rng.choice((0.0, 0.0, 0.002)),
        drain=rng.choice((0.0, 0.0, 0.001)),
        cut_after=rng.randint(2, 30) if rng.random() < 0.3 else None,
    )


# -- the wire tap ------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One frame a connection carried; ``seq`` orders all frames of all connections."""

    seq: int
    data: bytes


class Hooks:
    """Test hooks around each tapped connection's frames (default: none)."""

    async def sent(self, conn: TappedConnection, data: bytes) -> None:
        """A frame was written (the write returns once this returns)."""

    async def receiving(self, conn: TappedConnection) -> None:
        """The client is about to read its next frame (it reads once this returns)."""

    def received(self, conn: TappedConnection, data: bytes) -> None:
        """A frame was read (before the client sees it)."""


class TappedConnection:
    """A client connection that logs what it sends and receives (frames delivered only)."""

    def __init__(self, inner: Connection, number: int, tap: WireTap) -> None:
        self.inner = inner
        self.drain = tap.drain
        self.number = number
        self._tap = tap
        self.tx: list[Frame] = []
        self.rx: list[Frame] = []
        self.cut = False

    async def send(self, data: str | bytes, *, text: bool | None = None) -> None:
        frame = Frame(self._tap.tick(), data.encode() if isinstance(data, str) else bytes(data))
        self.tx.append(frame)  # logged before the write: an ack racing it comes later
        try:
            await self.inner.send(data, text=text)
        except BaseException:
            if self.inner.close_code is not None:  # refused: it never left
                self.tx.remove(frame)
            raise
        if self.drain:
            await asyncio.sleep(self.drain)  # the frame is out; the write has not returned yet
        await self._tap.hooks.sent(self, frame.data)

    async def recv(self) -> str | bytes:
        await self._tap.hooks.receiving(self)
        if self.cut:
            raise ConnectionClosed(ABNORMAL_CLOSURE, "")
        data = await self.inner.recv()
        self._log_received(data)
        return data

    def _log_received(self, data: str | bytes) -> None:
        frame = Frame(self._tap.tick(), data.encode() if isinstance(data, str) else data)
        self.rx.append(frame)
        self._tap.hooks.received(self, frame.data)
        if self._tap.cut_due(self):
            # the network fails right after this frame: frames in flight are lost
            self.cut = True
            self.inner.abort()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.inner.close(code, reason)

    def abort(self) -> None:
        self.inner.abort()

    async def ping(self) -> float:
        return await self.inner.ping()

    @property
    def close_code(self) -> int | None:
        return self.inner.close_code

    @property
    def close_reason(self) -> str:
        return self.inner.close_reason


class TappedPushConnection(TappedConnection):
    """A tapped connection whose inner connection hands bursts over (``receive_with``),
    as the session uses realtalk's own WebSocket client."""

    inner: PushReceiver  # type: ignore[assignment]

    def receive_with(self, receiver: Receiver) -> None:
        def tapped(batch: list[str | bytes]) -> int:
            if self.cut:
                return len(batch)  # after the cut nothing arrives
            cut_at = self._tap.cut_within(self, len(batch))
            offered = batch if cut_at is None else batch[:cut_at]
            taken = receiver(offered)
            for data in offered[:taken]:
                self._log_received(data)  # the cut, if due, happens right after its frame
            return len(batch) if self.cut else taken

        self.inner.receive_with(tapped)

    async def wait_closed(self) -> ConnectionClosed:
        return await self.inner.wait_closed()


class WireTap:
    """A connector whose connections are tapped."""

    def __init__(
        self,
        inner: Connector,
        drain: float = 0.0,
        cut_after: int | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        self.inner = inner
        self.drain = drain
        self.cut_after = cut_after
        self.hooks = hooks or Hooks()
        self.conns: list[TappedConnection] = []
        self._seq = 0

    def cut_due(self, conn: TappedConnection) -> bool:
        """Whether the network drops ``conn`` now (once, on the first connection)."""
        return conn.number == 0 and len(conn.rx) == self.cut_after

    def cut_within(self, conn: TappedConnection, count: int) -> int | None:
        """How many of the next ``count`` frames arrive before the cut, if it falls there."""
        if conn.number != 0 or self.cut_after is None:
            return None
        left = self.cut_after - len(conn.rx)
        return left if 0 < left <= count else None

    def tick(self) -> int:
        self._seq += 1
        return self._seq

    async def __call__(self, url: str, headers: Mapping[str, str]) -> Connection:
        inner = await self.inner(url, headers)
        kind = TappedPushConnection if isinstance(inner, PushReceiver) else TappedConnection
        conn = kind(inner, len(self.conns), self)
        self.conns.append(conn)
        return conn


# -- the client ----------------------------------------------------------------------------


class ScriptEnded(Exception):
    """The session ended before the script did."""


class ClientRun:
    """Plays a schedule's script through a session and keeps the client's log.

    Attributes:
        events: Every event the application read, in order.
        sent: Keys of the text, content and tool-response messages the application
            sent (the send returned), in order: ``("text", token)`` / ``("tool", call_id)``.
        lost: Tokens whose reply never came because the message was lost in the
            in-flight window (flow control only; :func:`verify` decides if allowed).
    """

    def __init__(self, session: realtalk.Session, schedule: Schedule) -> None:
        self.session = session
        self.runner = session._runner
        self.schedule = schedule
        self.events: list[Event] = []
        self.sent: list[tuple[str, str]] = []
        self.lost: list[str] = []
        self.ended_early = False
        self._answered: set[str] = set()
        self._tool_audio = 0
        self._text = ""
        self._completed: list[str] = []

    async def play(self) -> None:
        """The script, then a final turn until one is answered and covered by a handle.

        Everything sent before that turn was then consumed and answered, and the
        state that holds it is the one the session goes on from.
        """
        try:
            for step in self.schedule.steps:
                await self._step(step)
            n = 0
            while not await self._turn(Step("text", f"e{n:03d}q"), covered=True):
                n += 1
        except (ScriptEnded, SessionClosed):
            self.ended_early = True

    async def close(self) -> None:
        """Close the session and read the events left, up to ``Closed``."""
        await self.session.close()
        while (event := await self.session.next_event()) is not None:
            self.events.append(event)

    async def _step(self, step: Step) -> None:
        if step.kind == "partial":
            await self.session.send_client_content(step.token, turn_complete=False)
            self.sent.append(("text", step.token))
        elif step.kind == "audio":
            for _ in range(step.audio):
                await self.session.send_audio(SILENCE)
        else:
            self._tool_audio = step.audio
            await self._turn(step)

    async def _turn(self, step: Step, covered: bool = False) -> bool:
        """Send a turn and wait for its reply; False if it was lost in the in-flight window.

        With ``covered``, also wait for a resumable handle after the reply on the
        same connection (a reply that is not covered may come again after a hop).
        """
        text = f'call {TOOL} {{"q": "{step.token}"}}' if step.kind == "tool" else step.token
        if step.kind == "text" or (step.kind == "tool" and step.via == "text"):
            await self.session.send_text(text)
        else:
            await self.session.send_client_content(text)
        self.sent.append(("text", step.token))
        return await self._reply(step.token, covered)

    async def _reply(self, token: str, covered: bool) -> bool:
        answered = False
        while True:
            idle = self.session.statistics().unread_events == 0
            if idle and not answered and self._lost(token):
                self.lost.append(token)
                return False
            event = await self._next()
            if isinstance(event, TurnComplete) and token in self._completed[-1]:
                if not covered:
                    return True
                answered = True
            elif isinstance(event, Connected):
                answered = False
            elif answered and _resumable(event):
                return True

    def _lost(self, token: str) -> bool:
        """Whether the message carrying ``token`` can no longer be answered.

        Called when every published event was read: a message neither kept for
        replay nor carried by the current connection was acknowledged on an earlier
        connection; its reply would already have been read if the resumed state
        held it.
        """
        key = ("text", token)
        if any(_key(entry.frame) == key for entry in self.runner.outbox):
            return False
        link = self.runner._link
        if link is None:
            return True
        conn = link.conn
        assert isinstance(conn, TappedConnection)
        return not any(_key(frame.data) == key for frame in conn.tx)

    async def _next(self) -> Event:
        event = await self.session.next_event()
        if event is None:
            raise ScriptEnded
        self.events.append(event)
        if isinstance(event, TextDelta):
            self._text += event.text
        elif isinstance(event, TurnComplete):
            self._completed.append(self._text)
            self._text = ""
        elif isinstance(event, Connected):
            self._text = ""
        elif isinstance(event, ToolCall):
            for call in event.calls:
                if call.id not in self._answered:
                    self._answered.add(call.id)
                    await self._answer(call.id, call.name, call.args)
        return event

    async def _answer(self, call_id: str, name: str, args: dict[str, Any]) -> None:
        for _ in range(self._tool_audio):  # the microphone keeps streaming while it runs
            await self.session.send_audio(SILENCE)
        response = {"echo": args.get("q"), "call": call_id}
        await self.session.send_tool_response({"id": call_id, "name": name, "response": response})
        self.sent.append(("tool", call_id))


@dataclass
class Outcome:
    """What a run left behind, for :func:`verify`."""

    schedule: Schedule
    emulator: Emulator
    tap: WireTap
    run: ClientRun | None = None
    hung: bool = False
    error: BaseException | None = None  # raised by the session to the application


async def run_schedule(schedule: Schedule, *, sockets: bool = False) -> Outcome:
    """Play ``schedule`` end to end (never longer than ``GUARD`` seconds).

    With ``sockets``, over loopback TCP with the default WebSocket client, else in memory.
    """
    emulator = Emulator(
        Scenario(faults=list(schedule.faults), chunk_delay=schedule.chunk_delay),
        reject_resume_while_open=schedule.reject_resume_while_open,
    )
    memory = MemoryConnector(emulator.handler)
    inner: Connector = memory
    url = "ws://emulator"
    if sockets:
        await emulator.start()
        inner, url = NativeConnector(), emulator.url
    outcome = Outcome(schedule, emulator, WireTap(inner, schedule.drain, schedule.cut_after))
    try:
        async with asyncio.timeout(GUARD):
            session = await realtalk.connect(
                "gemini",
                model="gemini-test",
                url=url,
                config=schedule.config,
                connector=outcome.tap,
                reconnect=POLICY,
                rng=random.Random(schedule.seed).random,
                handover=schedule.handover,
                silence_timeout=schedule.silence_timeout,
                # transparent mode runs on AI Studio paths here: the emulator accepts
                # it there, the real service only on Vertex (the capability check says so)
                check_capabilities=False,
            )
            outcome.run = ClientRun(session, schedule)
            await outcome.run.play()
            await outcome.run.close()
    except TimeoutError:
        outcome.hung = True
    except Exception as exc:
        outcome.error = exc
    finally:
        await memory.aclose()
        if sockets:
            await emulator.aclose()
    return outcome


# -- verification ----------------------------------------------------------------------------


def _key(data: bytes) -> tuple[str, str] | None:
    """The message key of a client frame: a text/content token or an answered call id."""
    message = json.loads(data)
    if "toolResponse" in message:
        responses = message["toolResponse"]["functionResponses"]
        return ("tool", responses[0]["id"])
    if "clientContent" in message or "text" in message.get("realtimeInput", {}):
        found = _TOKEN.search(data)
        return ("text", found.group().decode()) if found else None
    return None


def _setup_handle(conn: TappedConnection) -> str | None:
    if not conn.tx:
        return None
    setup = json.loads(conn.tx[0].data)["setup"]
    handle: str | None = setup.get("sessionResumption", {}).get("handle")
    return handle


def _history_keys(record: ConnectionRecord) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for entry in record.history:
        if entry.role == "user":
            token = _TOKEN_TEXT.search(entry.text)
            keys.append(("text", token.group() if token else entry.text))
        elif entry.role == "tool":
            call = _CALL_ID.search(entry.text)
            keys.append(("tool", call.group() if call else entry.text))
    return keys


def _segments(events: list[Event]) -> tuple[list[Event], list[list[Event]]]:
    """Split the stream at each ``Connected``: events before the first, then one list per link."""
    before: list[Event] = []
    links: list[list[Event]] = []
    for event in events:
        if isinstance(event, Connected):
            links.append([])
        (links[-1] if links else before).append(event)
    return before, links


def _is_setup_complete(data: bytes) -> bool:
    return any(isinstance(e, SetupComplete) for e in codec.decode_server(data))


def _is_wire(event: Event) -> bool:
    if isinstance(event, _LIFECYCLE):
        return False
    return not (isinstance(event, Error) and event.code == "reconnect_failed")


def _resumable(event: Event) -> str | None:
    if isinstance(event, ResumptionUpdate) and event.resumable and event.handle:
        return event.handle
    return None


@dataclass
class _Checker:
    outcome: Outcome
    problems: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.problems.append(text)

    @property
    def records(self) -> list[ConnectionRecord]:
        return self.outcome.emulator.connections

    @property
    def conns(self) -> list[TappedConnection | None]:
        """The client's connections, aligned with the server's records.

        A preconnect that a loss discarded while its handshake was still running (over
        sockets) reached the server but never the client: its record got no client
        message, and it stands here as None.
        """
        tapped = self.outcome.tap.conns
        aligned: list[TappedConnection | None] = []
        i = 0
        for record in self.records:
            if i < len(tapped) and (record.log or not tapped[i].tx):
                aligned.append(tapped[i])
                i += 1
            else:
                aligned.append(None)
        return aligned + list(tapped[i:])


def verify(outcome: Outcome) -> list[str]:
    """Check every guarantee of a run; returns the violations (empty when all hold).

    * The run ended: no hang, no exception, exactly one ``Closed``, last: 1000 from
      our close, or a fatal 1008 after which no connection was set up.
    * Frames: each link's events are, in order, the decoding of what that
      connection received after ``setupComplete`` (a prefix: nothing twice,
      nothing reordered, nothing invented); links map to distinct connections.
    * Hops: every link after the first follows ``Reconnecting(attempt=1)`` ...
      ``Connecting`` and starts ``Connected``, ``Resumed``; no fresh session.
    * Model side: link ``k`` is covered up to the handle link ``k + 1`` resumed
      from, which is the latest one it delivered; the covered output equals the
      model's part of the server's final history, once and in order, with one
      ``TurnComplete`` per user turn. (Output after that handle is not in the
      resumed state; the server may produce it again.)
    * Client side: transparent mode, the server's final history holds exactly the
      client's text, content and tool responses in send order; otherwise each at
      most once, in order, and missing exactly when :func:`_in_flight_window` says.
    """
    check = _Checker(outcome)
    run = outcome.run
    if outcome.error is not None:
        check.fail(f"the session raised {outcome.error!r} to the application")
        return check.problems
    if outcome.hung or run is None:
        check.fail(f"hung: no end within {GUARD} s")
        return check.problems
    if len(check.records) != len(check.conns):
        check.fail(f"{len(check.conns)} client connections, {len(check.records)} server records")
        return check.problems
    owners = {
        issued.handle: (record.number, issued.consumed)
        for record in check.records
        for issued in record.issued
    }
    _, links = _segments(run.events)
    numbers = _check_links(check, links, owners)
    fatal = _check_end(check, run)
    if numbers is None or fatal or check.problems:
        return check.problems
    _check_hops(check, run.events, links)
    covered = _check_coverage(check, links, numbers)
    if covered is not None:
        _check_model_side(check, covered, check.records[numbers[-1]])
    _check_client_side(check, run, check.records[numbers[-1]], owners)
    return check.problems


def _check_links(
    check: _Checker, links: list[list[Event]], owners: dict[str, tuple[int, int]]
) -> list[int] | None:
    """Map each link (run of events after a ``Connected``) to its connection; frame-exact.

    Returns the connection number of each link, or None when a link cannot be mapped.
    """
    numbers: list[int] = []
    for k, events in enumerate(links):
        wire = [e for e in events if _is_wire(e)]
        first = next((h for e in wire if (h := _resumable(e))), None)
        if not wire and k == len(links) - 1 and "setupComplete" in check.records[-1].sent:
            # closed by the application before its reader read anything: the last
            # connection, which delivered nothing
            numbers.append(check.records[-1].number)
            continue
        if first is None or first not in owners:
            check.fail(f"link {k}: no handle from its connection among {wire[:3]}")
            return None
        number = owners[first][0]
        if check.records[number].issued[0].handle != first:
            check.fail(f"link {k}: first handle is not connection {number}'s setup-time handle")
        if numbers and number <= numbers[-1]:
            check.fail(f"link {k}: connection {number} does not follow {numbers[-1]}")
        numbers.append(number)
        # every event the application got from this link is, in order, what the
        # connection received after setupComplete: nothing twice, nothing invented
        conn = check.conns[number]
        if conn is None:
            check.fail(f"link {k}: connection {number} never reached the client")
            return None
        rx = conn.rx
        start = next(
            i
            for i, f in enumerate(rx)
            if any(isinstance(e, SetupComplete) for e in codec.decode_server(f.data))
        )
        expected = [e for frame in rx[start + 1 :] for e in codec.decode_server(frame.data)]
        if wire != expected[: len(wire)]:
            check.fail(f"link {k} (connection {number}): events differ from the frames received")
    return numbers


def _check_end(check: _Checker, run: ClientRun) -> bool:
    """The session ends with one ``Closed``: ours (1000), or a fatal close. True if fatal."""
    closed = [i for i, e in enumerate(run.events) if isinstance(e, Closed)]
    if closed != [len(run.events) - 1]:
        check.fail(f"expected exactly one Closed, last; got positions {closed}")
        return False
    last = run.events[-1]
    assert isinstance(last, Closed)
    if run.ended_early:
        if (last.code, last.reason) != (1008, FATAL_REASON):
            check.fail(f"the session ended on its own without a fatal close: {last}")
        set_up = [r for r in check.records if r.log]
        if set_up[-1].close_code != 1008:
            check.fail("a fatal close was retried: another connection was set up after it")
        return True
    if last.code != 1000:
        check.fail(f"explicit close ended with {last}")
    errors = [e for e in run.events if isinstance(e, Error)]
    if any(e.code != "malformed" for e in errors):
        check.fail(f"unexpected errors: {errors}")
    malformed = sum(f.kind == "malformed" for f in check.outcome.schedule.faults)
    if len(errors) > malformed:
        check.fail(f"{len(errors)} malformed-frame errors for {malformed} malformed frames")
    if run.session.status is not realtalk.SessionStatus.CLOSED:
        check.fail(f"status after close: {run.session.status}")
    return False


def _check_hops(check: _Checker, events: list[Event], links: list[list[Event]]) -> None:
    """Every later connection is announced: Reconnecting, Connecting, Connected, Resumed."""
    if any(isinstance(e, ResumedFresh) for e in events):
        check.fail("a hop started a fresh session although a handle was always available")
    resumed = [e for e in events if isinstance(e, Resumed)]
    if len(resumed) != len(links) - 1:
        check.fail(f"{len(links)} links but {len(resumed)} Resumed events")
    for k in range(1, len(links)):
        previous, current = links[k - 1], links[k]
        if not isinstance(previous[-1], Connecting) or previous[-1].attempt < 1:
            check.fail(f"link {k}: not preceded by Connecting(attempt >= 1): {previous[-3:]}")
        reconnecting = [e for e in previous if isinstance(e, Reconnecting)]
        if not reconnecting or reconnecting[0].attempt != 1:
            check.fail(f"link {k}: no Reconnecting(attempt=1) before it")
        if len(current) < 2 or not isinstance(current[1], Resumed):
            check.fail(f"link {k}: Connected is not followed by Resumed: {current[:3]}")


def _check_coverage(
    check: _Checker, links: list[list[Event]], numbers: list[int]
) -> list[Event] | None:
    """Events covered by the state the session went on from (frames after it may come again).

    Link ``k`` is covered up to the handle the next link resumed from, which must be
    the latest handle the application saw on link ``k``; the last link entirely.
    """
    covered: list[Event] = []
    for k, events in enumerate(links):
        if k == len(links) - 1:
            covered += events
            break
        resumed_from = check.records[numbers[k + 1]].resumed_from
        positions = [i for i, e in enumerate(events) if _resumable(e)]
        last = positions[-1] if positions else None
        if last is None or _resumable(events[last]) != resumed_from:
            check.fail(f"link {k + 1} did not resume from the latest handle seen on link {k}")
            return None
        covered += events[: last + 1]
    return covered


def _check_model_side(check: _Checker, covered: list[Event], final: ConnectionRecord) -> None:
    """The model's covered output reached the application exactly once, as the server holds it."""
    items: list[tuple[str, str]] = []
    text = ""
    turns = 0
    for event in covered:
        if isinstance(event, TextDelta):
            text += event.text
        elif isinstance(event, ToolCall):
            items += [("tool_call", f"{c.name} {compact_json(c.args)}") for c in event.calls]
        elif isinstance(event, TurnComplete):
            if text:
                items.append(("text", text))
            text, turns = "", turns + 1
    held = [(e.kind, e.text) for e in final.history if e.role == "model"]
    if items != held:
        check.fail(f"model output delivered {items} but the server holds {held}")
    assert final.conversation is not None
    if turns != final.conversation.user_turns:
        check.fail(f"{turns} TurnComplete for {final.conversation.user_turns} user turns")


def _check_client_side(
    check: _Checker,
    run: ClientRun,
    final: ConnectionRecord,
    owners: dict[str, tuple[int, int]],
) -> None:
    """Client messages in the server's final state: exactly once (transparent), else
    at most once, in order, and missing only inside the in-flight window."""
    held = _history_keys(final)
    sent = run.sent
    if check.outcome.schedule.transparent:
        if held != sent:
            check.fail(f"transparent: the server holds {held}, the client sent {sent}")
        return
    if len(set(held)) != len(held):
        check.fail(f"duplicated in the server's state: {held}")
    it = iter(sent)
    if not all(key in it for key in held):
        check.fail(f"order not kept: the server holds {held}, the client sent {sent}")
    for key in sent:
        window = _in_flight_window(check, key, owners)
        if window is None:
            check.fail(f"{key} was never sent on any connection")
        elif key in held and window:
            check.fail(f"{key} is held although the handle resumed from excludes it")
        elif key not in held and not window:
            check.fail(f"{key} lost outside the in-flight window")


def _in_flight_window(
    check: _Checker, key: tuple[str, str], owners: dict[str, tuple[int, int]]
) -> bool | None:
    """Whether ``key`` falls in the documented in-flight window (None: never sent).

    Let connection ``c`` be the last one that carried the message, at index ``i``
    (the setup is 0), and ``H`` the handle the next connection resumed from. The
    message is in the window when ``c`` issued ``H`` covering only indices below
    ``i`` and the client received ``H`` on ``c`` after sending the message; for a
    conversation message (text, client content) a ``turnComplete`` must also have
    come in between (:mod:`realtalk.session.outbox`).
    """
    conns = check.conns
    carried = [
        (number, i, frame.seq)
        for number, conn in enumerate(conns)
        if conn is not None
        for i, frame in enumerate(conn.tx)
        if i and _key(frame.data) == key
    ]
    if not carried:
        return None
    c, index, sent_at = carried[-1]
    handle = next(
        (h for conn in conns[c + 1 :] if conn and (h := _setup_handle(conn)) is not None), None
    )
    if handle is None or handle not in owners:
        return False
    issuer, consumed = owners[handle]
    carrier = conns[c]
    assert carrier is not None
    rx = carrier.rx
    received = next((f.seq for f in rx if f.seq > sent_at and handle.encode() in f.data), None)
    if issuer != c or consumed >= index or received is None:
        return False
    if key[0] == "text":
        return any(sent_at < f.seq < received and _turn_complete(f.data) for f in rx)
    return True


def _turn_complete(data: bytes) -> bool:
    return bool(json.loads(data).get("serverContent", {}).get("turnComplete"))
