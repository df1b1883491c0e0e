"""The emulator's REST side: ``POST /{version}/auth_tokens`` mints ephemeral tokens.

Tokens are remembered in a :class:`TokenStore` shared with the Live endpoint,
which accepts them on the constrained method (gemini-live.md §1.2). The clock is
injected so expiry can be tested without waiting.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from realtalk.errors import ProtocolError
from realtalk.protocol.gemini import codec, wire
from realtalk.protocol.gemini.tokens import (
    EphemeralToken,
    decode_token_request,
    encode_token_response,
)
from realtalk.protocol.secrets import Secret
from realtalk.transport.http import HttpReply, HttpRequest

__all__ = ["IssuedToken", "TokenStore", "apply_constraints", "rest_handler"]

_PATH = re.compile(r"^/(v1alpha|v1beta|v1)/auth_tokens$")
_DEFAULT_EXPIRE = timedelta(minutes=30)
_DEFAULT_NEW_SESSION = timedelta(minutes=1)


def _error(status: int, text: str, reason: str) -> HttpReply:
    body = {"error": {"code": status, "message": text, "status": reason}}
    return HttpReply(status, {}, msgspec.json.encode(body))


@dataclass
class IssuedToken:
    """A token the emulator minted, with its constraints and remaining uses."""

    name: str
    expire_time: datetime
    new_session_expire_time: datetime
    uses: int  # 0 = unlimited
    setup: dict[str, Any] | None = None
    field_mask: tuple[str, ...] | None = None
    sessions_started: int = 0


@dataclass
class TokenStore:
    """Tokens minted by one emulator."""

    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tokens: dict[str, IssuedToken] = field(default_factory=dict)

    def mint(self, body: bytes) -> IssuedToken:
        """Mint a token from a request body.

        Raises:
            ProtocolError: The body is invalid.
        """
        request = decode_token_request(body)
        now = self.now()
        try:
            expire = datetime.fromisoformat(request.expire_time) if request.expire_time else None
            new = (
                datetime.fromisoformat(request.new_session_expire_time)
                if request.new_session_expire_time
                else None
            )
        except ValueError:
            raise ProtocolError("Invalid value at 'expire_time' (timestamp)") from None
        mask = request.field_mask
        token = IssuedToken(
            name="auth_tokens/" + secrets.token_hex(16),
            expire_time=expire or now + _DEFAULT_EXPIRE,
            new_session_expire_time=new or now + _DEFAULT_NEW_SESSION,
            uses=1 if request.uses is None else request.uses,
            setup=request.bidi_generate_content_setup,
            field_mask=tuple(p.strip() for p in mask.split(",")) if mask else None,
        )
        self.tokens[token.name] = token
        return token

    def get(self, name: str) -> IssuedToken | None:
        """The token minted under ``name``, if any."""
        return self.tokens.get(name)

    def start_session(self, name: str, *, resuming: bool) -> str | None:
        """Account for a connection using token ``name``; returns why it is refused, if it is.

        Resuming a session does not use up a token (§1.2).
        """
        token = self.tokens.get(name)
        now = self.now()
        if token is None or now >= token.expire_time:
            return "API key not valid. Please pass a valid API key."
        if resuming:
            return None
        if now >= token.new_session_expire_time:
            return "The ephemeral token can no longer start new sessions."
        if token.uses and token.sessions_started >= token.uses:
            return "The ephemeral token has no uses left."
        token.sessions_started += 1
        return None


def rest_handler(
    store: TokenStore, *, require_auth: bool, api_keys: Collection[str] | None
) -> Callable[[HttpRequest], Any]:
    """The HTTP handler serving ``POST /{version}/auth_tokens``."""

    async def handle(request: HttpRequest) -> HttpReply:
        if not _PATH.match(request.target.path):
            return _error(404, "Not found.", "NOT_FOUND")
        if request.method != "POST":
            return _error(405, "Method not allowed.", "METHOD_NOT_ALLOWED")
        key = request.target.headers.get("x-goog-api-key") or request.target.query.get("key")
        if (require_auth or api_keys is not None) and (
            not key or (api_keys is not None and key not in api_keys)
        ):
            return _error(
                400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"
            )
        try:
            token = store.mint(request.body)
        except ProtocolError as exc:
            return _error(400, exc.reason, "INVALID_ARGUMENT")
        reply = EphemeralToken(
            name=Secret(token.name),
            expire_time=token.expire_time.isoformat(),
            new_session_expire_time=token.new_session_expire_time.isoformat(),
            uses=token.uses,
        )
        return HttpReply(200, {}, encode_token_response(reply))

    return handle


def apply_constraints(setup: wire.Setup, token: IssuedToken) -> wire.Setup:
    """The setup a session with ``token`` really gets: locked fields come from the token.

    Without a field mask the token's setup replaces the client's entirely; with one,
    each listed path (dot-separated, camelCase) takes the token's value, or is removed
    when the token does not set it (§1.2).
    """
    if token.setup is None:
        return setup
    client: dict[str, Any] = msgspec.json.decode(codec.encode_setup(setup))["setup"]
    if token.field_mask is None:
        merged = dict(token.setup)
    else:
        merged = client
        for path in token.field_mask:
            _copy_path(token.setup, merged, path.split("."))
    message = codec.decode_client(msgspec.json.encode({"setup": merged}), strict=False)
    assert message.setup is not None
    return message.setup


def _copy_path(source: dict[str, Any], target: dict[str, Any], keys: list[str]) -> None:
    head, rest = keys[0], keys[1:]
    if not rest:
        if head in source:
            target[head] = source[head]
        else:
            target.pop(head, None)
        return
    inner = source.get(head)
    branch = target.setdefault(head, {})
    if isinstance(inner, dict) and isinstance(branch, dict):
        _copy_path(inner, branch, rest)
    elif isinstance(branch, dict):
        _copy_path({}, branch, rest)
