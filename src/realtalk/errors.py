"""The realtalk exception tree.

Every exception realtalk raises on purpose derives from :class:`RealtalkError`.
Third-party exceptions (websockets, OSError, ssl) are mapped to this tree at the
transport boundary and never leak to callers. Misuse of a public call with a
wrong type or value raises the builtin :class:`TypeError` / :class:`ValueError`
naming the parameter; :class:`ConfigError` is also a ``ValueError``.

::

    RealtalkError
    ├── ConfigError (ValueError)          invalid configuration or options
    ├── ProtocolError                     bytes that do not follow the wire protocol
    ├── TransportError                    the network layer failed
    │   ├── ConnectError                  could not connect (refused, TLS, HTTP status, timeout)
    │   └── ConnectionClosed              the connection ended; carries code and reason
    └── SessionError                      session-level failures
        ├── SetupError                    handshake refused or timed out; carries code and reason
        └── SessionClosed                 an operation on a session that is closed
            └── ReconnectFailed           the session ended because it could not reconnect

    RealtalkWarning (UserWarning)         a setting the provider or model probably ignores

Close codes follow RFC 6455: 1006 means the connection dropped without a close frame.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConnectError",
    "ConnectionClosed",
    "ProtocolError",
    "RealtalkError",
    "RealtalkWarning",
    "ReconnectFailed",
    "SessionClosed",
    "SessionError",
    "SetupError",
    "TransportError",
]


class RealtalkError(Exception):
    """Root of every exception realtalk raises on purpose."""


class ConfigError(RealtalkError, ValueError):
    """A configuration value or option is invalid. The message names the setting."""


class ProtocolError(RealtalkError):
    """Data that does not follow the wire protocol.

    Attributes:
        reason: A short human-readable description, suitable as a WebSocket close
            reason (the emulator closes with 1007 and this text).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransportError(RealtalkError):
    """The network layer failed."""


class ConnectError(TransportError):
    """A connection could not be opened.

    Attributes:
        status: The HTTP status of a refused WebSocket upgrade, if any.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ConnectionClosed(TransportError):
    """The connection is closed.

    Attributes:
        code: The close code received (1006 when the peer vanished without a close frame).
        reason: The close reason received, possibly empty.
    """

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"connection closed: {code} {reason}".rstrip())
        self.code = code
        self.reason = reason


class SessionError(RealtalkError):
    """A session-level failure."""


class SetupError(SessionError):
    """The server refused the session setup, or the handshake did not finish in time.

    Attributes:
        code: The WebSocket close code the server sent (None on a timeout or a
            connection failure before any close frame).
        reason: The server's close reason, or a description of the failure.
    """

    def __init__(self, reason: str, *, code: int | None = None) -> None:
        text = f"setup failed ({code}): {reason}" if code is not None else f"setup failed: {reason}"
        super().__init__(text)
        self.code = code
        self.reason = reason


class SessionClosed(SessionError):
    """The session is closed; nothing more can be sent on it."""

    def __init__(self, message: str = "session is closed") -> None:
        super().__init__(message)


class ReconnectFailed(SessionClosed):
    """The connection was lost and could not be re-established; the session is over.

    Attributes:
        code: The close code that ended the last connection or attempt (None if none).
        reason: The server's reason or a description of the last failure.
        attempts: How many reconnection attempts were made.
    """

    def __init__(self, reason: str, *, code: int | None = None, attempts: int = 0) -> None:
        super().__init__(f"session closed: reconnect failed after {attempts} attempts: {reason}")
        self.code = code
        self.reason = reason
        self.attempts = attempts


class RealtalkWarning(UserWarning):
    """A setting the chosen provider or model probably ignores or handles differently."""
