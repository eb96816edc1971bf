"""Orthography helpers: NFC normalisation, syllable check and the plausibility score."""

from __future__ import annotations

import unicodedata

import pytest

from motcua.textcodecs import (
    is_valid_vietnamese_text,
    is_vietnamese_syllable,
    normalise_nfc,
    vietnamese_score,
)

_VALID_WORDS = (
    "Đăng ký khai sinh Chứng thực bản sao từ bản chính Xã Nghĩa Thái Huyện Nam Đàn Nghệ An Nguyễn Thị Hương "
    "Ủy ban nhân dân Bộ phận tiếp nhận và trả kết quả người quyền giữa gìn khuya thuở xoong quýt Quỳnh "
    "Đắk Lắk HĐND yêu yến Việt TRƯỜNG Trường a ơi ừ ý ấp oanh huỳnh "
    "hóa hoá thúy thuý ngoài khuỷu mía múa muối rượu khuấy giữa gì quả thuế hoàn huýt"
)
VALID = _VALID_WORDS.split()
INVALID = [
    "NguyÔn",  # TCVN3 read as Windows-1258
    "kyù",  # VNI read as Latin
    "Höông",
    "Uûy",
    "nhaân",
    "Ñaêng",
    "tàp",  # p/t/c/ch codas take only sắc or nặng
    "ấp̀",  # two tones
    "ḿ",  # tone on a consonant
    "nHân",  # mixed case
    "ung̃",
    "ông̣",
    "ưnh",  # nh after a back vowel
    "xinng",
    "leõ",  # tone on the wrong vowel
    "hoaì",
    "nguòi",
    "tiéng",
    "",
]


@pytest.mark.parametrize("word", VALID)
def test_valid_syllables(word: str) -> None:
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", INVALID)
def test_invalid_syllables(word: str) -> None:
    assert not is_vietnamese_syllable(unicodedata.normalize("NFC", word))


def test_normalise_nfc() -> None:
    assert normalise_nfc(unicodedata.normalize("NFD", "Nghệ An")) == "Nghệ An"
    assert normalise_nfc("a\u0301\u0302") == "ấ"  # tone typed before the circumflex
    assert normalise_nfc("o\u031b\u0300") == "ờ"
    assert normalise_nfc("e\u0302\u0301") == "ế"
    ascii_text = "plain"
    assert normalise_nfc(ascii_text) is ascii_text


def test_score() -> None:
    assert vietnamese_score("Ủy ban nhân dân xã") == 1.0
    assert vietnamese_score("no Vietnamese evidence at all") == 1.0
    assert vietnamese_score("“Hồ sơ” – đúng hạn…") == 1.0  # common typography is neutral
    assert vietnamese_score("Céng hoµ x· héi") < 0.2
    assert vietnamese_score("abc\x00\x01def") == 0.0
    assert vietnamese_score("Hồ sơ \ufffd") < 1.0
    assert 0.0 < vietnamese_score("Nguyễn José") < 1.0


def test_is_valid_vietnamese_text() -> None:
    assert is_valid_vietnamese_text(unicodedata.normalize("NFD", "Bộ phận tiếp nhận và trả kết quả"))
    assert not is_valid_vietnamese_text("Bé phËn tiÕp nhËn vµ tr¶ kÕt qu¶")
    assert not is_valid_vietnamese_text("Boä phaän tieáp nhaän vaø traû keát quaû")
    assert is_valid_vietnamese_text("Nguyễn José", min_score=0.5)
