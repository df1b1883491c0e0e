"""Gemini Live endpoints: URLs, auth headers and model names (spec §1, §7).

Client side: :func:`ai_studio_endpoint` and :func:`vertex_endpoint` build an
:class:`Endpoint` (URL + headers) for the transport; :func:`model_resource_name`
writes the ``model`` of the setup. Server side: :func:`match_path` recognises a
request path. Credentials may be given as ``str`` or
:class:`~realtalk.protocol.secrets.Secret`; they never appear in a ``repr`` or in
an exception message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from realtalk.protocol.endpoint import Endpoint, redact_url
from realtalk.protocol.secrets import Secret, reveal

__all__ = [
    "AI_STUDIO_HOST",
    "AI_STUDIO_PATH_TEMPLATE",
    "AI_STUDIO_VERSIONS",
    "EPHEMERAL_TOKEN_PREFIX",
    "METHOD_BIDI",
    "METHOD_CONSTRAINED",
    "VERTEX_PATH_TEMPLATE",
    "VERTEX_VERSIONS",
    "Endpoint",
    "PathMatch",
    "Platform",
    "ai_studio_endpoint",
    "match_path",
    "model_resource_name",
    "redact_url",
    "vertex_endpoint",
    "vertex_host",
]

Platform = Literal["ai_studio", "vertex"]

#: Default AI Studio (Gemini Developer API) host (§1.1).
AI_STUDIO_HOST = "wss://generativelanguage.googleapis.com"
#: AI Studio path; ``{method}`` follows a dot (§1.1).
AI_STUDIO_PATH_TEMPLATE = "/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}"
#: Vertex path; ``BidiGenerateContent`` follows a slash (§1.3).
VERTEX_PATH_TEMPLATE = "/ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent"
#: Versions accepted on each platform (§7).
AI_STUDIO_VERSIONS = ("v1alpha", "v1beta", "v1")
VERTEX_VERSIONS = ("v1beta1", "v1")
#: Method for API-key auth and for ephemeral-token auth (§1.1).
METHOD_BIDI = "BidiGenerateContent"
METHOD_CONSTRAINED = "BidiGenerateContentConstrained"
#: Ephemeral tokens are resource names with this prefix (§1.1).
EPHEMERAL_TOKEN_PREFIX = "auth_tokens/"

_LOCATION_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _ws_url(base_url: str, path: str, query: Mapping[str, str]) -> str:
    """Join a base URL (``ws(s)://`` or ``http(s)://``) with the provider path and query.

    A base URL without a path (or with just ``/``) gets ``path``; one with a path is
    used as is. Extra query parameters are appended.
    """
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss") or not parts.netloc:
        shown = redact_url(base_url)
        raise ValueError(f"base_url must be a ws://, wss://, http:// or https:// URL: {shown!r}")
    full_path = path if parts.path in ("", "/") else parts.path
    params = parse_qsl(parts.query, keep_blank_values=True) + list(query.items())
    return urlunsplit(
        (scheme, parts.netloc, full_path, urlencode(params, safe="/", quote_via=quote), "")
    )


def ai_studio_endpoint(
    *,
    api_key: str | Secret | None = None,
    ephemeral_token: str | Secret | None = None,
    api_version: str | None = None,
    base_url: str | None = None,
    key_in_query: bool = False,
) -> Endpoint:
    """Build the Gemini Developer API (AI Studio) endpoint (spec §1.1).

    Args:
        api_key: API key, sent as ``x-goog-api-key`` (or ``?key=``). A key starting
            with ``auth_tokens/`` is treated as an ephemeral token.
        ephemeral_token: Ephemeral token (``auth_tokens/...``): uses the
            ``BidiGenerateContentConstrained`` method and ``Authorization: Token``
            (or ``?access_token=``).
        api_version: ``v1beta`` by default, ``v1alpha`` by default with an ephemeral token.
        base_url: Another server (emulator, proxy). Without a path (or with ``/``)
            the provider path is appended; with a path it is used as is.
        key_in_query: Put the credential in the query string instead of a header.

    Returns:
        The endpoint.

    Raises:
        ValueError: Both credentials are given, or ``base_url`` is not a WebSocket or
            HTTP URL.
    """
    if api_key is not None and ephemeral_token is not None:
        raise ValueError("pass api_key or ephemeral_token, not both")
    if api_key is not None and reveal(api_key).startswith(EPHEMERAL_TOKEN_PREFIX):
        api_key, ephemeral_token = None, api_key
    token = None if ephemeral_token is None else reveal(ephemeral_token)
    key = None if api_key is None else reveal(api_key)
    method = METHOD_BIDI if token is None else METHOD_CONSTRAINED
    version = api_version or ("v1beta" if token is None else "v1alpha")
    path = AI_STUDIO_PATH_TEMPLATE.format(version=version, method=method)
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    if token is not None:
        if key_in_query:
            query["access_token"] = token
        else:
            headers["Authorization"] = f"Token {token}"
    elif key is not None:
        if key_in_query:
            query["key"] = key
        else:
            headers["x-goog-api-key"] = key
    url = _ws_url(base_url or AI_STUDIO_HOST, path, query)
    return Endpoint(url=url, headers=headers, platform="ai_studio")


def vertex_host(location: str) -> str:
    """Return the Vertex host for ``location`` (spec §1.3).

    Raises:
        ValueError: ``location`` is empty or not a location name.
    """
    if not isinstance(location, str) or not _LOCATION_RE.fullmatch(location):
        raise ValueError(f"location must be a Vertex location such as 'us-central1': {location!r}")
    if location == "global":
        return "aiplatform.googleapis.com"
    if location in ("us", "eu"):
        return f"aiplatform.{location}.rep.googleapis.com"
    return f"{location}-aiplatform.googleapis.com"


def vertex_endpoint(
    *,
    location: str,
    access_token: str | Secret | None,
    api_version: str = "v1beta1",
    base_url: str | None = None,
    quota_project: str | None = None,
) -> Endpoint:
    """Build the Vertex AI endpoint (spec §1.3).

    Args:
        location: ``us-central1``, ``global``, ``us``, ``eu``, ...
        access_token: OAuth2 access token, sent as ``Authorization: Bearer``; None
            sends no credential (emulator, authenticating proxy).
        api_version: ``v1beta1`` (default) or ``v1``.
        base_url: Another server (emulator, proxy); replaces the regional host, and
            its path, when it has one, replaces the provider path.
        quota_project: Sent as ``x-goog-user-project``.

    Returns:
        The endpoint.

    Raises:
        ValueError: ``location`` is not a location name, or ``base_url`` is not a
            WebSocket or HTTP URL.
    """
    host = vertex_host(location)
    path = VERTEX_PATH_TEMPLATE.format(version=api_version)
    headers: dict[str, str] = {}
    if access_token is not None:
        headers["Authorization"] = f"Bearer {reveal(access_token)}"
    if quota_project:
        headers["x-goog-user-project"] = quota_project
    url = _ws_url(base_url or f"wss://{host}", path, {})
    return Endpoint(url=url, headers=headers, platform="vertex")


def model_resource_name(
    model: str,
    *,
    platform: Platform,
    project: str | None = None,
    location: str | None = None,
) -> str:
    """Return the ``model`` value for the setup message (spec §1.3, §1.4).

    Args:
        model: A bare id (``gemini-live-2.5-flash``), ``models/...``, or for Vertex
            ``publishers/...`` or a full ``projects/...`` name.
        platform: ``ai_studio`` -> ``models/{id}``; ``vertex`` ->
            ``projects/{p}/locations/{l}/publishers/google/models/{id}``.
        project: Vertex project (needed unless ``model`` is a full name).
        location: Vertex location (needed unless ``model`` is a full name).

    Returns:
        The resource name.

    Raises:
        ValueError: ``model`` is empty, or project/location are missing for Vertex.
    """
    if not model or not isinstance(model, str):
        raise ValueError("model must be a non-empty string")
    if platform == "ai_studio":
        if model.startswith(("models/", "tunedModels/")):
            return model
        return f"models/{model}"
    if model.startswith("projects/"):
        return model
    if not project or not location:
        raise ValueError(f"model {model!r} needs project and location on Vertex")
    if model.startswith("publishers/"):
        return f"projects/{project}/locations/{location}/{model}"
    model_id = model.removeprefix("models/")
    return f"projects/{project}/locations/{location}/publishers/google/models/{model_id}"


@dataclass(frozen=True, slots=True)
class PathMatch:
    """A recognised Live request path.

    Attributes:
        platform: ``ai_studio`` or ``vertex``.
        version: The API version in the path.
        method: ``BidiGenerateContent`` or ``BidiGenerateContentConstrained``.
    """

    platform: Platform
    version: str
    method: str

    @property
    def constrained(self) -> bool:
        """True for the ephemeral-token method."""
        return self.method == METHOD_CONSTRAINED


_AI_STUDIO_RE = re.compile(
    r"/ws/google\.ai\.generativelanguage\.(v1alpha|v1beta|v1)\.GenerativeService\."
    r"(BidiGenerateContent|BidiGenerateContentConstrained)"
)
_VERTEX_RE = re.compile(
    r"/ws/google\.cloud\.aiplatform\.(v1beta1|v1)\.LlmBidiService/(BidiGenerateContent)"
)


def match_path(path: str) -> PathMatch | None:
    """Recognise a Gemini Live request path, as a server does (spec §1, §7).

    Args:
        path: The request path; a query string, if present, is ignored.

    Returns:
        The platform, version and method, or None for any other path.
    """
    path = path.partition("?")[0]
    match = _AI_STUDIO_RE.fullmatch(path)
    if match is not None:
        return PathMatch("ai_studio", match.group(1), match.group(2))
    match = _VERTEX_RE.fullmatch(path)
    if match is not None:
        return PathMatch("vertex", match.group(1), match.group(2))
    return None
