"""Reconnection policy: backoff delays and the retry-or-fatal decision (pure, no I/O).

Two pieces the session runner combines (ARCHITECTURE §4, STYLE rule 5):

* :class:`ReconnectPolicy` yields the delay before each reconnection attempt:
  exponential (``base * 2**n``) capped at ``max``, with jitter drawn from an
  *injected* random source, for at most ``attempts`` attempts.
* :func:`classify_close` decides from the structured close information (the close
  code, and who closed) whether a lost connection is worth reconnecting.

Neither touches a clock, a socket or the global random state; tests drive them with
a fixed ``rng`` and plain integers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FATAL_CODES",
    "RETRY_CODES",
    "CloseDecision",
    "Jitter",
    "ReconnectPolicy",
    "classify_close",
    "is_quota_reason",
]

Jitter = Literal["full", "equal", "none"]
_JITTERS: tuple[str, ...] = ("full", "equal", "none")

#: Close codes after which reconnecting (and resuming) can succeed (gemini-live.md §6.10).
#: 1000 is here only for a close the *server* chose; see :func:`classify_close`.
RETRY_CODES = frozenset(
    {
        1000,  # normal close by the server (e.g. a proxy or the end of a connection's life)
        1001,  # going away (server restart, connection time limit)
        1005,  # close frame without a status code
        1006,  # abnormal closure: the network dropped, no close frame
        1011,  # internal error / UNAVAILABLE / DEADLINE_EXCEEDED (not quota, see below)
        1012,  # service restart
        1013,  # try again later
        1014,  # bad gateway
    }
)
#: Close codes that reconnecting cannot fix: the request itself was refused.
FATAL_CODES = frozenset(
    {
        1002,  # protocol error
        1003,  # unsupported data
        1007,  # INVALID_ARGUMENT: bad field, bad config, expired API key
        1008,  # NOT_FOUND / PERMISSION_DENIED / UNIMPLEMENTED / bad resumption handle
        1009,  # message too big
        1010,  # mandatory extension
        1015,  # TLS failure
    }
)

_QUOTA_RE = re.compile(r"RESOURCE_EXHAUSTED|\bquota|\bbilling\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CloseDecision:
    """Whether to reconnect after a connection ended, and why.

    Attributes:
        retry: True to reconnect (with backoff, resuming where possible).
        reason: A short explanation of the decision, for logs and the event stream.
    """

    retry: bool
    reason: str

    @property
    def verdict(self) -> Literal["retry", "fatal"]:
        """``"retry"`` or ``"fatal"``."""
        return "retry" if self.retry else "fatal"


def is_quota_reason(reason: str) -> bool:
    """Return whether a close reason reports exhausted quota or billing.

    The Live API closes with 1011 both for transient failures (UNAVAILABLE,
    DEADLINE_EXCEEDED) and for RESOURCE_EXHAUSTED (too many sessions, quota, billing),
    and gives no structure beyond the reason text (gemini-live.md §6.10). This is the
    one place realtalk looks at close-reason text: it matches the status token
    ``RESOURCE_EXHAUSTED`` and the words *quota* and *billing*, case-insensitively.
    :func:`classify_close` consults it only for code 1011.

    Args:
        reason: The close reason sent by the server.

    Returns:
        True when the reason names quota or billing exhaustion.

    Raises:
        TypeError: ``reason`` is not a ``str``.
    """
    if not isinstance(reason, str):
        raise TypeError(f"reason must be a str, not {type(reason).__name__}")
    return _QUOTA_RE.search(reason) is not None


def classify_close(code: int | None, reason: str = "", *, by_client: bool = False) -> CloseDecision:
    """Decide whether to reconnect after a connection ended (gemini-live.md §6.10).

    The decision uses the structured facts only: the close code and who closed.
    The sole exception is code 1011, whose reason text is checked with
    :func:`is_quota_reason` because the service marks quota exhaustion no other way.

    * ``by_client=True``: the application closed the session; never reconnect
      (this is how a normal 1000 close is told apart from a server-chosen 1000).
    * ``None`` (the connection failed without any close code, e.g. a network error
      while connecting or reading) and the codes in :data:`RETRY_CODES`: retry.
    * 1011 with a quota / billing / ``RESOURCE_EXHAUSTED`` reason: fatal.
    * The codes in :data:`FATAL_CODES` (1007, 1008, ...): fatal; surface the reason.
    * Application codes 4000-4999 and anything unrecognised: fatal, because nothing
      says a retry could succeed (the runner's attempt limit would be the only stop).

    Args:
        code: The close code received, or None when there was none at all.
        reason: The close reason received (may be empty).
        by_client: True when this side initiated the close.

    Returns:
        The decision with a short explanation.

    Raises:
        TypeError: ``code`` is not an ``int`` or None, or ``reason`` is not a ``str``.
    """
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise TypeError(f"code must be an int or None, not {type(code).__name__}")
    if not isinstance(reason, str):
        raise TypeError(f"reason must be a str, not {type(reason).__name__}")
    if by_client:
        return CloseDecision(False, "closed by the client")
    if code is None:
        return CloseDecision(True, "connection failed without a close code")
    if code == 1011 and is_quota_reason(reason):
        return CloseDecision(False, f"1011 quota or billing exhausted: {reason}")
    if code in RETRY_CODES:
        return CloseDecision(True, f"{code} is transient")
    if code in FATAL_CODES:
        return CloseDecision(False, f"{code} refused by the server: {reason}".rstrip(": "))
    return CloseDecision(False, f"{code} is not a known retryable close code")


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {value}")
    return float(value)


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Exponential backoff with jitter, bounded in delay and in attempts.

    The delay before attempt ``n`` (0-based) is ``min(max, base * 2**n)`` with
    jitter applied from a random value ``r`` in ``[0, 1)``:

    * ``"full"``: ``delay * r`` (AWS "full jitter"; spreads reconnect storms best),
    * ``"equal"``: ``delay / 2 + delay / 2 * r``,
    * ``"none"``: ``delay``.

    A ``goAway`` hop is not a retry and takes no delay; this policy covers losses.

    Args:
        base: Delay before the first retry, in seconds (before jitter).
        max: Cap of every delay, in seconds; at least ``base``.
        attempts: How many retries at most; None = unlimited, 0 = never retry.
        jitter: ``"full"``, ``"equal"`` or ``"none"``.

    Raises:
        TypeError: A field has the wrong type (the message names it).
        ValueError: A field is out of range (the message names it).
    """

    base: float = 0.5
    max: float = 5.0
    attempts: int | None = 10
    jitter: Jitter = "full"

    def __post_init__(self) -> None:
        base = _number("base", self.base)
        cap = _number("max", self.max)
        if cap < base:
            raise ValueError(f"max must be at least base ({base}), got {cap}")
        if self.attempts is not None:
            if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
                raise TypeError(
                    f"attempts must be an int or None, not {type(self.attempts).__name__}"
                )
            if self.attempts < 0:
                raise ValueError(f"attempts must not be negative, got {self.attempts}")
        if not isinstance(self.jitter, str):
            raise TypeError(f"jitter must be a str, not {type(self.jitter).__name__}")
        if self.jitter not in _JITTERS:
            raise ValueError(f"jitter must be one of {', '.join(_JITTERS)}; got {self.jitter!r}")

    def delay(self, attempt: int, r: float = 0.0) -> float:
        """Return the delay before retry ``attempt`` (0-based) for the random value ``r``.

        Args:
            attempt: The retry number, 0 for the first.
            r: A random value in ``[0, 1)`` (ignored with ``jitter="none"``).

        Returns:
            The delay in seconds, within ``[0, max]``.

        Raises:
            ValueError: ``attempt`` is negative or ``r`` is outside ``[0, 1)``.
        """
        if attempt < 0:
            raise ValueError(f"attempt must not be negative, got {attempt}")
        # 2**1000 already exceeds any finite max / base ratio worth having; the cap
        # keeps the float power from overflowing (a product of inf is capped by min).
        return self._jittered(min(self.max, self.base * 2.0 ** min(attempt, 1000)), r)

    def _jittered(self, ceiling: float, r: float) -> float:
        if not 0.0 <= r < 1.0:
            raise ValueError(f"the random source must return values in [0, 1), got {r}")
        if self.jitter == "full":
            return ceiling * r
        if self.jitter == "equal":
            return ceiling / 2 + ceiling / 2 * r
        return ceiling

    def delays(self, rng: Callable[[], float] | None = None) -> Iterator[float]:
        """Yield the delay before each retry, ``attempts`` values (forever if None).

        Args:
            rng: The random source, returning floats in ``[0, 1)``; it is called once
                per delay (also with ``jitter="none"``, so sequences stay aligned).
                None uses a fresh, privately seeded :class:`random.Random`.

        Yields:
            Delays in seconds, each within ``[0, max]``.

        Raises:
            ValueError: ``rng`` returned a value outside ``[0, 1)`` (raised on iteration).
        """
        if rng is None:
            import random  # only the default source; injected sources never need it

            rng = random.Random().random
        ceiling = min(self.base, self.max)
        n = 0
        while self.attempts is None or n < self.attempts:
            yield self._jittered(ceiling, rng())
            n += 1
            if ceiling < self.max:
                ceiling = min(ceiling * 2, self.max)
