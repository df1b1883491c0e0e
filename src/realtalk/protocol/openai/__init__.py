"""The OpenAI Realtime (WebSocket) protocol, Sans-I/O (openai-realtime.md).

* :mod:`.wire` — msgspec types for every client and server event, items, the
  response object and the session configuration (GA, with beta aliases); split
  over ``wire_client``, ``wire_server``, ``wire_response``, ``wire_items`` and
  ``wire_session``.
* :mod:`.codec` — :class:`OpenAIDecoder` (server frames to neutral events, stateful;
  the event mapping and order are documented there), the client-event encoders
  (:mod:`.encoding`), and the server role (:func:`decode_client`, :func:`encode_server`).
* :mod:`.endpoints` — URL, auth headers, ephemeral client secrets, path and
  subprotocol parsing (§1).
* :mod:`.protocol` — :class:`OpenAIProtocol`, the runner's provider protocol
  (argument normalisation in :mod:`.inputs`).
* :mod:`.pcm` — resampling and G.711 for the session's audio formats (§7).

Wire types live in :mod:`realtalk.protocol.openai.wire` (several share a name with
a neutral event).
"""

from realtalk.protocol.openai.codec import (
    RAW_ARGUMENTS_KEY,
    ClientEventError,
    EventIds,
    OpenAIDecoder,
    audio_format_rate,
    decode_client,
    encode_client,
    encode_server,
)
from realtalk.protocol.openai.endpoints import (
    ClientSecret,
    client_secrets_url,
    decode_client_secret_response,
    encode_client_secret_request,
    match_path,
    openai_endpoint,
    parse_subprotocols,
)
from realtalk.protocol.openai.protocol import (
    OpenAIProtocol,
    build_session,
    openai_protocol,
)
from realtalk.protocol.openai.wire import ClientEvent, ServerEvent, Session

__all__ = [
    "RAW_ARGUMENTS_KEY",
    "ClientEvent",
    "ClientEventError",
    "ClientSecret",
    "EventIds",
    "OpenAIDecoder",
    "OpenAIProtocol",
    "ServerEvent",
    "Session",
    "audio_format_rate",
    "build_session",
    "client_secrets_url",
    "decode_client",
    "decode_client_secret_response",
    "encode_client",
    "encode_client_secret_request",
    "encode_server",
    "match_path",
    "openai_endpoint",
    "openai_protocol",
    "parse_subprotocols",
]
