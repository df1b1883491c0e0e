"""Ephemeral tokens (gemini-live.md §1.2), Sans-I/O: the REST request and its answer.

A server holding the API key mints short-lived ``auth_tokens/...`` tokens for
clients (browsers, phones) with ``POST /v1alpha/auth_tokens``. A token can lock
parts of the session setup: with a setup and no field mask every setup field is
locked; with a field mask only the listed paths are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec

from realtalk.errors import ProtocolError
from realtalk.protocol.gemini import codec, wire
from realtalk.protocol.gemini.endpoints import AI_STUDIO_HOST
from realtalk.protocol.secrets import Secret

__all__ = [
    "EphemeralToken",
    "TokenRequest",
    "auth_tokens_url",
    "decode_token_request",
    "decode_token_response",
    "encode_token_request",
    "encode_token_response",
]


class TokenRequest(msgspec.Struct, rename="camel", omit_defaults=True, frozen=True):
    """The body of ``POST auth_tokens`` (every field optional)."""

    uses: int | None = None
    expire_time: str | None = None
    new_session_expire_time: str | None = None
    bidi_generate_content_setup: dict[str, Any] | None = None
    field_mask: str | None = None


class _TokenResponse(msgspec.Struct, rename="camel", omit_defaults=True):
    name: str
    uses: int | None = None
    expire_time: str | None = None
    new_session_expire_time: str | None = None


class EphemeralToken(msgspec.Struct, frozen=True):
    """A minted token. ``name`` is the credential to hand to the client.

    Attributes:
        name: The token (``auth_tokens/...``), wrapped so it never shows in a repr.
        expire_time: When sessions using it stop being served (RFC 3339), if known.
        new_session_expire_time: When it stops starting new sessions, if known.
        uses: How many sessions it may start (0 = unlimited), if known.
    """

    name: Secret
    expire_time: str | None = None
    new_session_expire_time: str | None = None
    uses: int | None = None


def auth_tokens_url(base_url: str | None = None, api_version: str = "v1alpha") -> str:
    """The REST URL for minting tokens; ``ws(s)://`` base URLs map to ``http(s)://``."""
    parts = urlsplit(base_url if base_url is not None else AI_STUDIO_HOST)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    if scheme not in ("http", "https"):
        raise ValueError(f"base_url must be an http(s) or ws(s) URL, got {base_url!r}")
    path = parts.path.rstrip("/") + f"/{api_version}/auth_tokens"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def _timestamp(name: str, value: datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.isoformat()


def encode_token_request(
    *,
    uses: int | None = 1,
    expire_time: datetime | None = None,
    new_session_expire_time: datetime | None = None,
    setup: wire.Setup | None = None,
    lock: Sequence[str] | None = None,
) -> bytes:
    """Encode the JSON body of a token request (§1.2).

    Args:
        uses: Sessions the token may start (0 = unlimited; None = server default).
        expire_time: End of the token's validity (timezone-aware).
        new_session_expire_time: Last moment a new session may start with it.
        setup: Setup constraints applied to sessions started with the token.
        lock: Setup field paths to lock (e.g. ``["model", "generationConfig.temperature"]``);
            None with a setup locks every field.

    Raises:
        TypeError, ValueError: An argument of the wrong type or value.
    """
    if uses is not None and (isinstance(uses, bool) or not isinstance(uses, int) or uses < 0):
        raise ValueError(f"uses must be an int >= 0, got {uses!r}")
    if lock is not None and (isinstance(lock, str) or not all(isinstance(p, str) for p in lock)):
        raise TypeError("lock must be a sequence of field paths")
    if lock is not None and setup is None:
        raise ValueError("lock needs a setup whose fields it locks")
    setup_json = None
    if setup is not None:
        setup_json = msgspec.json.decode(codec.encode_setup(setup))["setup"]
    request = TokenRequest(
        uses=uses,
        expire_time=_timestamp("expire_time", expire_time),
        new_session_expire_time=_timestamp("new_session_expire_time", new_session_expire_time),
        bidi_generate_content_setup=setup_json,
        field_mask=",".join(lock) if lock is not None else None,
    )
    return msgspec.json.encode(request)


def decode_token_response(body: bytes) -> EphemeralToken:
    """Parse the answer of a token request.

    Raises:
        ProtocolError: The body is not a token.
    """
    try:
        reply = msgspec.json.decode(body, type=_TokenResponse)
    except msgspec.DecodeError as exc:
        raise ProtocolError(f"invalid auth_tokens response: {exc}") from None
    if not reply.name.startswith("auth_tokens/"):
        raise ProtocolError("invalid auth_tokens response: name is not an auth_tokens/ name")
    return EphemeralToken(
        name=Secret(reply.name),
        expire_time=reply.expire_time,
        new_session_expire_time=reply.new_session_expire_time,
        uses=reply.uses,
    )


def decode_token_request(body: bytes) -> TokenRequest:
    """Server role: parse a token request body (camelCase or snake_case keys).

    Raises:
        ProtocolError: Not a valid request.
    """
    try:
        raw = msgspec.json.decode(body) if body.strip() else {}
        if not isinstance(raw, dict):
            raise ProtocolError("Invalid JSON payload received.")
        fixed = {_camel(k): v for k, v in raw.items()}
        return msgspec.convert(fixed, TokenRequest)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ProtocolError(f"Invalid JSON payload received. {exc}") from None


def encode_token_response(token: EphemeralToken) -> bytes:
    """Server role: the JSON answer for a minted token."""
    reply = _TokenResponse(
        name=token.name.reveal(),
        uses=token.uses,
        expire_time=token.expire_time,
        new_session_expire_time=token.new_session_expire_time,
    )
    return msgspec.json.encode(reply)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.title() for word in rest)
