"""Byte tables for the legacy Vietnamese encodings handled by :mod:`motcua.textcodecs`.

Pure data, no logic. Sources:

* **TCVN3** — TCVN 5712:1993, the "ABC" encoding used by the ``.VnTime``/``.VnArial``
  font family. ``TCVN3_VN3`` is the VN3 subset that a plain ``.VnTime`` text file can
  carry: ASCII (0x00-0x7F unchanged) plus the lower-case precomposed letters and the
  upper-case *base* letters Ă Â Ê Ô Ơ Ư Đ. Upper-case letters *with a tone mark* are not
  in VN3: typists switched to the ``.VnTimeH`` font, which draws the lower-case code
  points as capitals, so in the bytes they are indistinguishable from lower case.
  The full standard (VN1, the table glibc/libiconv ship as ``TCVN5712-1``) adds the
  toned capitals, 48 of them in otherwise-unused 0x80-0xFF positions and 12 in C0
  control positions, plus five combining tone marks at 0xB0-0xB4. Every entry below
  was cross-checked byte by byte against glibc ``iconv -f TCVN5712-1``.
* **VNI** — VNI-Windows (VNI Software's ``VNI-Times`` etc. fonts). A Windows-1252 based
  font encoding: a Vietnamese letter is an ASCII base letter followed by one modifier
  byte (tone, or vowel shape combined with tone), except for ơ/ư, the i-tones, ỵ and đ,
  which have single bytes of their own. The table is written as the Windows-1252 glyphs
  of those bytes ("Vieät Nam" is how VNI "Việt Nam" looks in a Latin-1 font); modifier
  case follows the base letter's case. Built from the VNI-Windows chart and checked
  against an independent converter table; all 134 letters round-trip.
* Windows-1258 needs no table: Python's ``cp1258`` codec is used and normalised to NFC.
"""

from __future__ import annotations

# --- TCVN3 (TCVN 5712:1993) ------------------------------------------------------------

