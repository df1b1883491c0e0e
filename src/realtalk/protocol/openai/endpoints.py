"""OpenAI Realtime endpoints: URL, auth headers, client secrets (openai-realtime.md §1).

Client side: :func:`openai_endpoint` builds the :class:`~realtalk.protocol.endpoint.Endpoint`
(URL + headers) for the transport; :func:`encode_client_secret_request` /
:func:`decode_client_secret_response` are the Sans-I/O halves of minting an
ephemeral key (§1.3). Server side (the emulator): :func:`match_path`,
:func:`parse_subprotocols`, :func:`bearer_token`, :func:`decode_client_secret_request`,
:func:`encode_client_secret_response`. Credentials may be ``str`` or
:class:`~realtalk.protocol.secrets.Secret`; they never appear in a ``repr`` or an
exception message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import msgspec

from realtalk.errors import ProtocolError
from realtalk.protocol.endpoint import Endpoint, redact_url
from realtalk.protocol.secrets import Secret, reveal

__all__ = [
    "BETA_HEADER",
    "BETA_SUBPROTOCOL",
    "CLIENT_SECRETS_PATH",
    "EPHEMERAL_KEY_PREFIX",
    "INSECURE_KEY_SUBPROTOCOL",
    "OPENAI_HOST",
    "REALTIME_PATH",
    "REALTIME_SUBPROTOCOL",
    "ClientSecret",
    "SubprotocolAuth",
    "bearer_token",
    "client_secrets_url",
    "decode_client_secret_request",
    "decode_client_secret_response",
    "encode_client_secret_request",
    "encode_client_secret_response",
    "match_path",
    "openai_endpoint",
    "parse_subprotocols",
]

#: Default host (§1.1).
OPENAI_HOST = "wss://api.openai.com"
#: The Realtime WebSocket path (§1.1).
REALTIME_PATH = "/v1/realtime"
#: REST path for minting ephemeral keys (GA, §1.3).
CLIENT_SECRETS_PATH = "/v1/realtime/client_secrets"
#: Ephemeral keys start with this (§1.2, §1.3).
EPHEMERAL_KEY_PREFIX = "ek_"
#: The beta interface header (§1.2) — never sent to the GA interface.
BETA_HEADER = ("OpenAI-Beta", "realtime=v1")
#: Browser subprotocols (§1.2).
REALTIME_SUBPROTOCOL = "realtime"
INSECURE_KEY_SUBPROTOCOL = "openai-insecure-api-key."
BETA_SUBPROTOCOL = "openai-beta.realtime-v1"
_ORG_SUBPROTOCOL = "openai-organization."
_PROJECT_SUBPROTOCOL = "openai-project."


def _realtime_url(base_url: str, query: Mapping[str, str]) -> str:
    """Join a base URL with the Realtime path and the query (see :func:`openai_endpoint`)."""
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss") or not parts.netloc:
        shown = redact_url(base_url)
        raise ValueError(f"base_url must be a ws://, wss://, http:// or https:// URL: {shown!r}")
    path = parts.path.rstrip("/")
    if not path:
        path = REALTIME_PATH
    elif not path.endswith("/realtime"):
        path += "/realtime"
    params = parse_qsl(parts.query, keep_blank_values=True) + list(query.items())
    return urlunsplit((scheme, parts.netloc, path, urlencode(params, quote_via=quote), ""))


def openai_endpoint(
    *,
    model: str | None = None,
    api_key: str | Secret | None = None,
    base_url: str | None = None,
    organization: str | None = None,
    project: str | None = None,
    intent: str | None = None,
    call_id: str | None = None,
    beta: bool = False,
) -> Endpoint:
    """Build the Realtime WebSocket endpoint (§1.1, §1.2).

    Args:
        model: The model (``gpt-realtime``, ...), sent as ``?model=``. Needed unless
            ``intent`` or ``call_id`` is given.
        api_key: A standard API key (``sk-...``) or an ephemeral client secret
            (``ek_...``, §1.3); both go out as ``Authorization: Bearer``. None sends no
            credential (emulator, authenticating proxy).
        base_url: Another server (emulator, proxy), ``ws(s)://`` or ``http(s)://``.
            Without a path (or with ``/``) ``/v1/realtime`` is used; a path ending in
            ``/realtime`` is used as is; any other path is an API root (like the SDK's
            ``https://api.openai.com/v1``) and gets ``/realtime`` appended.
        organization: Sent as ``OpenAI-Organization``.
        project: Sent as ``OpenAI-Project``.
        intent: ``transcription`` opens a transcription-only session (``?intent=``).
        call_id: Attach to an existing WebRTC/SIP call (``?call_id=``, instead of a model).
        beta: Speak the retired beta interface (adds ``OpenAI-Beta: realtime=v1``).

    Returns:
        The endpoint (``platform="openai"``).

    Raises:
        ValueError: No model, intent or call id, or ``base_url`` is not a WebSocket
            or HTTP URL.
    """
    query: dict[str, str] = {}
    for name, value in (("model", model), ("intent", intent), ("call_id", call_id)):
        if value is not None:
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
            query[name] = value
    if not query:
        raise ValueError("pass a model (or an intent or call_id)")
    headers: dict[str, str] = {}
    if api_key is not None:
        headers["Authorization"] = f"Bearer {reveal(api_key)}"
    if organization:
        headers["OpenAI-Organization"] = organization
    if project:
        headers["OpenAI-Project"] = project
    if beta:
        headers[BETA_HEADER[0]] = BETA_HEADER[1]
    url = _realtime_url(base_url or OPENAI_HOST, query)
    return Endpoint(url=url, headers=headers, platform="openai")


# -- ephemeral client secrets (§1.3) -------------------------------------------------------


class ClientSecret(msgspec.Struct, frozen=True):
    """A minted ephemeral key. ``value`` is the credential to hand to the client.

    Attributes:
        value: The key (``ek_...``), wrapped so it never shows in a repr.
        expires_at: Unix seconds after which it can start no new session, if known.
        session: The session configuration bound to it (decoded JSON), if returned.
    """

    value: Secret
    expires_at: int | None = None
    session: dict[str, Any] | None = None


class _ExpiresAfter(msgspec.Struct):
    anchor: str = "created_at"
    seconds: int | None = None


class _SecretRequest(msgspec.Struct, omit_defaults=True):
    expires_after: _ExpiresAfter | None = None
    session: dict[str, Any] | None = None


class _SecretReply(msgspec.Struct):
    value: str | None = None
    expires_at: int | None = None
    session: dict[str, Any] | None = None
    client_secret: dict[str, Any] | None = None  # beta shape


def client_secrets_url(base_url: str | None = None) -> str:
    """The REST URL for minting keys; ``ws(s)://`` base URLs map to ``http(s)://``.

    A base URL with a path is an API root (``.../v1``) and gets ``/realtime/client_secrets``.

    Raises:
        ValueError: ``base_url`` is not an http(s) or ws(s) URL.
    """
    parts = urlsplit(base_url if base_url is not None else OPENAI_HOST)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url must be an http(s) or ws(s) URL, got {redact_url(str(base_url))!r}"
        )
    root = parts.path.rstrip("/")
    path = CLIENT_SECRETS_PATH if not root else root + "/realtime/client_secrets"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def encode_client_secret_request(
    session: Mapping[str, Any] | msgspec.Struct | None = None, *, seconds: int | None = None
) -> bytes:
    """The JSON body of ``POST /v1/realtime/client_secrets`` (§1.3).

    Args:
        session: The session configuration to bind (a wire ``Session`` or a mapping);
            ``type`` defaults to ``realtime``.
        seconds: Lifetime, 10-7200 (server default 600).

    Raises:
        ValueError: ``seconds`` is out of range.
        TypeError: ``session`` has the wrong type.
    """
    if seconds is not None and (type(seconds) is not int or not 10 <= seconds <= 7200):
        raise ValueError(f"seconds must be an int from 10 to 7200, got {seconds!r}")
    body: dict[str, Any] | None = None
    if isinstance(session, msgspec.Struct):
        body = msgspec.to_builtins(session)
    elif isinstance(session, Mapping):
        body = dict(session)
    elif session is not None:
        raise TypeError(f"session must be a Session or a mapping, not {type(session).__name__}")
    if body is not None:
        body.setdefault("type", "realtime")
    expires = None if seconds is None else _ExpiresAfter(seconds=seconds)
    return msgspec.json.encode(_SecretRequest(expires_after=expires, session=body))


def decode_client_secret_response(body: bytes | str) -> ClientSecret:
    """Parse the answer of a client-secret request (GA ``value``, or beta ``client_secret``).

    Raises:
        ProtocolError: The body holds no key.
    """
    try:
        reply = msgspec.json.decode(body, type=_SecretReply)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ProtocolError(f"invalid client_secrets response: {exc}") from None
    value, expires, session = reply.value, reply.expires_at, reply.session
    if value is None and reply.client_secret is not None:  # beta: the session object
        secret = reply.client_secret
        value = secret.get("value") if isinstance(secret.get("value"), str) else None
        exp = secret.get("expires_at")
        expires = exp if isinstance(exp, int) else None
        session = {k: v for k, v in msgspec.json.decode(body).items() if k != "client_secret"}
    if not value:
        raise ProtocolError("invalid client_secrets response: no value")
    return ClientSecret(value=Secret(value), expires_at=expires, session=session)


def decode_client_secret_request(body: bytes | str) -> tuple[int | None, dict[str, Any] | None]:
    """Server role: ``(seconds, session)`` of a client-secret request.

    Raises:
        ProtocolError: Not a valid request (bad JSON, anchor, or seconds out of range).
    """
    try:
        request = (
            msgspec.json.decode(body, type=_SecretRequest) if body.strip() else _SecretRequest()
        )
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ProtocolError(f"invalid client_secrets request: {exc}") from None
    seconds = None
    if request.expires_after is not None:
        if request.expires_after.anchor != "created_at":
            raise ProtocolError("invalid client_secrets request: anchor must be 'created_at'")
        seconds = request.expires_after.seconds
        if seconds is not None and not 10 <= seconds <= 7200:
            raise ProtocolError("invalid client_secrets request: seconds must be 10-7200")
    return seconds, request.session


def encode_client_secret_response(secret: ClientSecret) -> bytes:
    """Server role: the GA JSON answer for a minted key."""
    reply: dict[str, Any] = {"value": secret.value.reveal(), "expires_at": secret.expires_at}
    if secret.session is not None:
        reply["session"] = secret.session
    return msgspec.json.encode(reply)


# -- server side: recognising a connection ----------------------------------------------


def match_path(path: str) -> bool:
    """True when ``path`` (query ignored) is the Realtime WebSocket path (§1.1)."""
    return path.partition("?")[0].rstrip("/") == REALTIME_PATH


@dataclass(frozen=True, slots=True)
class SubprotocolAuth:
    """What a browser put in ``Sec-WebSocket-Protocol`` (§1.2).

    Attributes:
        api_key: From ``openai-insecure-api-key.<KEY>`` (a Secret), if offered.
        organization: From ``openai-organization.<ID>``.
        project: From ``openai-project.<ID>``.
        beta: ``openai-beta.realtime-v1`` was offered.
        realtime: ``realtime`` was offered (the server selects it).
    """

    api_key: Secret | None = None
    organization: str | None = None
    project: str | None = None
    beta: bool = False
    realtime: bool = False


def parse_subprotocols(offered: str | Iterable[str]) -> SubprotocolAuth:
    """Read the subprotocols a client offered (a header value or a list of names)."""
    names = offered.split(",") if isinstance(offered, str) else list(offered)
    key = org = project = None
    beta = realtime = False
    for name in (n.strip() for n in names):
        if name.startswith(INSECURE_KEY_SUBPROTOCOL):
            key = Secret(name[len(INSECURE_KEY_SUBPROTOCOL) :])
        elif name.startswith(_ORG_SUBPROTOCOL):
            org = name[len(_ORG_SUBPROTOCOL) :]
        elif name.startswith(_PROJECT_SUBPROTOCOL):
            project = name[len(_PROJECT_SUBPROTOCOL) :]
        elif name == BETA_SUBPROTOCOL:
            beta = True
        elif name == REALTIME_SUBPROTOCOL:
            realtime = True
    return SubprotocolAuth(key, org, project, beta, realtime)


def bearer_token(headers: Mapping[str, str]) -> Secret | None:
    """The credential of an ``Authorization: Bearer`` header (any header-name case)."""
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme, _, token = value.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return Secret(token.strip())
    return None
