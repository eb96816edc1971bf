"""Text codecs for Vietnamese data: UTF-8/NFD, Windows-1258, TCVN3 (ABC) and VNI-Windows.

Spreadsheet and CSV exports from communes without an API arrive in legacy Vietnamese
encodings. This package turns them into Unicode NFC and back:

- :func:`decode_bytes`: decode with a declared encoding, or detect it (UTF-8 first, then
  the legacy candidate whose output looks most like Vietnamese); raises
  :class:`UndecodableText` with a quarantine ``reason`` otherwise.
- :func:`decode` / :func:`encode`: one explicit encoding each way (the source simulator
  uses :func:`encode` to write test drops).
- :func:`normalise_nfc`, :func:`is_valid_vietnamese_text`, :func:`vietnamese_score`,
  :func:`is_vietnamese_syllable`: the orthography helpers detection is built on.

Byte tables live in :mod:`motcua.textcodecs.tables`. Standard library only.
"""

from motcua.textcodecs.detect import (
    DEFAULT_MIN_CONFIDENCE,
    DETECTION_CANDIDATES,
    DecodedText,
    decode_bytes,
)
from motcua.textcodecs.errors import TextCodecError, UndecodableText, UnencodableText, UnknownEncoding
from motcua.textcodecs.legacy import ENCODINGS, LEGACY_ENCODINGS, canonical_encoding, decode, encode
from motcua.textcodecs.vietnamese import (
    VIETNAMESE_LETTERS,
    VIETNAMESE_PRECOMPOSED,
    is_valid_vietnamese_text,
    is_vietnamese_syllable,
    normalise_nfc,
    vietnamese_score,
)

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "DETECTION_CANDIDATES",
    "ENCODINGS",
    "LEGACY_ENCODINGS",
    "VIETNAMESE_LETTERS",
    "VIETNAMESE_PRECOMPOSED",
    "DecodedText",
    "TextCodecError",
    "UndecodableText",
    "UnencodableText",
    "UnknownEncoding",
    "canonical_encoding",
    "decode",
    "decode_bytes",
    "encode",
    "is_valid_vietnamese_text",
    "is_vietnamese_syllable",
    "normalise_nfc",
    "vietnamese_score",
]