#: VN3 subset: the 74 Vietnamese letters a plain .VnTime text file can hold, plus NBSP.
TCVN3_VN3: dict[int, str] = {
    0xA1: "Ă",  # Capital Letter A With Breve
    0xA2: "Â",  # Capital Letter A With Circumflex
    0xA3: "Ê",  # Capital Letter E With Circumflex
    0xA4: "Ô",  # Capital Letter O With Circumflex
    0xA5: "Ơ",  # Capital Letter O With Horn
    0xA6: "Ư",  # Capital Letter U With Horn
    0xA7: "Đ",  # Capital Letter D With Stroke
    0xA8: "ă",  # Small Letter A With Breve
    0xA9: "â",  # Small Letter A With Circumflex
    0xAA: "ê",  # Small Letter E With Circumflex
    0xAB: "ô",  # Small Letter O With Circumflex
    0xAC: "ơ",  # Small Letter O With Horn
    0xAD: "ư",  # Small Letter U With Horn
    0xAE: "đ",  # Small Letter D With Stroke
    0xB5: "à",  # Small Letter A With Grave
    0xB6: "ả",  # Small Letter A With Hook Above
    0xB7: "ã",  # Small Letter A With Tilde
    0xB8: "á",  # Small Letter A With Acute
    0xB9: "ạ",  # Small Letter A With Dot Below
    0xBB: "ằ",  # Small Letter A With Breve And Grave
    0xBC: "ẳ",  # Small Letter A With Breve And Hook Above
    0xBD: "ẵ",  # Small Letter A With Breve And Tilde
    0xBE: "ắ",  # Small Letter A With Breve And Acute
    0xC6: "ặ",  # Small Letter A With Breve And Dot Below
    0xC7: "ầ",  # Small Letter A With Circumflex And Grave
    0xC8: "ẩ",  # Small Letter A With Circumflex And Hook Above
    0xC9: "ẫ",  # Small Letter A With Circumflex And Tilde
    0xCA: "ấ",  # Small Letter A With Circumflex And Acute
    0xCB: "ậ",  # Small Letter A With Circumflex And Dot Below
    0xCC: "è",  # Small Letter E With Grave
    0xCE: "ẻ",  # Small Letter E With Hook Above
    0xCF: "ẽ",  # Small Letter E With Tilde
    0xD0: "é",  # Small Letter E With Acute
    0xD1: "ẹ",  # Small Letter E With Dot Below
    0xD2: "ề",  # Small Letter E With Circumflex And Grave
    0xD3: "ể",  # Small Letter E With Circumflex And Hook Above
    0xD4: "ễ",  # Small Letter E With Circumflex And Tilde
    0xD5: "ế",  # Small Letter E With Circumflex And Acute
    0xD6: "ệ",  # Small Letter E With Circumflex And Dot Below
    0xD7: "ì",  # Small Letter I With Grave
    0xD8: "ỉ",  # Small Letter I With Hook Above
    0xDC: "ĩ",  # Small Letter I With Tilde
    0xDD: "í",  # Small Letter I With Acute
    0xDE: "ị",  # Small Letter I With Dot Below
    0xDF: "ò",  # Small Letter O With Grave
    0xE1: "ỏ",  # Small Letter O With Hook Above
    0xE2: "õ",  # Small Letter O With Tilde
    0xE3: "ó",  # Small Letter O With Acute
    0xE4: "ọ",  # Small Letter O With Dot Below
    0xE5: "ồ",  # Small Letter O With Circumflex And Grave
    0xE6: "ổ",  # Small Letter O With Circumflex And Hook Above
    0xE7: "ỗ",  # Small Letter O With Circumflex And Tilde
    0xE8: "ố",  # Small Letter O With Circumflex And Acute
    0xE9: "ộ",  # Small Letter O With Circumflex And Dot Below
    0xEA: "ờ",  # Small Letter O With Horn And Grave
    0xEB: "ở",  # Small Letter O With Horn And Hook Above
    0xEC: "ỡ",  # Small Letter O With Horn And Tilde
    0xED: "ớ",  # Small Letter O With Horn And Acute
    0xEE: "ợ",  # Small Letter O With Horn And Dot Below
    0xEF: "ù",  # Small Letter U With Grave
    0xF1: "ủ",  # Small Letter U With Hook Above
    0xF2: "ũ",  # Small Letter U With Tilde
    0xF3: "ú",  # Small Letter U With Acute
    0xF4: "ụ",  # Small Letter U With Dot Below
    0xF5: "ừ",  # Small Letter U With Horn And Grave
    0xF6: "ử",  # Small Letter U With Horn And Hook Above
    0xF7: "ữ",  # Small Letter U With Horn And Tilde
    0xF8: "ứ",  # Small Letter U With Horn And Acute
    0xF9: "ự",  # Small Letter U With Horn And Dot Below
    0xFA: "ỳ",  # Small Letter Y With Grave
    0xFB: "ỷ",  # Small Letter Y With Hook Above
    0xFC: "ỹ",  # Small Letter Y With Tilde
    0xFD: "ý",  # Small Letter Y With Acute
    0xFE: "ỵ",  # Small Letter Y With Dot Below
    0xA0: "\u00a0",  # No-Break Space
}

