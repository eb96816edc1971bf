"""Exceptions raised by :mod:`motcua.textcodecs`."""

from __future__ import annotations


class TextCodecError(ValueError):
    """Base class for every text-codec error."""


class UnknownEncoding(TextCodecError, LookupError):
    """An encoding name that :mod:`motcua.textcodecs` does not know."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        super().__init__(f"unknown text encoding {name!r}; known: {', '.join(known)}")


class UnencodableText(TextCodecError):
    """A character that the target encoding cannot represent."""

    def __init__(self, encoding: str, char: str, position: int, hint: str = "") -> None:
        self.encoding = encoding
        self.char = char
        self.position = position
        message = f"cannot encode {char!r} (U+{ord(char):04X}) at position {position} in {encoding}"
        if hint:
            message += f": {hint}"
        super().__init__(message)


class UndecodableText(TextCodecError):
    """Bytes that could not be decoded into plausible Vietnamese text.

    ``reason`` is a short, human-readable explanation meant to be stored as the
    quarantine reason of the record; ``scores`` holds the per-encoding plausibility
    scores when automatic detection was attempted.
    """

    def __init__(self, reason: str, *, encoding: str | None = None, scores: dict[str, float] | None = None) -> None:
        self.reason = reason
        self.encoding = encoding
        self.scores = dict(scores or {})
        super().__init__(reason)
