"""Sanity checks and independent anchors for the byte tables."""

from __future__ import annotations

import unicodedata

from motcua.textcodecs import VIETNAMESE_PRECOMPOSED, decode, encode
from motcua.textcodecs.tables import (
    TCVN3_VN3,
    TCVN5712_COMBINING,
    TCVN5712_UPPER_C0,
    TCVN5712_UPPER_HIGH,
    VNI_MODIFIERS,
    VNI_WINDOWS,
)

TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")
TONED_CAPITALS = {
    ch for ch in VIETNAMESE_PRECOMPOSED if ch.isupper() and TONE_MARKS & set(unicodedata.normalize("NFD", ch))
}


def test_there_are_134_precomposed_letters() -> None:
    assert len(VIETNAMESE_PRECOMPOSED) == 134
    assert len(TONED_CAPITALS) == 60
    assert all(unicodedata.is_normalized("NFC", ch) for ch in VIETNAMESE_PRECOMPOSED)


def test_tcvn3_vn3_holds_lower_case_and_base_capitals_only() -> None:
    letters = set(TCVN3_VN3.values()) - {"\u00a0"}
    assert len(letters) == 74
    assert letters <= VIETNAMESE_PRECOMPOSED
    assert not letters & TONED_CAPITALS
    assert {ch for ch in VIETNAMESE_PRECOMPOSED if ch.islower()} <= letters
    assert set("ĂÂÊÔƠƯĐ") <= letters


def test_tcvn5712_full_table_covers_every_letter_once() -> None:
    full = {**TCVN3_VN3, **TCVN5712_UPPER_HIGH, **TCVN5712_UPPER_C0}
    letters = [ch for ch in full.values() if ch != "\u00a0"]
    assert len(letters) == len(set(letters)) == 134
    assert set(letters) == VIETNAMESE_PRECOMPOSED
    assert set(TCVN5712_UPPER_HIGH.values()) | set(TCVN5712_UPPER_C0.values()) == TONED_CAPITALS
    assert all(b >= 0x80 for b in TCVN5712_UPPER_HIGH) and all(b < 0x20 for b in TCVN5712_UPPER_C0)
    assert set(TCVN5712_COMBINING) == {0xB0, 0xB1, 0xB2, 0xB3, 0xB4}
    # no byte is assigned twice across the partial tables
    parts = [TCVN3_VN3, TCVN5712_UPPER_HIGH, TCVN5712_UPPER_C0, TCVN5712_COMBINING]
    assert sum(len(p) for p in parts) == len({b for p in parts for b in p})


def test_tcvn3_well_known_bytes() -> None:
    assert TCVN3_VN3[0xAE] == "đ" and TCVN3_VN3[0xA7] == "Đ"
    assert TCVN3_VN3[0xAD] == "ư" and TCVN3_VN3[0xAC] == "ơ"
    assert TCVN3_VN3[0xB5] == "à" and TCVN3_VN3[0xB8] == "á" and TCVN3_VN3[0xFE] == "ỵ"
    # The classic mojibake of a TCVN3 heading viewed in a Latin-1 font.
    assert decode("Céng hoµ x· héi chñ nghÜa ViÖt Nam".encode("latin-1"), "tcvn3") == (
        "Cộng hoà xã hội chủ nghĩa Việt Nam"
    )


def test_vni_table_covers_every_letter_with_unique_sequences() -> None:
    assert set(VNI_WINDOWS) == VIETNAMESE_PRECOMPOSED
    assert len(set(VNI_WINDOWS.values())) == 134
    for letter, sequence in VNI_WINDOWS.items():
        assert 1 <= len(sequence) <= 2
        sequence.encode("cp1252")  # every glyph is a Windows-1252 byte
        if len(sequence) == 2:
            assert sequence[1] in VNI_MODIFIERS
            assert sequence[0].isupper() == sequence[1].isupper() == letter.isupper()


def test_vni_well_known_text() -> None:
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam - Ñoäc laäp - Töï do - Haïnh phuùc".encode("cp1252")
    assert decode(vni, "vni") == "Cộng hòa xã hội chủ nghĩa Việt Nam - Độc lập - Tự do - Hạnh phúc"
    assert encode("Trường Đại học", "vni") == "Tröôøng Ñaïi hoïc".encode("cp1252")


def test_cp1258_uses_base_letter_plus_combining_tone() -> None:
    assert encode("ệ", "cp1258") == b"\xea\xf2"  # ê + combining dot below
    assert encode("Đ", "cp1258") == b"\xd0"
    assert encode("á", "cp1258") == b"\xe1"  # precomposed where the code page has it
