"""OpenAI Realtime codec: server events to neutral events, client commands to bytes.

Client role (the session; hot path):

* :class:`OpenAIDecoder` turns one server frame into a tuple of
  :mod:`realtalk.protocol.events` via :meth:`~OpenAIDecoder.feed`, which never
  raises. It is stateful: it assembles tool calls, knows which response is running
  (for :class:`~realtalk.protocol.events.Interrupted`), keeps transcripts as deltas
  and reads the audio formats from the session the server reports.
* The encoders (:mod:`.encoding`) build the bytes of one client event each.

Server role (the emulator): :func:`decode_client` (:mod:`.server_role`) and
:func:`encode_server`. Everything is re-exported here.

Event mapping (openai-realtime.md §5). Each server event gives these events, in
this order (nothing listed = no event: acknowledgements and bookkeeping such as
``conversation.item.*``, ``response.output_item.*``, ``response.content_part.*``,
``input_audio_buffer.committed/cleared/timeout_triggered``, ``*.done`` of audio,
``response.function_call_arguments.*``, ``output_audio_buffer.*`` and MCP events):

* ``error`` -> ``Error(code, message, param, event_id)`` (code: ``error.code``, else
  ``error.type``); never fatal by itself.
* ``session.created`` -> ``SessionUpdated(created=True)``. ``session.updated`` ->
  ``SessionUpdated``, then — for the first one after ``session.created`` —
  ``SetupComplete(session_id)``: the handshake is complete (ARCHITECTURE §3). Both
  update the audio formats and the VAD ``interrupt_response`` flag used below.
* ``input_audio_buffer.speech_started`` -> ``SpeechStarted(offset)`` (seconds), then
  ``Interrupted`` if a default-conversation response is running and the session's
  turn detection has ``interrupt_response`` (default true): the server is cancelling it.
* ``input_audio_buffer.speech_stopped`` -> ``SpeechStopped(offset)``.
* ``conversation.item.input_audio_transcription.delta`` -> ``InputTranscript(delta)``;
  ``.completed`` -> ``InputTranscript(rest, final=True)`` where ``rest`` is the part
  of the transcript not yet sent as deltas (all of it without deltas; ``""`` when
  the deltas do not prefix it); ``.failed`` -> ``Error(code)``.
* ``response.created`` -> ``ResponseStarted(response_id)``.
* ``response.output_text.delta`` -> ``TextDelta``; ``.done`` -> ``TextDelta(rest)``
  only when a rest is left.
* ``response.output_audio.delta`` -> ``AudioDelta`` (16-bit PCM; G.711 output is
  expanded to PCM at 8000 Hz; the rate comes from the session's — or the
  response's — output format, 24000 by default).
* ``response.output_audio_transcript.delta`` -> ``OutputTranscript``; ``.done`` ->
  ``OutputTranscript(rest, final=True)``.
* ``response.done`` ->
  1. ``ToolCall`` with every completed ``function_call`` item of a completed or
     incomplete response, all in one event, ``args`` JSON-decoded (arguments that
     are not a JSON object are kept as text under :data:`RAW_ARGUMENTS_KEY`), then
     one ``Error(code="invalid_function_arguments", param=call_id)`` per such call;
  2. ``Usage`` (when the response has usage; modality keys ``TEXT``/``AUDIO``/``IMAGE``);
  3. ``ResponseDone(status, response_id, reason, error)``;
  4. ``Interrupted`` for a cancelled response, unless already sent for it;
  5. without a ToolCall: ``GenerationComplete`` (completed or incomplete), then
     ``TurnComplete(reason=None)`` for completed, ``TurnComplete(reason=status)``
     otherwise. With a ToolCall the turn continues, as on Gemini: the tool
     response (function outputs + ``response.create``) starts the next response.
* ``rate_limits.updated`` -> ``RateLimits``.

Beta names (§9) decode as their GA counterparts. An unknown ``type`` gives
``Unknown(raw)``, as does a known event whose ``item``/``part`` has an unknown
``type``; unknown items inside ``response.output`` are skipped. An empty frame
gives ``()``; anything else that cannot be read gives ``Error(code="malformed")``.
"""

from __future__ import annotations

from realtalk.protocol.openai.decoder import RAW_ARGUMENTS_KEY, OpenAIDecoder, audio_format_rate
from realtalk.protocol.openai.encoding import (
    EventIds,
    encode_client,
    encode_conversation_item_create,
    encode_conversation_item_delete,
    encode_conversation_item_retrieve,
    encode_conversation_item_truncate,
    encode_function_call_output,
    encode_input_audio_buffer_append,
    encode_input_audio_buffer_append_base64,
    encode_input_audio_buffer_clear,
    encode_input_audio_buffer_commit,
    encode_input_image,
    encode_output_audio_buffer_clear,
    encode_response_cancel,
    encode_response_create,
    encode_server,
    encode_session_update,
    encode_user_text,
    function_call_output_item,
    image_data_url,
    input_image_item,
    text_message_item,
)
from realtalk.protocol.openai.server_role import ClientEventError, decode_client

__all__ = [
    "RAW_ARGUMENTS_KEY",
    "ClientEventError",
    "EventIds",
    "OpenAIDecoder",
    "audio_format_rate",
    "decode_client",
    "encode_client",
    "encode_conversation_item_create",
    "encode_conversation_item_delete",
    "encode_conversation_item_retrieve",
    "encode_conversation_item_truncate",
    "encode_function_call_output",
    "encode_input_audio_buffer_append",
    "encode_input_audio_buffer_append_base64",
    "encode_input_audio_buffer_clear",
    "encode_input_audio_buffer_commit",
    "encode_input_image",
    "encode_output_audio_buffer_clear",
    "encode_response_cancel",
    "encode_response_create",
    "encode_server",
    "encode_session_update",
    "encode_user_text",
    "function_call_output_item",
    "image_data_url",
    "input_image_item",
    "text_message_item",
]
