"""Session options: every tunable of a connection, validated in one place.

Each option is a keyword of :func:`realtalk.connect`. A wrong type raises
:class:`TypeError`, a wrong value :class:`ValueError`; both name the option.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from ssl import SSLContext, create_default_context
from typing import Any, Literal

from realtalk.protocol.secrets import Secret
from realtalk.session.policy import ReconnectPolicy
from realtalk.transport.base import Connector

__all__ = ["SessionOptions"]

Platform = Literal["ai_studio", "vertex"]


def _check_number(name: str, value: object, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


def _check_str(name: str, value: object) -> None:
    if value is not None and not isinstance(value, (str, Secret)):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Options of one session (all keyword arguments of :func:`realtalk.connect`).

    Attributes:
        platform: ``"ai_studio"`` (Gemini Developer API, default) or ``"vertex"``.
        api_version: Override the API version in the path (e.g. ``"v1alpha"``).
        ephemeral_token: An ``auth_tokens/...`` token instead of an API key.
        access_token: Vertex OAuth2 bearer token.
        project: Vertex project (for the model resource name).
        location: Vertex location (host and model resource name), default ``us-central1``.
        key_in_query: Send the API key as ``?key=`` instead of a header.
        headers: Extra request headers.
        setup_timeout: Seconds to wait for the setup handshake to complete.
        connect_timeout: Seconds for TCP + TLS + WebSocket upgrade.
        close_timeout: Seconds to wait for the closing handshake.
        ping_interval: Seconds between keepalive pings (None: no pings).
        ping_timeout: Seconds to wait for a pong before the connection counts as
            dead (None: wait forever). Tolerant by default: slow pongs are common.
        max_message_size: Largest incoming message in bytes (default 16 MiB).
        ring_size: Events kept for slow readers before they see ``Lagged``.
        ssl: TLS context for ``wss://`` (e.g. to trust a local CA).
        ca_file: Path of a CA bundle to trust, a shortcut for ``ssl``.
        connector: Injected transport (tests use an in-memory one).
        reconnect: The :class:`ReconnectPolicy` for lost connections; None ends the
            session on the first loss.
        rng: Random source in [0, 1) for backoff jitter (injected in tests).
        handover: goAway strategy: ``"preconnect"`` (open the next socket early; at
            the switch close the old one, then set up the new one) or ``"overlap"``
            (set up the resumed session before closing the old one).
        go_away_margin: Seconds before goAway's ``timeLeft`` runs out at which the
            session switches even if no safe point came.
        silence_timeout: Seconds without any server frame while a reply is expected
            after which the session resumes on a new connection (None: off).
        outbox_max_bytes: Bound of the replay outbox; senders wait when it is full.
        audio_ttl: Seconds after which unacknowledged audio is not replayed.
        record_to: Write every frame to this JSON-lines file (secrets scrubbed).
        token_provider: An async callable returning a fresh credential, awaited
            before every connect and reconnect (Vertex access token; on AI Studio an
            ``auth_tokens/...`` ephemeral token or an API key).
        check_capabilities: Check the config against the capability table of the
            provider, platform and model at connect: errors raise ``ConfigError``
            naming the setting, doubts warn (``RealtalkWarning``). False skips it.
    """

    platform: Platform = "ai_studio"
    api_version: str | None = None
    ephemeral_token: str | Secret | None = None
    access_token: str | Secret | None = None
    project: str | None = None
    location: str | None = None
    key_in_query: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    setup_timeout: float = 15.0
    connect_timeout: float = 10.0
    close_timeout: float = 5.0
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 60.0
    max_message_size: int = 16 * 1024 * 1024
    ring_size: int = 1024
    ssl: SSLContext | None = None
    ca_file: str | os.PathLike[str] | None = None
    connector: Connector | None = None
    reconnect: ReconnectPolicy | None = field(default_factory=ReconnectPolicy)
    rng: Callable[[], float] | None = None
    handover: Literal["preconnect", "overlap"] = "preconnect"
    go_away_margin: float = 5.0
    silence_timeout: float | None = None
    outbox_max_bytes: int = 8 * 1024 * 1024
    audio_ttl: float = 2.0
    record_to: str | os.PathLike[str] | None = None
    token_provider: Callable[[], Awaitable[str]] | None = None
    check_capabilities: bool = True

    def __post_init__(self) -> None:
        if self.platform not in ("ai_studio", "vertex"):
            raise ValueError(f"platform must be 'ai_studio' or 'vertex', got {self.platform!r}")
        for name in ("api_version", "ephemeral_token", "access_token", "project", "location"):
            _check_str(name, getattr(self, name))
        if not isinstance(self.check_capabilities, bool):
            raise TypeError("check_capabilities must be a bool")
        if not isinstance(self.key_in_query, bool):
            raise TypeError("key_in_query must be a bool")
        if not isinstance(self.headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()
        ):
            raise TypeError("headers must be a mapping of str to str")
        for name in ("setup_timeout", "connect_timeout", "close_timeout"):
            _check_number(name, getattr(self, name))
        for name in ("ping_interval", "ping_timeout"):
            _check_number(name, getattr(self, name), allow_none=True)
        if self.reconnect is not None and not isinstance(self.reconnect, ReconnectPolicy):
            raise TypeError("reconnect must be a ReconnectPolicy or None")
        if self.rng is not None and not callable(self.rng):
            raise TypeError("rng must be a callable returning a float in [0, 1)")
        if self.handover not in ("preconnect", "overlap"):
            raise ValueError(f"handover must be 'preconnect' or 'overlap', got {self.handover!r}")
        _check_number("go_away_margin", self.go_away_margin)
        _check_number("silence_timeout", self.silence_timeout, allow_none=True)
        if isinstance(self.audio_ttl, bool) or not isinstance(self.audio_ttl, (int, float)):
            raise TypeError("audio_ttl must be a number")
        if self.audio_ttl < 0:
            raise ValueError(f"audio_ttl must be >= 0, got {self.audio_ttl!r}")
        if self.token_provider is not None and not callable(self.token_provider):
            raise TypeError("token_provider must be an async callable returning a str")
        if self.record_to is not None and not isinstance(self.record_to, (str, os.PathLike)):
            raise TypeError("record_to must be a path")
        for name in ("max_message_size", "ring_size", "outbox_max_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value!r}")
        if self.ssl is not None and not isinstance(self.ssl, SSLContext):
            raise TypeError("ssl must be an ssl.SSLContext")
        if self.ca_file is not None and not isinstance(self.ca_file, (str, os.PathLike)):
            raise TypeError("ca_file must be a path")
        if self.connector is not None and not callable(self.connector):
            raise TypeError("connector must be callable (url, headers) -> Connection")

    @classmethod
    def from_kwargs(cls, options: Mapping[str, Any]) -> SessionOptions:
        """Build from :func:`realtalk.connect` keywords.

        Raises:
            TypeError: An unknown option, or a wrong type.
            ValueError: A wrong value.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(
                f"unknown option {unknown[0]!r}; known options: {', '.join(sorted(known))}"
            )
        return cls(**options)

    def tls_context(self) -> SSLContext | None:
        """The TLS context to use: ``ssl`` if given, else one trusting ``ca_file``."""
        if self.ssl is not None:
            return self.ssl
        if self.ca_file is not None:
            return _context_for(os.fspath(self.ca_file))
        return None


@functools.lru_cache(maxsize=16)
def _context_for(ca_file: str) -> SSLContext:
    """One client context per CA file: each context costs memory, sessions can share it."""
    return create_default_context(cafile=ca_file)
