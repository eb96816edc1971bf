"""Decode bytes of unknown (or declared) encoding into NFC text.

Detection order when nothing is declared:

1. empty input -> ``""``;
2. a UTF-8 BOM, or bytes that are valid UTF-8 -> UTF-8 (ASCII is valid UTF-8);
   a UTF-16 BOM -> UTF-16;
3. otherwise decode a sample with every legacy candidate (TCVN3, VNI, Windows-1258,
   TCVN 5712 VN1) leniently, score each result with
   :func:`motcua.textcodecs.vietnamese.vietnamese_score` and keep the best (earlier
   candidates win ties). Below ``min_confidence`` the bytes are rejected with
   :class:`UndecodableText`, whose ``reason`` is meant for the quarantine record.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from motcua.textcodecs.errors import TextCodecError, UndecodableText
from motcua.textcodecs.legacy import canonical_encoding, decode
from motcua.textcodecs.vietnamese import normalise_nfc, vietnamese_score

#: Legacy candidates in tie-break order, most common in Vietnamese public administration
#: first: TCVN3 was the national standard for office documents, VNI was widespread in the
#: south, Windows-1258 was rarely chosen. Ties only happen on very short inputs whose
#: bytes read as valid Vietnamese either way ("B\xe9" is TCVN3 "Bộ" and Windows-1258
#: "Bé"). tcvn5712 only differs from tcvn3 on C0 bytes, so it wins only when those are used.
DETECTION_CANDIDATES: tuple[str, ...] = ("tcvn3", "vni", "cp1258", "tcvn5712")
DEFAULT_MIN_CONFIDENCE = 0.6
DEFAULT_SAMPLE_SIZE = 256 * 1024
AMBIGUITY_MARGIN = 0.1
_SUSPICIOUS_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Result of :func:`decode_bytes`.

    ``text`` is NFC; ``encoding`` the canonical name used; ``confidence`` 1.0 for a
    declared encoding or valid UTF-8/BOM, otherwise the winning plausibility score;
    ``notes`` human-readable remarks (scores, BOM stripped, normalisation, ...).
    """

    text: str
    encoding: str
    confidence: float
    notes: tuple[str, ...] = ()


def _format_scores(scores: dict[str, float]) -> str:
    return ", ".join(f"{enc}={score:.2f}" for enc, score in sorted(scores.items(), key=lambda kv: -kv[1]))


def _unicode_result(data: bytes, encoding: str, notes: list[str]) -> DecodedText:
    raw = data.decode(encoding)
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    text = normalise_nfc(raw)
    if text != raw:
        notes.append("normalised to NFC")
    if text.isascii():
        notes.append("ASCII only")
    canonical = "utf-16" if encoding.startswith("utf-16") else "utf-8"
    return DecodedText(text, canonical, 1.0, tuple(notes))


def decode_bytes(
    data: bytes,
    declared: str | None = None,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    candidates: tuple[str, ...] = DETECTION_CANDIDATES,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
) -> DecodedText:
    """Decode ``data`` to NFC text, using ``declared`` if given, else detecting the encoding.

    Raises :class:`UndecodableText` (with a ``reason``) if the declared encoding is
    unknown or does not fit the bytes, or if no candidate scores ``min_confidence``.
    """
    data = bytes(data)
    if declared:
        try:
            encoding = canonical_encoding(declared)
            text = decode(data, encoding)
        except UndecodableText as exc:
            raise UndecodableText(f"declared encoding {declared!r}: {exc.reason}", encoding=exc.encoding) from exc
        except TextCodecError as exc:
            raise UndecodableText(f"declared encoding {declared!r} is not supported: {exc}") from exc
        return DecodedText(text, encoding, 1.0, (f"declared encoding {declared!r}",))

    if not data:
        return DecodedText("", "utf-8", 1.0, ("empty input",))
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _unicode_result(data[len(codecs.BOM_UTF8) :], "utf-8", ["UTF-8 BOM stripped"])
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"UTF-8 BOM but invalid UTF-8 at offset {exc.start + 3}: {exc.reason}") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _unicode_result(data, "utf-16", ["UTF-16 BOM"])
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"UTF-16 BOM but invalid UTF-16: {exc.reason}") from exc
    pool = tuple(candidates)
    try:
        utf8 = _unicode_result(data, "utf-8", ["valid UTF-8"])
    except UnicodeDecodeError:
        pass
    else:
        if not _SUSPICIOUS_CONTROLS.search(utf8.text):
            return utf8
        # Valid UTF-8 but with C0 controls: TCVN 5712 puts capitals there, so let UTF-8
        # compete with the legacy candidates instead of winning outright.
        pool = ("utf-8", *pool)

    sample = data[:sample_size]
    scores: dict[str, float] = {}
    for candidate in pool:
        scores[canonical_encoding(candidate)] = vietnamese_score(decode(sample, candidate, errors="replace"))
    ranked = sorted(scores, key=lambda enc: -scores[enc])  # stable: ties keep candidate order
    best = ranked[0]
    summary = _format_scores(scores)
    if scores[best] < min_confidence:
        raise UndecodableText(
            f"not UTF-8 and no legacy Vietnamese encoding gives plausible text "
            f"(best {best} {scores[best]:.2f} < {min_confidence:.2f}; scores: {summary})",
            scores=scores,
        )
    notes = ["not valid UTF-8" if pool[0] != "utf-8" else "UTF-8 with control characters", f"scores: {summary}"]
    if len(data) > sample_size:
        notes.append(f"detected on the first {sample_size} bytes")
    runner_up = next((enc for enc in ranked[1:] if not {enc, best} <= {"tcvn3", "tcvn5712"}), None)
    if runner_up is not None and scores[best] - scores[runner_up] < AMBIGUITY_MARGIN:
        notes.append(f"ambiguous: {runner_up} scores within {AMBIGUITY_MARGIN}")
    text = decode(data, best, errors="replace")
    if "\ufffd" in text:
        notes.append(f"{text.count(chr(0xFFFD))} undefined byte(s) replaced with U+FFFD")
    return DecodedText(text, best, round(scores[best], 4), tuple(notes))
