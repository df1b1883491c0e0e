"""The session supervisor: keeps a session alive across losses and goAway hops.

:class:`Supervisor` is the half of :class:`~realtalk.session.runner.Runner` that
decides *when* to change connections; the runner itself opens, activates, reads
and retires them (:mod:`realtalk.session.runner`). After the first connection,
one supervisor task (:meth:`Supervisor._supervise`) waits to be woken, or for its
next deadline, and handles:

* **Losses.** When the current link ends, :func:`~realtalk.session.policy.classify_close`
  decides from the close code whether to reconnect. Retries follow the
  :class:`~realtalk.session.policy.ReconnectPolicy`; each attempt resumes with the
  latest resumable handle when there is one, else starts fresh and says so. A
  resume refused as a policy violation (1008) forgets the handle and starts fresh;
  running out of attempts ends the session with ``ReconnectFailed``.
* **goAway.** The next socket is opened while the old one still works; the switch
  happens at a safe point (the model's turn is over and covered by a handle, no call
  unanswered) or at ``timeLeft`` minus a margin, whichever comes first. Strategy
  ``"preconnect"`` closes the old socket and then sets up the new one;
  ``"overlap"`` sets up the new one before closing the old. :meth:`Supervisor.hop`
  asks for the same switch on purpose (a setup the open connection cannot take).
* **Silence.** A server that leaves a message needing an answer unanswered for
  ``silence_timeout`` seconds is abandoned, and the session reconnects as after a loss.

Every step is visible in the event stream: ``Reconnecting``, ``Connecting``,
``Connected``, ``Resumed`` or ``ResumedFresh``, and finally ``Closed``.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable

from realtalk.errors import (
    ConnectError,
    ConnectionClosed,
    ReconnectFailed,
    SessionClosed,
    SetupError,
)
from realtalk.protocol.events import Closed, Connecting, Error, Reconnecting
from realtalk.session.link import Link, ProviderProtocol, Recorder, connect_link, handshake
from realtalk.session.options import SessionOptions
from realtalk.session.policy import classify_close
from realtalk.session.resume import ResumeTracker
from realtalk.session.ring import EventRing
from realtalk.session.state import SessionStatus, StatusMachine
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Connector

__all__ = ["Supervisor"]


class Supervisor(ABC):
    """Reconnects, hops on goAway and watches for silence; the base of ``Runner``.

    It holds no state of its own: the attributes below are declared here, set by
    :class:`~realtalk.session.runner.Runner` and shared with it, and the link
    operations it needs are the runner's (the abstract methods). Runner's hot paths
    (reading, sending) are plain methods of the runner and never go through here.
    """

    # -- shared with the runner (set in Runner.__init__) ------------------------------
    protocol: ProviderProtocol
    options: SessionOptions
    ring: EventRing
    state: StatusMachine
    tracker: ResumeTracker
    _connector: Connector
    _clock: Callable[[], float]
    _recorder: Recorder | None
    _link: Link | None  # the current link; None while disconnected
    _links: int  # connections opened so far (numbers the next one)
    _wake: asyncio.Event  # wakes the supervisor: a loss, an answer, a deadline to re-check
    _lost: tuple[int | None, str] | None  # close code and reason of the lost current link
    _go_away_deadline: float | None  # switch connections by then
    _hop_cause: str  # the cause the next hop reports
    _hop_done: asyncio.Future[None] | None  # resolved when a requested hop completes
    _awaiting_reply_since: float | None  # silence watchdog: waiting since then
    _closing: bool
    _closed_event: Closed | None
    _failure: SessionClosed | None  # why the session ended, if not by the application

    # -- link operations (Runner) -------------------------------------------------------
    @abstractmethod
    async def _open_link(self, handle: str | None, conn: Connection | None = None) -> Link:
        """Open (unless ``conn`` is given) and set up the next connection."""

    @abstractmethod
    async def _activate(
        self, link: Link, *, resumed: bool | None, fresh_reason: str | None, since: float
    ) -> None:
        """Make ``link`` current (replay, reader, announcement)."""

    @abstractmethod
    def _detach(self, link: Link | None) -> None:
        """``link`` stops being current."""

    @abstractmethod
    async def _stop_link(self, link: Link | None) -> None:
        """Retire ``link``: not current, socket closed, reader ended."""

    @abstractmethod
    def _finish(self, code: int | None, reason: str) -> None:
        """End the session: publish ``Closed(code, reason)`` once and close the ring."""

    @abstractmethod
    def _closed_error(self) -> SessionClosed:
        """The error a call on the ended session raises."""

    # -- planned hops -------------------------------------------------------------------
    async def hop(self, cause: str, within: float) -> None:
        """Switch to a new connection at the next safe point, or within ``within`` seconds.

        Used to apply a configuration the provider cannot change on an open
        connection: the new connection resumes the conversation with the new setup.
        Returns once the new connection is ready.

        Raises:
            SessionClosed: The session ended before the switch.
        """
        if self._closing or self._closed_event is not None:
            raise self._closed_error()
        if self._hop_done is None:
            self._hop_done = asyncio.get_running_loop().create_future()
        done = self._hop_done
        deadline = self._clock() + within
        if self._go_away_deadline is None or deadline < self._go_away_deadline:
            self._go_away_deadline = deadline
            self._hop_cause = cause
        self._wake.set()
        await asyncio.shield(done)

    # -- supervising ---------------------------------------------------------------------
    def _timer(self) -> float | None:
        """Seconds until the supervisor must look again without being woken."""
        now = self._clock()
        deadlines = []
        if self._go_away_deadline is not None:
            deadlines.append(self._go_away_deadline)
        silence = self.options.silence_timeout
        if silence is not None and self._awaiting_reply_since is not None:
            deadlines.append(self._awaiting_reply_since + silence)
        return max(0.0, min(deadlines) - now) if deadlines else None

    async def _supervise(self) -> None:
        code: int | None = ABNORMAL_CLOSURE
        reason = ""
        prepared: asyncio.Task[Connection] | None = None
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._timer()):
                        await self._wake.wait()
                self._wake.clear()
                if self._closing:
                    # the application ended the session: a loss racing with it is moot
                    code, reason = 1000, ""
                    break
                now = self._clock()
                if self._lost is not None:
                    lost_code, lost_reason = self._lost
                    _discard(prepared)
                    prepared = None
                    self._go_away_deadline = None
                    outcome = await self._recover(lost_code, lost_reason)
                    if outcome is not None:
                        code, reason = outcome
                        break
                    continue
                if self._go_away_deadline is not None:
                    if prepared is None:
                        prepared = asyncio.get_running_loop().create_task(self._preconnect())
                    if self.tracker.safe_point or now >= self._go_away_deadline:
                        outcome = await self._hop(prepared)
                        prepared = None
                        if outcome is not None:
                            code, reason = outcome
                            break
                    continue
                silence = self.options.silence_timeout
                since = self._awaiting_reply_since
                if silence is not None and since is not None and now - since >= silence:
                    self._awaiting_reply_since = None
                    self._abandon_current("server silent")
        except Exception as exc:  # a bug must end the session visibly, not leave it hanging
            code, reason = 1011, f"internal error: {type(exc).__name__}"
            self.ring.publish(Error(code="internal", message=f"session runner failed: {exc!r}"))
        finally:
            _discard(prepared)
            await self._stop_link(self._link)
            self._finish(code, reason)

    def _abandon_current(self, cause: str) -> None:
        """Give up the current link (e.g. silent server) and reconnect with resumption."""
        link = self._link
        if link is not None:
            link.conn.abort()
            self._lost = (None, cause)
            self._wake.set()

    async def _preconnect(self) -> Connection:
        """Open the next socket early (make-before-break); no setup yet."""
        return await connect_link(
            self._links + 1,
            self.protocol,
            self._connector,
            self._recorder,
            self.options.token_provider,
        )

    async def _hop(self, prepared: asyncio.Task[Connection]) -> tuple[int | None, str] | None:
        """Switch to a new connection after goAway. Returns close info if the session ends."""
        old = self._link
        started = self._clock()
        self._go_away_deadline = None
        self.state.to(SessionStatus.RECONNECTING)
        self.ring.publish(Reconnecting(attempt=1, delay=0.0, cause=self._hop_cause))
        self._hop_cause = "goAway"
        try:
            conn = await prepared
        except ConnectError as exc:
            await self._stop_link(old)
            return await self._reconnect_loop(None, str(exc), since=started, first_attempt=2)
        handle, why = self.tracker.usable_handle(self._clock())
        # The new connection resumes from ``handle``: from here on the old one's
        # events are not delivered and acknowledge nothing (with "overlap" it stays
        # open meanwhile). Its output past ``handle`` is not in the resumed state.
        self._detach(old)
        if self.options.handover == "preconnect":
            await self._stop_link(old)
        self.ring.publish(Connecting(attempt=1))
        self._links += 1
        try:
            link = await handshake(
                self._links, conn, self.protocol, handle, self.options.setup_timeout, self._recorder
            )
        except SetupError as exc:
            conn.abort()
            await self._stop_link(old)
            if exc.code == 1008 and handle is not None:
                self.tracker.forget()
            return await self._reconnect_loop(exc.code, exc.reason, since=started, first_attempt=2)
        await self._stop_link(old)
        try:
            await self._activate(link, resumed=handle is not None, fresh_reason=why, since=started)
        except ConnectionClosed as exc:
            link.conn.abort()
            if not classify_close(exc.code, exc.reason).retry:
                return exc.code, exc.reason
            return await self._reconnect_loop(exc.code, exc.reason, since=started, first_attempt=2)
        return None

    async def _recover(self, code: int | None, reason: str) -> tuple[int | None, str] | None:
        """The current link was lost: reconnect if the close allows it."""
        lost_at = self._clock()
        await self._stop_link(self._link)
        decision = classify_close(code, reason)
        if self.options.reconnect is None or not decision.retry:
            if code is None:
                return ABNORMAL_CLOSURE, reason
            return code, reason
        self.state.to(SessionStatus.RECONNECTING)
        return await self._reconnect_loop(code, reason, since=lost_at, first_attempt=1)

    async def _reconnect_loop(
        self, code: int | None, reason: str, *, since: float, first_attempt: int
    ) -> tuple[int | None, str] | None:
        """Retry with the policy until connected; returns close info when giving up."""
        policy = self.options.reconnect
        if policy is None:
            return code if code is not None else ABNORMAL_CLOSURE, reason
        self.tracker.connection_ended(since)
        if self.state.status is not SessionStatus.RECONNECTING:
            self.state.to(SessionStatus.RECONNECTING)
        cause = f"closed {code}: {reason}".rstrip(": ") if code is not None else reason or "dropped"
        handle_rejected: str | None = None
        attempt = first_attempt - 1
        for delay in policy.delays(self.options.rng):
            attempt += 1
            self.ring.publish(Reconnecting(attempt=attempt, delay=delay, cause=cause))
            if delay and await self._sleep_unless_closing(delay):
                return 1000, ""
            if self._closing:
                return 1000, ""
            if handle_rejected is None:
                handle, why = self.tracker.usable_handle(self._clock())
            else:
                handle, why = None, handle_rejected
            self.ring.publish(Connecting(attempt=attempt))
            try:
                link = await self._open_link(handle)
            except ConnectError as exc:
                code, reason, cause = None, str(exc), str(exc)
                continue
            except SetupError as exc:
                code, reason = exc.code, exc.reason
                cause = f"setup refused {code}: {reason}" if code else reason
                if code == 1008 and handle is not None:
                    # A resume refused as a policy violation: the handle is unknown or
                    # expired on the server. Start fresh next time instead of looping.
                    self.tracker.forget()
                    handle_rejected = f"resumption handle rejected ({code}): {reason}"
                    continue
                if code is not None and not classify_close(code, reason).retry:
                    return self._give_up(code, reason, attempt)
                continue
            try:
                await self._activate(
                    link, resumed=handle is not None, fresh_reason=why, since=since
                )
            except ConnectionClosed as exc:
                link.conn.abort()
                code, reason = exc.code, exc.reason
                cause = f"closed {code} during replay: {reason}".rstrip(": ")
                if not classify_close(code, reason).retry:
                    return self._give_up(code, reason, attempt)
                continue
            return None
        return self._give_up(code, reason, attempt)

    def _give_up(self, code: int | None, reason: str, attempts: int) -> tuple[int | None, str]:
        self._failure = ReconnectFailed(reason, code=code, attempts=attempts)
        self.ring.publish(Error(code="reconnect_failed", message=str(self._failure)))
        return (code if code is not None else ABNORMAL_CLOSURE), reason

    async def _sleep_unless_closing(self, delay: float) -> bool:
        """Sleep ``delay`` seconds; True if the session started closing meanwhile."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                while not self._closing:
                    await self._wake.wait()
                    self._wake.clear()
        return self._closing


def _discard(task: asyncio.Task[Connection] | None) -> None:
    """Cancel a preconnect that is no longer wanted and abort its socket if it opened."""
    if task is None:
        return
    if task.done():
        if not task.cancelled() and task.exception() is None:
            task.result().abort()
    else:
        task.cancel()
