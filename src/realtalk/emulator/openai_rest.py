"""Ephemeral client secrets of the OpenAI emulator (openai-realtime.md §1.3).

``POST {rest_url}/v1/realtime/client_secrets`` mints an ``ek_...`` key with the
protocol layer's server-role halves (:func:`decode_client_secret_request`,
:func:`encode_client_secret_response`). The Realtime endpoint then accepts the
key as a bearer token (or ``openai-insecure-api-key.`` subprotocol) until it
expires — expiry only limits *starting* sessions — and the session configuration
bound to it becomes the initial configuration of those sessions: a realtime
session (§3.1) or a transcription session (§3.3, which needs no ``?model=``). The
clock is injected so expiry can be tested without waiting.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import msgspec

from realtalk.emulator.openai_output import RequestError
from realtalk.emulator.openai_session import SessionConfig
from realtalk.errors import ProtocolError
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.codec import decode_client
from realtalk.protocol.openai.endpoints import (
    CLIENT_SECRETS_PATH,
    EPHEMERAL_KEY_PREFIX,
    ClientSecret,
    bearer_token,
    decode_client_secret_request,
    encode_client_secret_response,
)
from realtalk.protocol.secrets import Secret
from realtalk.transport.http import HttpReply, HttpRequest

__all__ = ["DEFAULT_SECRET_SECONDS", "MintedSecret", "SecretStore", "openai_rest_handler"]

#: Lifetime of a client secret when the request does not say (§1.3).
DEFAULT_SECRET_SECONDS = 600

RestHandler = Callable[[HttpRequest], Awaitable[HttpReply]]


@dataclass(frozen=True, slots=True)
class MintedSecret:
    """A key the emulator minted: its expiry (unix seconds) and bound session, if any."""

    value: str
    expires_at: int
    session: dict[str, Any] | None


@dataclass
class SecretStore:
    """Client secrets minted by one emulator."""

    now: Callable[[], float] = field(default=time.time)
    secrets: dict[str, MintedSecret] = field(default_factory=dict)

    def mint(self, body: bytes) -> MintedSecret:
        """Mint a key from a request body.

        Raises:
            ProtocolError: The body is invalid.
        """
        seconds, session = decode_client_secret_request(body)
        if session is not None:
            kind = session.get("type", "realtime")
            if kind not in ("realtime", "transcription"):
                raise ProtocolError(
                    "invalid client_secrets request: session.type must be 'realtime' or "
                    "'transcription'"
                )
            session = {**session, "type": kind}
            update = msgspec.json.encode({"type": "session.update", "session": session})
            event = decode_client(update, interface="ga")  # ClientEventError is a ProtocolError
            assert isinstance(event, wire.SessionUpdate)
            bound = {k: v for k, v in session.items() if k != "model"}
            try:  # the checks a session.update gets
                probe = SessionConfig(None, "sess", 0, kind="transcription")
                if kind == "realtime":
                    probe = SessionConfig("model", "sess", 0)
                probe.update(msgspec.convert(bound, wire.Session), audio_sent=False, event_id=None)
            except RequestError as exc:
                raise ProtocolError(f"invalid client_secrets request: {exc.message}") from None
        value = EPHEMERAL_KEY_PREFIX + secrets.token_hex(16)
        lifetime = seconds if seconds is not None else DEFAULT_SECRET_SECONDS
        minted = MintedSecret(value, int(self.now()) + lifetime, session)
        self.secrets[value] = minted
        return minted

    def usable(self, value: str) -> MintedSecret | None:
        """The secret ``value`` if it exists and may still start a session."""
        minted = self.secrets.get(value)
        return minted if minted is not None and self.now() < minted.expires_at else None


def _error(status: int, message: str, code: str | None) -> HttpReply:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None}}
    body["error"]["code"] = code
    return HttpReply(status, {}, msgspec.json.encode(body))


def openai_rest_handler(
    store: SecretStore,
    fallback: RestHandler,
    *,
    require_auth: bool,
    api_keys: Collection[str] | None,
) -> RestHandler:
    """Serve ``POST /v1/realtime/client_secrets``; every other request goes to ``fallback``."""

    async def handle(request: HttpRequest) -> HttpReply:
        if request.target.path.rstrip("/") != CLIENT_SECRETS_PATH:
            return await fallback(request)
        if request.method != "POST":
            return _error(405, "Method not allowed.", None)
        bearer = bearer_token(request.target.headers)
        key = bearer.reveal() if bearer is not None else None
        if (require_auth or api_keys is not None) and (
            key is None or (api_keys is not None and key not in api_keys)
        ):
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        try:
            minted = store.mint(request.body)
        except ProtocolError as exc:
            return _error(400, exc.reason, "invalid_value")
        bound = minted.session or {}
        kind = bound.get("type", "realtime")
        obj = "realtime.transcription_session" if kind == "transcription" else "realtime.session"
        session = {"type": kind, "object": obj, **bound}
        reply = ClientSecret(
            value=Secret(minted.value), expires_at=minted.expires_at, session=session
        )
        return HttpReply(200, {}, encode_client_secret_response(reply))

    return handle
