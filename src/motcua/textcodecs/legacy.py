"""Encoders and decoders for Unicode and the legacy Vietnamese encodings.

Canonical encoding names (aliases are accepted, see :func:`canonical_encoding`):

``utf-8``      UTF-8; a BOM is stripped when decoding.
``utf-8-nfd``  UTF-8 in decomposed form (NFD). Decodes exactly like ``utf-8``; encoding
               writes NFD, which is how some macOS/web tools export Vietnamese.
``utf-16``     UTF-16 with BOM (decoding only needs the BOM).
``cp1258``     Windows-1258: base letters (ă â ê ô ơ ư đ included) + combining tone marks.
``tcvn3``      TCVN3 / ABC (.VnTime), VN3 subset of TCVN 5712:1993. Decoding also
               accepts the VN1 upper-case letters in 0x80-0xFF; encoding is VN3 only, so
               upper-case letters with a tone mark raise unless ``errors="fold"``.
``tcvn5712``   TCVN 5712:1993 VN1, the full table (toned capitals in 0x80-0x9F and in
               C0 control positions 0x01-0x17).
``vni``        VNI-Windows (base letter + modifier byte).

Every decoder returns NFC text.
"""

from __future__ import annotations

import re
import unicodedata

from motcua.textcodecs.errors import UndecodableText, UnencodableText, UnknownEncoding
from motcua.textcodecs.tables import (
    TCVN3_VN3,
    TCVN5712_COMBINING,
    TCVN5712_UPPER_C0,
    TCVN5712_UPPER_HIGH,
    VNI_MODIFIERS,
    VNI_WINDOWS,
)
from motcua.textcodecs.vietnamese import SHAPE_MARKS, TONE_MARKS, normalise_nfc

ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-nfd", "utf-16", "cp1258", "tcvn3", "tcvn5712", "vni")
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1258", "tcvn3", "tcvn5712", "vni")

_ALIASES: dict[str, str] = {
    "utf8": "utf-8",
    "utf8sig": "utf-8",
    "unicode": "utf-8",
    "utf8nfd": "utf-8-nfd",
    "nfd": "utf-8-nfd",
    "unicodenfd": "utf-8-nfd",
    "decomposed": "utf-8-nfd",
    "unicodetohop": "utf-8-nfd",
    "utf16": "utf-16",
    "cp1258": "cp1258",
    "windows1258": "cp1258",
    "win1258": "cp1258",
    "1258": "cp1258",
    "vncp1258": "cp1258",
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "abc": "tcvn3",
    "vntime": "tcvn3",
    "vn3": "tcvn3",
    "tcvn5712": "tcvn5712",
    "tcvn57121": "tcvn5712",
    "tcvn57121993": "tcvn5712",
    "vn1": "tcvn5712",
    "vni": "vni",
    "vniwindows": "vni",
    "vniwin": "vni",
    "vnitimes": "vni",
}
_ERRORS = ("strict", "replace", "fold")


def canonical_encoding(name: str) -> str:
    """Map an encoding name or alias (case, spaces, ``-_.:`` ignored) to its canonical name."""
    key = re.sub(r"[\s_.:\-]", "", name.lower())
    try:
        return _ALIASES[key]
    except KeyError:
        raise UnknownEncoding(name, ENCODINGS) from None


# --- byte-level tables built from tables.py ------------------------------------------------

# Bytes are decoded as Latin-1 (byte b -> chr(b)) and then translated with str.translate.
_TCVN3_DECODE: dict[int, str] = {**TCVN3_VN3, **TCVN5712_UPPER_HIGH, **TCVN5712_COMBINING}
_TCVN5712_DECODE: dict[int, str] = {**_TCVN3_DECODE, **TCVN5712_UPPER_C0}
_TCVN3_ENCODE = {char: byte for byte, char in TCVN3_VN3.items()}
_TCVN5712_ENCODE = {
    char: byte for byte, char in {**TCVN3_VN3, **TCVN5712_UPPER_HIGH, **TCVN5712_UPPER_C0, **TCVN5712_COMBINING}.items()
}
_TCVN5712_CLOBBERED_ASCII = frozenset(chr(b) for b in TCVN5712_UPPER_C0)


