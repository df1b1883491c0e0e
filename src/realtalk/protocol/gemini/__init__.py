"""The Gemini Live (BidiGenerateContent) wire protocol."""

__all__: list[str] = []
