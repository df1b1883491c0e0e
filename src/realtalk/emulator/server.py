"""The :class:`Emulator`: a local Gemini Live and OpenAI Realtime server for tests and benchmarks.

It serves the AI Studio and Vertex Live paths (gemini-live.md §1) and the OpenAI
Realtime path ``/v1/realtime`` (openai-realtime.md §1) on loopback, over ``ws://`` or
``wss://`` (a throwaway CA), or without sockets through :attr:`Emulator.handler` and
:class:`~realtalk.transport.memory.MemoryConnector`. Gemini connections are served by
:class:`~realtalk.emulator.gemini.GeminiConnection`, OpenAI ones by
:class:`~realtalk.emulator.openai_conn.OpenAIConnection`; the scenario, its ``once``
bookkeeping, the handle store and the connection records are shared by all
connections of one emulator.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from realtalk.emulator.config import Options, Shared
from realtalk.emulator.gemini import GeminiConnection
from realtalk.emulator.handles import DEFAULT_HANDLE_TTL, HandleStore
from realtalk.emulator.openai_conn import DEFAULT_SESSION_LIMIT, OpenAIConnection, OpenAIOptions
from realtalk.emulator.openai_link import OpenAIConnectionRecord
from realtalk.emulator.openai_rest import SecretStore, openai_rest_handler
from realtalk.emulator.records import ConnectionRecord
from realtalk.emulator.rest import TokenStore, rest_handler
from realtalk.emulator.scenario import Scenario
from realtalk.emulator.tls import TlsMaterial, make_tls
from realtalk.emulator.vad import DEFAULT_THRESHOLD
from realtalk.errors import ConfigError, TransportError
from realtalk.protocol.gemini.endpoints import (
    AI_STUDIO_PATH_TEMPLATE,
    METHOD_BIDI,
    VERTEX_PATH_TEMPLATE,
    match_path,
)
from realtalk.protocol.openai.endpoints import REALTIME_PATH
from realtalk.protocol.openai.endpoints import match_path as match_openai_path
from realtalk.transport.base import Connection, Handler, Request
from realtalk.transport.http import HttpServer, serve_http
from realtalk.transport.native import NativeConnector
from realtalk.transport.ws import HttpResponse, WsServer, serve

__all__ = ["Emulator"]

_OFFLINE_BASE = "ws://emulator.invalid"


def _positive_or_none(name: str, value: float | None) -> None:
    if value is not None and (value < 0 or not math.isfinite(value)):
        raise ConfigError(f"{name} must be a finite non-negative number, got {value}")


class Emulator:
    """A protocol-faithful Gemini Live and OpenAI Realtime server.

    Constructing it does no I/O; :meth:`start` (or ``async with``) starts listening.

    Args:
        scenario: Scripted behaviour; None = the plain echo assistant.
        host: Address to listen on.
        port: Port; 0 picks a free one (see :attr:`port`).
        tls: Serve ``wss://`` with a certificate from a throwaway CA (:attr:`ca_file`).
        model_allowlist: If given, only these models are accepted (full names or bare
            ids); others close with 1008. By default any well-formed name is accepted.
        strict: Reject unknown fields and enum values (1007) like Google does, and a
            model change on resumption; False ignores unknown fields.
        connection_lifetime: Seconds a connection lives before a 1011 close, with a
            ``goAway`` ``go_away_time_left`` seconds before (None = the scenario's,
            else unlimited).
        go_away_time_left: ``timeLeft`` of the ``goAway`` (None = the scenario's, else
            a tenth of the lifetime, at most 60 s).
        close_on_expiry: False keeps the socket open when the lifetime is up (None =
            the scenario's, default True).
        realtime: Pace output audio at playback speed instead of sending it as fast
            as possible.
        send_text_frames: Send text frames instead of binary frames.
        require_auth: Close with 1008 "API key not valid" when the request carries no
            credential (``?key=``, ``x-goog-api-key``, ``Authorization``, ...).
        api_keys: If given, the only credentials accepted (implies ``require_auth``).
        handle_ttl: Validity of resumption handles in seconds (2 h).
        vad_threshold: RMS level (16-bit scale) at which input audio counts as speech.
        strict_tool_wait: Close with 1008 on user input while a blocking call is unanswered.
        reject_resume_while_open: Refuse a resumption with 1011 while a connection of
            the same session is still open (some servers do); False accepts it.
        clock: Time source of the handle store (monotonic seconds).
        openai_session_limit: Seconds an OpenAI Realtime session lasts before
            ``error session_expired`` and a 1001 close (None = ``connection_lifetime``
            if set, else the service's 60 minutes).
        openai_idle_scale: Multiplier of the OpenAI server VAD idle-timeout wait (the
            response's audio duration plus ``idle_timeout_ms``); a small value lets
            tests run the idle path in milliseconds. The values clients send and see
            are not scaled.

    Raises:
        ConfigError: An option is out of range (``openai_idle_scale`` must be a
            finite positive number).
        TypeError: ``scenario`` is not a :class:`Scenario`.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        model_allowlist: Iterable[str] | None = None,
        strict: bool = True,
        connection_lifetime: float | None = None,
        go_away_time_left: float | None = None,
        close_on_expiry: bool | None = None,
        realtime: bool = False,
        send_text_frames: bool = False,
        require_auth: bool = False,
        api_keys: Iterable[str] | None = None,
        handle_ttl: float = DEFAULT_HANDLE_TTL,
        vad_threshold: float = DEFAULT_THRESHOLD,
        strict_tool_wait: bool = False,
        reject_resume_while_open: bool = False,
        clock: Callable[[], float] = time.monotonic,
        openai_session_limit: float | None = None,
        openai_idle_scale: float = 1.0,
    ) -> None:
        scenario = scenario if scenario is not None else Scenario()
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario must be a Scenario, not {type(scenario).__name__}")
        if not 0 <= port <= 65535:
            raise ConfigError(f"port must be within 0..65535, got {port}")
        if vad_threshold <= 0:
            raise ConfigError(f"vad_threshold must be positive, got {vad_threshold}")
        _positive_or_none("connection_lifetime", connection_lifetime)
        _positive_or_none("go_away_time_left", go_away_time_left)
        _positive_or_none("openai_session_limit", openai_session_limit)
        if (
            isinstance(openai_idle_scale, bool)
            or not isinstance(openai_idle_scale, (int, float))
            or not math.isfinite(openai_idle_scale)
            or openai_idle_scale <= 0
        ):
            raise ConfigError(
                f"openai_idle_scale must be a finite positive number, got {openai_idle_scale!r}"
            )
        lifetime = (
            connection_lifetime if connection_lifetime is not None else scenario.connection_lifetime
        )
        time_left = (
            go_away_time_left if go_away_time_left is not None else scenario.go_away_time_left
        )
        if time_left is None:
            time_left = min(60.0, lifetime / 10) if lifetime is not None else 60.0
        options = Options(
            strict=strict,
            model_allowlist=frozenset(model_allowlist) if model_allowlist is not None else None,
            require_auth=require_auth or api_keys is not None,
            api_keys=frozenset(api_keys) if api_keys is not None else None,
            connection_lifetime=lifetime,
            go_away_time_left=time_left,
            close_on_expiry=scenario.close_on_expiry
            if close_on_expiry is None
            else close_on_expiry,
            realtime=realtime,
            send_text_frames=send_text_frames,
            vad_threshold=vad_threshold,
            strict_tool_wait=strict_tool_wait,
            reject_resume_while_open=reject_resume_while_open,
        )
        self.host = host
        self._port = port
        self._tls_wanted = tls
        self._shared = Shared(scenario, options, HandleStore(handle_ttl, clock))
        limit = openai_session_limit if openai_session_limit is not None else lifetime
        self._openai = OpenAIOptions(
            session_limit=limit if limit is not None else DEFAULT_SESSION_LIMIT,
            idle_scale=float(openai_idle_scale),
        )
        self._server: WsServer | None = None
        self._rest: HttpServer | None = None
        self._tls: TlsMaterial | None = None

    # -- inspection ------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario in use."""
        return self._shared.scenario

    @property
    def options(self) -> Options:
        """The resolved options."""
        return self._shared.options

    @property
    def connections(self) -> list[ConnectionRecord]:
        """A record of every connection accepted so far, oldest first (live objects)."""
        return self._shared.records

    @property
    def tokens(self) -> TokenStore:
        """Ephemeral tokens minted through ``POST {rest_url}/v1alpha/auth_tokens``."""
        return self._shared.tokens

    @property
    def client_secrets(self) -> SecretStore:
        """OpenAI client secrets minted through ``POST {rest_url}/v1/realtime/client_secrets``."""
        return self._openai.secrets

    @property
    def handles(self) -> HandleStore:
        """The resumption handle store shared by all connections."""
        return self._shared.handles

    # -- serving ---------------------------------------------------------------------------
    @property
    def handler(self) -> Handler:
        """The connection handler, to serve without sockets: ``MemoryConnector(emu.handler)``."""
        return self._handle

    async def _handle(self, conn: Connection, request: Request) -> None:
        number = len(self._shared.records)
        if match_openai_path(request.path):
            openai_record = OpenAIConnectionRecord(number=number, request=request)
            self._shared.records.append(openai_record)
            await OpenAIConnection(conn, request, self._shared, self._openai, openai_record).run()
            return
        record = ConnectionRecord(number=number, request=request)
        self._shared.records.append(record)
        await GeminiConnection(conn, request, self._shared, record).run()

    async def start(self) -> None:
        """Start listening. Not safe to cancel halfway (call :meth:`aclose` after).

        Raises:
            RuntimeError: Already started.
            TransportError: The address cannot be bound.
            ConfigError: ``tls=True`` but trustme is not installed.
        """
        if self._server is not None:
            raise RuntimeError("the emulator is already started")
        context = None
        if self._tls_wanted:
            self._tls = make_tls(self.host)
            context = self._tls.server_context
        try:
            self._server = await serve(
                self._handle, self.host, self._port, ssl=context, http_handler=_refuse_unknown_path
            )
            rest = openai_rest_handler(
                self._openai.secrets,
                rest_handler(
                    self.tokens,
                    require_auth=self.options.require_auth,
                    api_keys=self.options.api_keys,
                ),
                require_auth=self.options.require_auth,
                api_keys=self.options.api_keys,
            )
            self._rest = await serve_http(rest, self.host, 0, ssl=context)
        except OSError as exc:
            self._cleanup_tls()
            raise TransportError(
                f"cannot listen on {self.host}:{self._port}: {exc.strerror}"
            ) from None

    async def aclose(self) -> None:
        """Stop listening, close open connections and wait for them; idempotent."""
        server, self._server = self._server, None
        rest, self._rest = self._rest, None
        try:
            if rest is not None:
                await rest.aclose()
            if server is not None:
                await server.aclose()
        finally:
            self._cleanup_tls()

    def _cleanup_tls(self) -> None:
        if self._tls is not None:
            self._tls.cleanup()
            self._tls = None

    async def serve_forever(self) -> None:
        """Wait until cancelled (the server runs in the background). Safe to cancel."""
        await asyncio.get_running_loop().create_future()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- addresses -------------------------------------------------------------------------
    def _running(self) -> WsServer:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return self._server

    @property
    def port(self) -> int:
        """The port listened on.

        Raises:
            RuntimeError: Not started.
        """
        return self._running().port

    @property
    def url(self) -> str:
        """The base URL, without a path: ``ws://127.0.0.1:PORT`` (``wss://`` with TLS).

        Raises:
            RuntimeError: Not started.
        """
        scheme = "wss" if self._tls_wanted else "ws"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def rest_url(self) -> str:
        """Base URL of the REST side (``POST {rest_url}/v1alpha/auth_tokens``).

        The WebSocket library serves only GET upgrades, so REST has its own port.

        Raises:
            RuntimeError: Not started.
        """
        if self._rest is None:
            raise RuntimeError("the emulator is not started")
        scheme = "https" if self._tls_wanted else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self._rest.port}"

    def endpoint_url(
        self, platform: str = "ai_studio", version: str | None = None, method: str = METHOD_BIDI
    ) -> str:
        """The full Live URL of one platform (works unstarted, for in-memory use).

        Args:
            platform: ``ai_studio``, ``vertex`` or ``openai`` (``/v1/realtime``; clients
                add ``?model=``).
            version: API version (``v1beta`` / ``v1beta1`` by default).
            method: AI Studio method (``BidiGenerateContent`` or ``...Constrained``).

        Raises:
            ValueError: Unknown platform.
        """
        base = self.url if self._server is not None else _OFFLINE_BASE
        if platform == "openai":
            return base + REALTIME_PATH
        if platform == "ai_studio":
            return base + AI_STUDIO_PATH_TEMPLATE.format(version=version or "v1beta", method=method)
        if platform == "vertex":
            return base + VERTEX_PATH_TEMPLATE.format(version=version or "v1beta1")
        raise ValueError(f"platform must be 'ai_studio', 'vertex' or 'openai', got {platform!r}")

    @property
    def ca_file(self) -> Path | None:
        """The PEM file of the throwaway CA while serving TLS, else None."""
        return self._tls.ca_file if self._tls is not None else None

    def ssl_client_context(self) -> ssl.SSLContext:
        """A client SSL context trusting the emulator's CA.

        Raises:
            RuntimeError: Not serving TLS.
        """
        if self._tls is None:
            raise RuntimeError("the emulator is not serving TLS")
        return self._tls.client_context()

    def connector(self) -> NativeConnector:
        """A WebSocket connector able to reach this emulator (trusting its CA with TLS)."""
        return NativeConnector(ssl=self.ssl_client_context() if self._tls is not None else None)


_NOT_FOUND = HttpResponse(404, b'{"error": {"code": 404, "status": "NOT_FOUND"}}')


async def _refuse_unknown_path(request: Request) -> HttpResponse | None:
    """Refuse the upgrade with 404 for paths that are neither a Live endpoint nor
    ``/v1/realtime`` (like the services).

    Over the in-memory transport there is no HTTP step; the connection handler
    closes such connections with 1008 instead.
    """
    known = match_path(request.path) is not None or match_openai_path(request.path)
    return None if known else _NOT_FOUND