#: VN1 additions in 0x80-0xFF: upper-case letters with tone marks (unused in VN3, so safe
#: to decode leniently).
TCVN5712_UPPER_HIGH: dict[int, str] = {
    0x80: "À",  # Capital Letter A With Grave
    0x81: "Ả",  # Capital Letter A With Hook Above
    0x82: "Ã",  # Capital Letter A With Tilde
    0x83: "Á",  # Capital Letter A With Acute
    0x84: "Ạ",  # Capital Letter A With Dot Below
    0x85: "Ặ",  # Capital Letter A With Breve And Dot Below
    0x86: "Ậ",  # Capital Letter A With Circumflex And Dot Below
    0x87: "È",  # Capital Letter E With Grave
    0x88: "Ẻ",  # Capital Letter E With Hook Above
    0x89: "Ẽ",  # Capital Letter E With Tilde
    0x8A: "É",  # Capital Letter E With Acute
    0x8B: "Ẹ",  # Capital Letter E With Dot Below
    0x8C: "Ệ",  # Capital Letter E With Circumflex And Dot Below
    0x8D: "Ì",  # Capital Letter I With Grave
    0x8E: "Ỉ",  # Capital Letter I With Hook Above
    0x8F: "Ĩ",  # Capital Letter I With Tilde
    0x90: "Í",  # Capital Letter I With Acute
    0x91: "Ị",  # Capital Letter I With Dot Below
    0x92: "Ò",  # Capital Letter O With Grave
    0x93: "Ỏ",  # Capital Letter O With Hook Above
    0x94: "Õ",  # Capital Letter O With Tilde
    0x95: "Ó",  # Capital Letter O With Acute
    0x96: "Ọ",  # Capital Letter O With Dot Below
    0x97: "Ộ",  # Capital Letter O With Circumflex And Dot Below
    0x98: "Ờ",  # Capital Letter O With Horn And Grave
    0x99: "Ở",  # Capital Letter O With Horn And Hook Above
    0x9A: "Ỡ",  # Capital Letter O With Horn And Tilde
    0x9B: "Ớ",  # Capital Letter O With Horn And Acute
    0x9C: "Ợ",  # Capital Letter O With Horn And Dot Below
    0x9D: "Ù",  # Capital Letter U With Grave
    0x9E: "Ủ",  # Capital Letter U With Hook Above
    0x9F: "Ũ",  # Capital Letter U With Tilde
    0xAF: "Ằ",  # Capital Letter A With Breve And Grave
    0xBA: "Ẳ",  # Capital Letter A With Breve And Hook Above
    0xBF: "Ẵ",  # Capital Letter A With Breve And Tilde
    0xC0: "Ắ",  # Capital Letter A With Breve And Acute
    0xC1: "Ầ",  # Capital Letter A With Circumflex And Grave
    0xC2: "Ẩ",  # Capital Letter A With Circumflex And Hook Above
    0xC3: "Ẫ",  # Capital Letter A With Circumflex And Tilde
    0xC4: "Ấ",  # Capital Letter A With Circumflex And Acute
    0xC5: "Ề",  # Capital Letter E With Circumflex And Grave
    0xCD: "Ể",  # Capital Letter E With Circumflex And Hook Above
    0xD9: "Ễ",  # Capital Letter E With Circumflex And Tilde
    0xDA: "Ế",  # Capital Letter E With Circumflex And Acute
    0xDB: "Ồ",  # Capital Letter O With Circumflex And Grave
    0xE0: "Ổ",  # Capital Letter O With Circumflex And Hook Above
    0xF0: "Ỗ",  # Capital Letter O With Circumflex And Tilde
    0xFF: "Ố",  # Capital Letter O With Circumflex And Acute
}

#: VN1 additions in the C0 control range. Only decoded/encoded by the full ``tcvn5712``
#: codec, since in most files these bytes really are control characters.
TCVN5712_UPPER_C0: dict[int, str] = {
    0x01: "Ú",  # Capital Letter U With Acute
    0x02: "Ụ",  # Capital Letter U With Dot Below
    0x04: "Ừ",  # Capital Letter U With Horn And Grave
    0x05: "Ử",  # Capital Letter U With Horn And Hook Above
    0x06: "Ữ",  # Capital Letter U With Horn And Tilde
    0x11: "Ứ",  # Capital Letter U With Horn And Acute
    0x12: "Ự",  # Capital Letter U With Horn And Dot Below
    0x13: "Ỳ",  # Capital Letter Y With Grave
    0x14: "Ỷ",  # Capital Letter Y With Hook Above
    0x15: "Ỹ",  # Capital Letter Y With Tilde
    0x16: "Ý",  # Capital Letter Y With Acute
    0x17: "Ỵ",  # Capital Letter Y With Dot Below
}

#: VN1 combining tone marks (grave, hook above, tilde, acute, dot below).
TCVN5712_COMBINING: dict[int, str] = {
    0xB0: "\u0300",  # Combining Grave Accent
    0xB1: "\u0309",  # Combining Hook Above
    0xB2: "\u0303",  # Combining Tilde
    0xB3: "\u0301",  # Combining Acute Accent
    0xB4: "\u0323",  # Combining Dot Below
}

# --- VNI-Windows -----------------------------------------------------------------------

