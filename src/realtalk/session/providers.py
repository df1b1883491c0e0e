"""Building a provider's protocol object from :func:`realtalk.connect`'s arguments.

Credentials (arguments, environment, token providers), endpoints, the setup or
session config (native or :class:`~realtalk.protocol.config.RealtimeConfig`) and
the capability check at connect all live here, so ``session.py`` only holds the
session itself.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping

from realtalk.errors import ConfigError, RealtalkWarning
from realtalk.protocol import capabilities
from realtalk.protocol.config import Issue, RealtimeConfig, to_gemini_setup, to_openai_session
from realtalk.protocol.endpoint import Endpoint
from realtalk.protocol.gemini import endpoints, wire
from realtalk.protocol.gemini.protocol import GeminiProtocol, build_setup
from realtalk.protocol.openai.protocol import OpenAIProtocol, openai_protocol
from realtalk.protocol.secrets import Secret
from realtalk.session.options import SessionOptions

__all__ = ["api_key_arg", "gemini_protocol", "openai_protocol_for", "secret"]


_KEY_VARIABLES = {"gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"), "openai": ("OPENAI_API_KEY",)}


def api_key_arg(provider: str, api_key: object, url: str | None) -> str | None:
    if api_key is None:
        if url is None:
            return next(
                (os.environ[v] for v in _KEY_VARIABLES[provider] if os.environ.get(v)), None
            )
        return None
    if isinstance(api_key, Secret):
        return api_key.reveal()
    if not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, not {type(api_key).__name__}")
    if not api_key:
        raise ValueError("api_key must not be empty")
    return api_key


def secret(value: str | Secret | None) -> str | None:
    return value.reveal() if isinstance(value, Secret) else value


def _endpoint_builder(
    url: str | None, api_key: str | None, opts: SessionOptions
) -> Callable[[str | None], endpoints.Endpoint]:
    """A function building the endpoint for a credential (a token provider's result).

    ``None`` uses the credentials given to :func:`connect`. A fresh credential is
    an access token on Vertex; on AI Studio an ``auth_tokens/...`` value is an
    ephemeral token and anything else an API key.
    """
    version: dict[str, str] = {"api_version": opts.api_version} if opts.api_version else {}

    def build(credential: str | None) -> endpoints.Endpoint:
        if opts.platform == "vertex":
            endpoint = endpoints.vertex_endpoint(
                location=opts.location or "us-central1",
                access_token=credential or secret(opts.access_token),
                base_url=url,
                **version,
            )
        else:
            key, token = api_key, secret(opts.ephemeral_token)
            if credential is not None:
                ephemeral = credential.startswith(endpoints.EPHEMERAL_TOKEN_PREFIX)
                key, token = (None, credential) if ephemeral else (credential, None)
            endpoint = endpoints.ai_studio_endpoint(
                api_key=key,
                ephemeral_token=token,
                base_url=url,
                key_in_query=opts.key_in_query,
                **version,
            )
        if opts.headers:
            endpoint = endpoints.Endpoint(
                url=endpoint.url,
                headers={**endpoint.headers, **opts.headers},
                platform=endpoint.platform,
            )
        return endpoint

    return build


def _report(issues: list[Issue]) -> None:
    """Raise for the first error of a capability check; warn about the rest."""

    def text(issue: Issue) -> str:
        named = issue.message.startswith(issue.setting)
        return issue.message if named else f"{issue.setting}: {issue.message}"

    for issue in issues:
        if issue.severity == "error":
            raise ConfigError(text(issue))
    for issue in issues:
        warnings.warn(text(issue), RealtalkWarning, stacklevel=4)


def gemini_protocol(
    model: str, url: str | None, api_key: str | None, config: object, opts: SessionOptions
) -> GeminiProtocol:
    if opts.platform == "vertex":
        resource = endpoints.model_resource_name(
            model, platform="vertex", project=opts.project, location=opts.location or "us-central1"
        )
    else:
        resource = endpoints.model_resource_name(model, platform="ai_studio")
    if isinstance(config, RealtimeConfig):
        setup = to_gemini_setup(config, model=resource, platform=opts.platform)
    elif config is None or isinstance(config, (wire.Setup, Mapping)):
        setup = build_setup(resource, config)
    else:
        raise TypeError(
            f"config must be a RealtimeConfig, a Setup or a mapping, not {type(config).__name__}"
        )
    if opts.check_capabilities:
        _report(
            capabilities.check(
                config if isinstance(config, RealtimeConfig) else setup,
                provider="gemini",
                model=resource,
                platform=opts.platform,
                api_version=opts.api_version,
            )
        )
    build = _endpoint_builder(url, api_key, opts)
    protocol = GeminiProtocol(build(None), setup)
    protocol.endpoint_for = build
    return protocol


def openai_protocol_for(
    model: str, url: str | None, api_key: str | None, config: object, opts: SessionOptions
) -> OpenAIProtocol:
    if opts.platform != "ai_studio" or opts.project or opts.location or opts.access_token:
        raise ValueError("platform, project, location and access_token are Gemini options")
    if opts.check_capabilities and isinstance(config, (RealtimeConfig, Mapping)):
        _report(capabilities.check(config, provider="openai", model=model))
    if isinstance(config, RealtimeConfig):
        config = to_openai_session(config)
    elif config is not None and not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a RealtimeConfig or an OpenAI session mapping, "
            f"not {type(config).__name__}"
        )
    protocol = openai_protocol(model, api_key=api_key, base_url=url, session=config, event_ids=None)
    if opts.headers:
        build = protocol.endpoint_for
        assert build is not None

        def with_headers(credential: str | None) -> Endpoint:
            endpoint = build(credential)
            return Endpoint(endpoint.url, {**endpoint.headers, **opts.headers}, endpoint.platform)

        protocol.endpoint = with_headers(None)
        protocol.endpoint_for = with_headers
    return protocol
