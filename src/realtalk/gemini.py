"""Gemini Live wire types for building configs and messages by hand.

Python attribute names are snake_case; the wire names are camelCase::

    from realtalk import gemini

    config = gemini.Setup(
        model="",  # filled in by realtalk.connect
        generation_config=gemini.GenerationConfig(response_modalities=["AUDIO"]),
        session_resumption=gemini.SessionResumptionConfig(),
    )

Every name here is a :mod:`msgspec` Struct from
:mod:`realtalk.protocol.gemini.wire` (gemini-live.md §4 and §5).
"""

from realtalk.protocol.gemini.wire import *  # noqa: F403
from realtalk.protocol.gemini.wire import __all__ as __all__
