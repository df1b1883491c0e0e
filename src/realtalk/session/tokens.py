"""Minting ephemeral tokens through the REST endpoint (gemini-live.md §1.2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from realtalk.errors import ConnectError
from realtalk.protocol.gemini import endpoints, wire
from realtalk.protocol.gemini.protocol import build_setup
from realtalk.protocol.gemini.tokens import (
    EphemeralToken,
    auth_tokens_url,
    decode_token_response,
    encode_token_request,
)
from realtalk.protocol.secrets import Secret, reveal
from realtalk.session.options import SessionOptions
from realtalk.transport.http import http_request

__all__ = ["create_ephemeral_token"]


async def create_ephemeral_token(
    api_key: str | Secret,
    *,
    uses: int | None = 1,
    expire_time: datetime | None = None,
    new_session_expire_time: datetime | None = None,
    model: str | None = None,
    config: wire.Setup | Mapping[str, Any] | None = None,
    lock: Sequence[str] | None = None,
    base_url: str | None = None,
    api_version: str = "v1alpha",
    ca_file: str | None = None,
) -> EphemeralToken:
    """Mint an ephemeral token a client can connect with instead of the API key.

    Run this where the API key lives (your server); hand ``token.name.reveal()``
    to the client, which connects with ``realtalk.connect(..., api_key=token)`` or
    ``ephemeral_token=token``. Resuming a session does not use up a token.

    Args:
        api_key: The API key that pays for the sessions.
        uses: Sessions the token may start (0 = unlimited, None = server default 1).
        expire_time: When the token stops working (timezone-aware; server default
            30 minutes).
        new_session_expire_time: When it stops starting new sessions (default 1 minute).
        model: Lock sessions to this model (with ``config``, the setup constraints).
        config: Setup constraints (same shape as :func:`realtalk.connect`'s config).
        lock: Setup fields to lock; None with a model/config locks all of them.
        base_url: REST base URL (the emulator's ``rest_url``, a proxy); default Google's.
        api_version: API version of the endpoint (``v1alpha``).
        ca_file: Trust this CA bundle (for a local TLS emulator).

    Bounded by a 30 s safety limit; wrap in :func:`asyncio.timeout` for less.

    Returns:
        The token; its ``name`` is a :class:`~realtalk.Secret`.

    Raises:
        TypeError, ValueError: Bad arguments.
        ConnectError: The request failed or was refused (the status is in the message).
        ProtocolError: The answer is not a token.
    """
    key = reveal(api_key) if isinstance(api_key, (str, Secret)) else None
    if not key:
        raise TypeError("api_key must be a non-empty str or Secret")
    setup = None
    if model is not None or config is not None:
        if model is None:
            raise ValueError("model is required when config constrains the setup")
        resource = endpoints.model_resource_name(model, platform="ai_studio")
        setup = build_setup(resource, config)
    body = encode_token_request(
        uses=uses,
        expire_time=expire_time,
        new_session_expire_time=new_session_expire_time,
        setup=setup,
        lock=lock,
    )
    ssl = SessionOptions(ca_file=ca_file).tls_context()
    reply = await http_request(
        "POST",
        auth_tokens_url(base_url, api_version),
        body=body,
        headers={"x-goog-api-key": key, "Content-Type": "application/json"},
        ssl=ssl,
    )
    if reply.status != 200:
        raise ConnectError(f"auth_tokens request refused: HTTP {reply.status}")
    return decode_token_response(reply.body)