def _cp1252_glyphs() -> dict[int, str]:
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = "\ufffd"
    return table


_CP1252_GLYPHS = _cp1252_glyphs()  # 0xA0-0xFF are identical to Latin-1


def _vni_decode_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for letter, sequence in VNI_WINDOWS.items():
        table[sequence] = letter
    # Lenient: accept a modifier of the "wrong" case; the base letter decides the case.
    for letter, sequence in VNI_WINDOWS.items():
        if len(sequence) == 2 and sequence[1] in VNI_MODIFIERS:
            table.setdefault(sequence[0] + sequence[1].swapcase(), letter)
    return table


_VNI_DECODE = _vni_decode_table()
# Longest first, so a modifier that belongs to a base letter is consumed with it; the single
# modifiers at the end of the alternation therefore only match orphans (no base letter).
_VNI_PATTERN = re.compile(
    "|".join(re.escape(s) for s in [*sorted(_VNI_DECODE, key=len, reverse=True), *sorted(VNI_MODIFIERS)])
)
_VNI_STRICT = {**{m: m for m in VNI_MODIFIERS}, **_VNI_DECODE}
_VNI_REPLACE = {**{m: "\ufffd" for m in VNI_MODIFIERS}, **_VNI_DECODE}


# --- decoding -------------------------------------------------------------------------------