#: Unicode letter -> VNI-Windows byte sequence, written as Windows-1252 glyphs.
VNI_WINDOWS: dict[str, str] = {
    "á": "aù",  # Small Letter A With Acute
    "à": "aø",  # Small Letter A With Grave
    "ả": "aû",  # Small Letter A With Hook Above
    "ã": "aõ",  # Small Letter A With Tilde
    "ạ": "aï",  # Small Letter A With Dot Below
    "é": "eù",  # Small Letter E With Acute
    "è": "eø",  # Small Letter E With Grave
    "ẻ": "eû",  # Small Letter E With Hook Above
    "ẽ": "eõ",  # Small Letter E With Tilde
    "ẹ": "eï",  # Small Letter E With Dot Below
    "ó": "où",  # Small Letter O With Acute
    "ò": "oø",  # Small Letter O With Grave
    "ỏ": "oû",  # Small Letter O With Hook Above
    "õ": "oõ",  # Small Letter O With Tilde
    "ọ": "oï",  # Small Letter O With Dot Below
    "ú": "uù",  # Small Letter U With Acute
    "ù": "uø",  # Small Letter U With Grave
    "ủ": "uû",  # Small Letter U With Hook Above
    "ũ": "uõ",  # Small Letter U With Tilde
    "ụ": "uï",  # Small Letter U With Dot Below
    "ý": "yù",  # Small Letter Y With Acute
    "ỳ": "yø",  # Small Letter Y With Grave
    "ỷ": "yû",  # Small Letter Y With Hook Above
    "ỹ": "yõ",  # Small Letter Y With Tilde
    "ỵ": "î",  # Small Letter Y With Dot Below
    "â": "aâ",  # Small Letter A With Circumflex
    "ấ": "aá",  # Small Letter A With Circumflex And Acute
    "ầ": "aà",  # Small Letter A With Circumflex And Grave
    "ẩ": "aå",  # Small Letter A With Circumflex And Hook Above
    "ẫ": "aã",  # Small Letter A With Circumflex And Tilde
    "ậ": "aä",  # Small Letter A With Circumflex And Dot Below
    "ê": "eâ",  # Small Letter E With Circumflex
    "ế": "eá",  # Small Letter E With Circumflex And Acute
    "ề": "eà",  # Small Letter E With Circumflex And Grave
    "ể": "eå",  # Small Letter E With Circumflex And Hook Above
    "ễ": "eã",  # Small Letter E With Circumflex And Tilde
    "ệ": "eä",  # Small Letter E With Circumflex And Dot Below
    "ô": "oâ",  # Small Letter O With Circumflex
    "ố": "oá",  # Small Letter O With Circumflex And Acute
    "ồ": "oà",  # Small Letter O With Circumflex And Grave
    "ổ": "oå",  # Small Letter O With Circumflex And Hook Above
    "ỗ": "oã",  # Small Letter O With Circumflex And Tilde
    "ộ": "oä",  # Small Letter O With Circumflex And Dot Below
    "ă": "aê",  # Small Letter A With Breve
    "ắ": "aé",  # Small Letter A With Breve And Acute
    "ằ": "aè",  # Small Letter A With Breve And Grave
    "ẳ": "aú",  # Small Letter A With Breve And Hook Above
    "ẵ": "aü",  # Small Letter A With Breve And Tilde
    "ặ": "aë",  # Small Letter A With Breve And Dot Below
    "ơ": "ô",  # Small Letter O With Horn
    "ớ": "ôù",  # Small Letter O With Horn And Acute
    "ờ": "ôø",  # Small Letter O With Horn And Grave
    "ở": "ôû",  # Small Letter O With Horn And Hook Above
    "ỡ": "ôõ",  # Small Letter O With Horn And Tilde
    "ợ": "ôï",  # Small Letter O With Horn And Dot Below
    "ư": "ö",  # Small Letter U With Horn
    "ứ": "öù",  # Small Letter U With Horn And Acute
    "ừ": "öø",  # Small Letter U With Horn And Grave
    "ử": "öû",  # Small Letter U With Horn And Hook Above
    "ữ": "öõ",  # Small Letter U With Horn And Tilde
    "ự": "öï",  # Small Letter U With Horn And Dot Below
    "í": "í",  # Small Letter I With Acute
    "ì": "ì",  # Small Letter I With Grave
    "ỉ": "æ",  # Small Letter I With Hook Above
    "ĩ": "ó",  # Small Letter I With Tilde
    "ị": "ò",  # Small Letter I With Dot Below
    "đ": "ñ",  # Small Letter D With Stroke
    "Á": "AÙ",  # Capital Letter A With Acute
    "À": "AØ",  # Capital Letter A With Grave
    "Ả": "AÛ",  # Capital Letter A With Hook Above
    "Ã": "AÕ",  # Capital Letter A With Tilde
    "Ạ": "AÏ",  # Capital Letter A With Dot Below
    "É": "EÙ",  # Capital Letter E With Acute
    "È": "EØ",  # Capital Letter E With Grave
    "Ẻ": "EÛ",  # Capital Letter E With Hook Above
    "Ẽ": "EÕ",  # Capital Letter E With Tilde
    "Ẹ": "EÏ",  # Capital Letter E With Dot Below
    "Ó": "OÙ",  # Capital Letter O With Acute
    "Ò": "OØ",  # Capital Letter O With Grave
    "Ỏ": "OÛ",  # Capital Letter O With Hook Above
    "Õ": "OÕ",  # Capital Letter O With Tilde
    "Ọ": "OÏ",  # Capital Letter O With Dot Below
    "Ú": "UÙ",  # Capital Letter U With Acute
    "Ù": "UØ",  # Capital Letter U With Grave
    "Ủ": "UÛ",  # Capital Letter U With Hook Above
    "Ũ": "UÕ",  # Capital Letter U With Tilde
    "Ụ": "UÏ",  # Capital Letter U With Dot Below
    "Ý": "YÙ",  # Capital Letter Y With Acute
    "Ỳ": "YØ",  # Capital Letter Y With Grave
    "Ỷ": "YÛ",  # Capital Letter Y With Hook Above
    "Ỹ": "YÕ",  # Capital Letter Y With Tilde
    "Ỵ": "Î",  # Capital Letter Y With Dot Below
    "Â": "AÂ",  # Capital Letter A With Circumflex
    "Ấ": "AÁ",  # Capital Letter A With Circumflex And Acute
    "Ầ": "AÀ",  # Capital Letter A With Circumflex And Grave
    "Ẩ": "AÅ",  # Capital Letter A With Circumflex And Hook Above
    "Ẫ": "AÃ",  # Capital Letter A With Circumflex And Tilde
    "Ậ": "AÄ",  # Capital Letter A With Circumflex And Dot Below
    "Ê": "EÂ",  # Capital Letter E With Circumflex
    "Ế": "EÁ",  # Capital Letter E With Circumflex And Acute
    "Ề": "EÀ",  # Capital Letter E With Circumflex And Grave
    "Ể": "EÅ",  # Capital Letter E With Circumflex And Hook Above
    "Ễ": "EÃ",  # Capital Letter E With Circumflex And Tilde
    "Ệ": "EÄ",  # Capital Letter E With Circumflex And Dot Below
    "Ô": "OÂ",  # Capital Letter O With Circumflex
    "Ố": "OÁ",  # Capital Letter O With Circumflex And Acute
    "Ồ": "OÀ",  # Capital Letter O With Circumflex And Grave
    "Ổ": "OÅ",  # Capital Letter O With Circumflex And Hook Above
    "Ỗ": "OÃ",  # Capital Letter O With Circumflex And Tilde
    "Ộ": "OÄ",  # Capital Letter O With Circumflex And Dot Below
    "Ă": "AÊ",  # Capital Letter A With Breve
    "Ắ": "AÉ",  # Capital Letter A With Breve And Acute
    "Ằ": "AÈ",  # Capital Letter A With Breve And Grave
    "Ẳ": "AÚ",  # Capital Letter A With Breve And Hook Above
    "Ẵ": "AÜ",  # Capital Letter A With Breve And Tilde
    "Ặ": "AË",  # Capital Letter A With Breve And Dot Below
    "Ơ": "Ô",  # Capital Letter O With Horn
    "Ớ": "ÔÙ",  # Capital Letter O With Horn And Acute
    "Ờ": "ÔØ",  # Capital Letter O With Horn And Grave
    "Ở": "ÔÛ",  # Capital Letter O With Horn And Hook Above
    "Ỡ": "ÔÕ",  # Capital Letter O With Horn And Tilde
    "Ợ": "ÔÏ",  # Capital Letter O With Horn And Dot Below
    "Ư": "Ö",  # Capital Letter U With Horn
    "Ứ": "ÖÙ",  # Capital Letter U With Horn And Acute
    "Ừ": "ÖØ",  # Capital Letter U With Horn And Grave
    "Ử": "ÖÛ",  # Capital Letter U With Horn And Hook Above
    "Ữ": "ÖÕ",  # Capital Letter U With Horn And Tilde
    "Ự": "ÖÏ",  # Capital Letter U With Horn And Dot Below
    "Í": "Í",  # Capital Letter I With Acute
    "Ì": "Ì",  # Capital Letter I With Grave
    "Ỉ": "Æ",  # Capital Letter I With Hook Above
    "Ĩ": "Ó",  # Capital Letter I With Tilde
    "Ị": "Ò",  # Capital Letter I With Dot Below
    "Đ": "Ñ",  # Capital Letter D With Stroke
}

#: Modifier bytes (as Windows-1252 glyphs) that only ever follow a base letter in VNI.
VNI_MODIFIERS: frozenset[str] = frozenset("ùøûõïâêáàåãäéèúüëÙØÛÕÏÂÊÁÀÅÃÄÉÈÚÜË")
