"""encode/decode round trips for every Vietnamese letter in every encoding."""

from __future__ import annotations

import unicodedata

import pytest

from motcua.textcodecs import (
    ENCODINGS,
    VIETNAMESE_PRECOMPOSED,
    UnencodableText,
    UnknownEncoding,
    canonical_encoding,
    decode,
    encode,
)

LETTERS = sorted(VIETNAMESE_PRECOMPOSED)
TONES = "\u0300\u0301\u0303\u0309\u0323"


def _has_tone(letter: str) -> bool:
    return any(c in TONES for c in unicodedata.normalize("NFD", letter))


LOWER = [ch for ch in LETTERS if ch.islower()]
TONED_UPPER = [ch for ch in LETTERS if ch.isupper() and _has_tone(ch)]
TCVN3_LETTERS = LOWER + list("ĂÂÊÔƠƯĐ")
FULL_ENCODINGS = ("utf-8", "utf-8-nfd", "utf-16", "cp1258", "tcvn5712", "vni")


@pytest.mark.parametrize("encoding", FULL_ENCODINGS)
@pytest.mark.parametrize("letter", LETTERS)
def test_every_letter_round_trips(encoding: str, letter: str) -> None:
    assert decode(encode(letter, encoding), encoding) == letter
    word = f"x{letter}y {letter.upper()}{letter.lower()}"
    assert decode(encode(word, encoding), encoding) == word


@pytest.mark.parametrize("letter", TCVN3_LETTERS)
def test_every_tcvn3_letter_round_trips(letter: str) -> None:
    data = encode(letter, "tcvn3")
    assert len(data) == 1 and data[0] >= 0xA1
    assert decode(data, "tcvn3") == letter


@pytest.mark.parametrize("letter", TONED_UPPER)
def test_tcvn3_rejects_toned_capitals_unless_folded(letter: str) -> None:
    with pytest.raises(UnencodableText, match="VnTimeH") as info:
        encode(f"ab{letter}", "tcvn3")
    assert info.value.position == 2 and info.value.char == letter and info.value.encoding == "tcvn3"
    assert encode(letter, "tcvn3", errors="fold") == encode(letter.lower(), "tcvn3")
    assert encode(f"X{letter}Y", "tcvn3", errors="fold") == encode(f"x{letter.lower()}y", "tcvn3")
    # The VN1 byte of a toned capital is still read back by the lenient tcvn3 decoder,
    # except those VN1 parked in C0 control positions.
    vn1 = encode(letter, "tcvn5712")
    assert decode(vn1, "tcvn3") == (letter if vn1[0] >= 0x80 else vn1.decode("ascii"))


def test_all_letters_in_one_string() -> None:
    text = "".join(LETTERS)
    for encoding in FULL_ENCODINGS:
        assert decode(encode(text, encoding), encoding) == text
    tcvn3 = "".join(TCVN3_LETTERS)
    assert decode(encode(tcvn3, "tcvn3"), "tcvn3") == tcvn3
    assert len(encode(tcvn3, "tcvn3")) == 74


def test_legacy_encodings_are_single_byte_or_letter_plus_modifier() -> None:
    assert len(encode("".join(LETTERS), "tcvn5712")) == 134
    assert len(encode("ệ", "vni")) == 2 and len(encode("ư", "vni")) == 1
    assert len(encode("ự", "vni")) == 2


def test_ascii_passes_through() -> None:
    ascii_text = "".join(chr(c) for c in range(0x20, 0x7F)) + "\t\r\n"
    for encoding in ("cp1258", "tcvn3", "tcvn5712", "vni"):
        assert encode(ascii_text, encoding) == ascii_text.encode("ascii")
        assert decode(ascii_text.encode("ascii"), encoding) == ascii_text


def test_encoding_accepts_decomposed_input() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    for encoding in ("cp1258", "tcvn3", "vni"):
        assert decode(encode(nfd, encoding), encoding) == "Nguyễn Thị Hương"
    assert encode("Việt", "utf-8-nfd") == unicodedata.normalize("NFD", "Việt").encode("utf-8")


@pytest.mark.parametrize(
    ("encoding", "char"),
    [("tcvn3", "€"), ("tcvn3", "ü"), ("vni", "ü"), ("vni", "“"), ("cp1258", "中"), ("tcvn5712", "\x01"), ("vni", "ß")],
)
def test_unrepresentable_text_raises_a_clear_error(encoding: str, char: str) -> None:
    with pytest.raises(UnencodableText, match=rf"U\+{ord(char):04X}\) at position 3 in {encoding}"):
        encode(f"abc{char}", encoding)
    assert encode(f"abc{char}", encoding, errors="replace") == b"abc?"


def test_encoding_names_and_aliases() -> None:
    assert canonical_encoding("Windows-1258") == "cp1258"
    assert canonical_encoding("TCVN3") == canonical_encoding(".VnTime") == canonical_encoding("ABC") == "tcvn3"
    assert canonical_encoding("TCVN 5712:1993") == "tcvn5712"
    assert canonical_encoding("VNI-Windows") == canonical_encoding("vni_win") == "vni"
    assert canonical_encoding("UTF8") == "utf-8" and canonical_encoding("NFD") == "utf-8-nfd"
    assert set(map(canonical_encoding, ENCODINGS)) == set(ENCODINGS)
    with pytest.raises(UnknownEncoding, match="VISCII"):
        encode("a", "VISCII")
    with pytest.raises(ValueError, match="errors"):
        encode("a", "vni", errors="ignore")


def test_tcvn3_fold_lowercases_whole_words_only() -> None:
    assert decode(encode("ĐĂNG KÝ KẾT HÔN", "tcvn3", errors="fold"), "tcvn3") == "ĐĂNG ký kết HÔN"
    assert decode(encode("Ủy ban", "tcvn3", errors="fold"), "tcvn3") == "ủy ban"
    with pytest.raises(UnencodableText):
        encode("Ủy €", "tcvn3", errors="fold")
