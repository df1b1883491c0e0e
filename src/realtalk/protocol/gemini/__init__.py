"""The Gemini Live (BidiGenerateContent) wire protocol, Sans-I/O.

* :mod:`.wire` — msgspec Structs for every client and server message (spec §4, §5).
* :mod:`.codec` — frames to events and commands to bytes, client and server roles.
* :mod:`.endpoints` — URLs, auth headers, model names and path matching (spec §1, §7).

The codec and endpoint functions are re-exported here; wire types live in
:mod:`realtalk.protocol.gemini.wire` (several share a name with an event).
"""

from realtalk.protocol.gemini.codec import (
    AUDIO_MIME_PREFIX,
    INPUT_SAMPLE_RATE,
    OUTPUT_SAMPLE_RATE,
    decode_base64,
    decode_client,
    decode_server,
    decode_server_message,
    encode_activity_end,
    encode_activity_start,
    encode_audio,
    encode_audio_base64,
    encode_audio_stream_end,
    encode_client,
    encode_client_content,
    encode_context_update,
    encode_server,
    encode_setup,
    encode_text,
    encode_tool_response,
    encode_video,
    parse_pcm_rate,
    server_message_events,
)
from realtalk.protocol.gemini.endpoints import (
    Endpoint,
    PathMatch,
    ai_studio_endpoint,
    match_path,
    model_resource_name,
    redact_url,
    vertex_endpoint,
)
from realtalk.protocol.gemini.wire import (
    ClientMessage,
    ServerMessage,
    Setup,
    format_duration,
    parse_duration,
)

__all__ = [
    "AUDIO_MIME_PREFIX",
    "INPUT_SAMPLE_RATE",
    "OUTPUT_SAMPLE_RATE",
    "ClientMessage",
    "Endpoint",
    "PathMatch",
    "ServerMessage",
    "Setup",
    "ai_studio_endpoint",
    "decode_base64",
    "decode_client",
    "decode_server",
    "decode_server_message",
    "encode_activity_end",
    "encode_activity_start",
    "encode_audio",
    "encode_audio_base64",
    "encode_audio_stream_end",
    "encode_client",
    "encode_client_content",
    "encode_context_update",
    "encode_server",
    "encode_setup",
    "encode_text",
    "encode_tool_response",
    "encode_video",
    "format_duration",
    "match_path",
    "model_resource_name",
    "parse_duration",
    "parse_pcm_rate",
    "redact_url",
    "server_message_events",
    "vertex_endpoint",
]