def decode(data: bytes, encoding: str, errors: str = "strict") -> str:
    """Decode ``data`` from ``encoding`` to NFC text.

    ``errors="strict"`` raises :class:`UndecodableText` on bytes the encoding leaves
    undefined (Windows-1258 0x81, 0x8A ...; VNI's Windows-1252 holes); ``"replace"``
    substitutes U+FFFD. TCVN3/TCVN 5712 define every byte. A VNI modifier byte with no
    base letter before it is malformed: ``"replace"`` turns it into U+FFFD, ``"strict"``
    keeps its Windows-1252 glyph (lenient, as a typo in a real file should not lose text).
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace' for decoding, not {errors!r}")
    enc = canonical_encoding(encoding)
    data = bytes(data)
    if enc in ("utf-8", "utf-8-nfd", "utf-16", "cp1258"):
        codec = {"utf-8": "utf-8-sig", "utf-8-nfd": "utf-8-sig"}.get(enc, enc)
        try:
            text = data.decode(codec, errors)
        except UnicodeDecodeError as exc:
            raise UndecodableText(
                f"bytes are not valid {enc}: byte 0x{data[exc.start]:02X} at offset {exc.start} ({exc.reason})",
                encoding=enc,
            ) from exc
        return normalise_nfc(text)
    latin1 = data.decode("latin-1")
    if enc == "tcvn3":
        return normalise_nfc(latin1.translate(_TCVN3_DECODE))
    if enc == "tcvn5712":
        return normalise_nfc(latin1.translate(_TCVN5712_DECODE))
    # vni
    glyphs = latin1.translate(_CP1252_GLYPHS)
    if errors == "strict" and "\ufffd" in glyphs:
        offset = glyphs.index("\ufffd")
        raise UndecodableText(
            f"bytes are not valid vni: byte 0x{data[offset]:02X} at offset {offset} is undefined", encoding=enc
        )
    table = _VNI_STRICT if errors == "strict" else _VNI_REPLACE
    return normalise_nfc(_VNI_PATTERN.sub(lambda m: table[m.group()], glyphs))


# --- encoding -------------------------------------------------------------------------------

_TCVN3_HINT = (
    "upper-case letters with a tone mark are not part of TCVN3 (VN3); use errors='fold' to write "
    "them in lower case as .VnTimeH typists did, or encoding 'tcvn5712' for the full VN1 table"
)


_WORD = re.compile(r"[^\W\d_]+")


def _fold_word(match: re.Match[str]) -> str:
    # A word holding a toned capital was typed in .VnTimeH: the whole word is stored in
    # lower case (otherwise "KẾT" would come back as the mixed-case "KếT").
    word = match.group()
    if any(char.isupper() and char not in _TCVN3_ENCODE and char.lower() in _TCVN3_ENCODE for char in word):
        return word.lower()
    return word


def _encode_with_map(text: str, enc: str, table: dict[str, int], errors: str) -> bytes:
    out = bytearray()
    for position, char in enumerate(text):
        if char.isascii() and not (enc == "tcvn5712" and char in _TCVN5712_CLOBBERED_ASCII):
            out.append(ord(char))
            continue
        byte = table.get(char)
        if byte is not None:
            out.append(byte)
        elif errors == "replace":
            out.append(ord("?"))
        else:
            upper_toned = char.isupper() and char.lower() in table
            raise UnencodableText(enc, char, position, _TCVN3_HINT if upper_toned and enc == "tcvn3" else "")
    return bytes(out)


def _encode_vni(text: str, errors: str) -> bytes:
    glyphs: list[str] = []
    for position, char in enumerate(text):
        if char.isascii():
            glyphs.append(char)
        elif char in VNI_WINDOWS:
            glyphs.append(VNI_WINDOWS[char])
        elif errors == "replace":
            glyphs.append("?")
        else:
            raise UnencodableText("vni", char, position)
    return "".join(glyphs).encode("cp1252")


def _cp1258_pieces(char: str) -> str:
    """Windows-1258 form of one NFC character: precomposed if the code page has it,
    else base letter (with its circumflex/breve/horn) + combining tone mark."""
    try:
        char.encode("cp1258")
        return char
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if c not in TONE_MARKS)
    tones = "".join(c for c in decomposed if c in TONE_MARKS)
    base = unicodedata.normalize("NFC", base)
    if any(c in SHAPE_MARKS for c in base):  # e.g. a shape mark the code page lacks
        return char
    return base + tones


def _encode_cp1258(text: str, errors: str) -> bytes:
    try:
        return text.encode("cp1258")
    except UnicodeEncodeError:
        pass
    out = bytearray()
    for position, char in enumerate(text):
        try:
            out += _cp1258_pieces(char).encode("cp1258")
        except UnicodeEncodeError:
            if errors == "strict":
                raise UnencodableText("cp1258", char, position) from None
            out.append(ord("?"))
    return bytes(out)


def encode(text: str, encoding: str, errors: str = "strict") -> bytes:
    """Encode ``text`` (normalised to NFC first) into ``encoding``.

    ``errors``: ``"strict"`` raises :class:`UnencodableText` naming the character and
    its position; ``"replace"`` writes ``?``; ``"fold"`` is for ``tcvn3``: a word holding
    a letter only the .VnTimeH font could show (upper case with a tone mark) is written
    wholly in lower case, which is what real TCVN3 files contain ("KẾT" -> "kết"); other
    unencodable characters still raise.
    For every other encoding ``"fold"`` behaves like ``"strict"``.
    """
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}, not {errors!r}")
    enc = canonical_encoding(encoding)
    text = normalise_nfc(text)
    if enc == "utf-8":
        return text.encode("utf-8")
    if enc == "utf-8-nfd":
        return unicodedata.normalize("NFD", text).encode("utf-8")
    if enc == "utf-16":
        return text.encode("utf-16")
    if enc == "cp1258":
        return _encode_cp1258(text, "strict" if errors == "fold" else errors)
    if enc == "tcvn3":
        if errors == "fold":
            text = _WORD.sub(_fold_word, text)
            errors = "strict"
        return _encode_with_map(text, enc, _TCVN3_ENCODE, errors)
    if enc == "tcvn5712":
        return _encode_with_map(text, enc, _TCVN5712_ENCODE, "strict" if errors == "fold" else errors)
    return _encode_vni(text, errors)
