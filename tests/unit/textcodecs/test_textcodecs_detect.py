"""decode_bytes: declared encodings, UTF-8/BOM, and detection of legacy encodings."""

from __future__ import annotations

import codecs
import random
import unicodedata

import pytest

from motcua.textcodecs import DecodedText, UndecodableText, decode, decode_bytes, encode

PHRASES = [
    "Đăng ký khai sinh",
    "Chứng thực bản sao từ bản chính",
    "Xã Nghĩa Thái, Huyện Nam Đàn, Nghệ An",
    "Nguyễn Thị Hương",
    "Ủy ban nhân dân",
    "Bộ phận tiếp nhận và trả kết quả",
]
MORE_PHRASES = [
    "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
    "Cấp giấy chứng nhận quyền sử dụng đất",
    "Trần Văn Đức",
    "Đỗ Quỳnh Như",
    "Lê Thị Ánh Tuyết",
    "Xã Ea Tu, TP. Buôn Ma Thuột, Đắk Lắk",
    "Thủ tục hành chính",
    "ĐĂNG KÝ KẾT HÔN",
    "UBND xã Yên Phú",
    "Số điện thoại: 0912 345 678",
    "Ngày 12 tháng 3 năm 2024",
    "Xác nhận tình trạng hôn nhân",
    "Hồ sơ đã được tiếp nhận",
    "Phạm Ngọc Ẩn",
    "Trường Đại học",
]


def _fold(text: str) -> str:
    """What a TCVN3 file can carry: words with toned capitals end up in lower case."""
    return decode(encode(text, "tcvn3", errors="fold"), "tcvn3")


@pytest.mark.parametrize("encoding", ["cp1258", "tcvn3", "vni"])
@pytest.mark.parametrize("phrase", PHRASES + MORE_PHRASES)
def test_legacy_phrases_are_detected_and_decoded_exactly(phrase: str, encoding: str) -> None:
    expected = _fold(phrase) if encoding == "tcvn3" else phrase
    data = encode(expected, encoding)
    assert data.decode("utf-8", errors="replace") != expected  # really not UTF-8
    result = decode_bytes(data)
    assert result.encoding == encoding, result.notes
    assert result.text == expected
    assert result.confidence >= 0.99
    assert unicodedata.is_normalized("NFC", result.text)


@pytest.mark.parametrize("phrase", PHRASES + MORE_PHRASES)
def test_full_tcvn5712_capitals_are_decoded(phrase: str) -> None:
    result = decode_bytes(encode(phrase, "tcvn5712"))
    assert result.text == phrase
    assert result.encoding in ("tcvn3", "tcvn5712")  # identical unless C0 positions are used


def test_tcvn5712_capitals_in_control_positions() -> None:
    # Ỷ is 0x14 in VN1: valid UTF-8 as bytes, but the control character makes UTF-8 compete.
    result = decode_bytes(encode("Ỷ Lan, Ứng Hòa, Ý Yên", "tcvn5712"))
    assert result.text == "Ỷ Lan, Ứng Hòa, Ý Yên"
    assert result.encoding == "tcvn5712"


def test_toned_capitals_in_strict_tcvn3_come_back_lower_case() -> None:
    result = decode_bytes(encode("Ủy ban nhân dân", "tcvn3", errors="fold"))
    assert (result.text, result.encoding, result.confidence) == ("ủy ban nhân dân", "tcvn3", 1.0)


def test_all_phrases_in_one_document() -> None:
    text = "\n".join(PHRASES + MORE_PHRASES)
    for encoding in ("cp1258", "vni", "tcvn5712"):
        result = decode_bytes(encode(text, encoding))
        assert result.text == text
        assert result.confidence == 1.0


def test_tcvn3_csv_with_commas_and_digits() -> None:
    rows = [
        "ma_ho_so,ho_ten,thu_tuc,ngay_nhan,phi",
        "000.00.12.H40-240312-0001,Nguyễn Thị Hương,Đăng ký khai sinh,12/03/2024,0",
        "000.00.12.H40-240312-0002,Trần Văn Đức,Chứng thực bản sao từ bản chính,12/03/2024,2000",
        '000.00.12.H40-240313-0003,Lê Thị Thanh Tuyết,"Cấp giấy chứng nhận quyền sử dụng đất, lần đầu",'
        "13/03/2024,50000",
    ]
    csv_text = "\r\n".join(rows) + "\r\n"
    data = encode(csv_text, "tcvn3")
    result = decode_bytes(data)
    assert result.encoding == "tcvn3"
    assert result.text == csv_text
    assert result.text.splitlines()[1].split(",")[1] == "Nguyễn Thị Hương"


def test_nfd_utf8_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Chứng thực bản sao từ bản chính")
    result = decode_bytes(nfd.encode("utf-8"))
    assert result.text == "Chứng thực bản sao từ bản chính"
    assert result.encoding == "utf-8"
    assert "normalised to NFC" in result.notes


def test_tone_before_shape_mark_is_repaired() -> None:
    odd = "Vie\u0323\u0302t Nam, Nguye\u0303\u0302n"  # tone typed before the circumflex
    assert decode_bytes(odd.encode("utf-8")).text == "Việt Nam, Nguyễn"


def test_utf8_with_bom() -> None:
    result = decode_bytes(codecs.BOM_UTF8 + "Ủy ban nhân dân".encode())
    assert result.text == "Ủy ban nhân dân"
    assert result.encoding == "utf-8"
    assert "UTF-8 BOM stripped" in result.notes
    assert decode_bytes(codecs.BOM_UTF8 + b"abc", "utf-8").text == "abc"


def test_utf16_with_bom() -> None:
    result = decode_bytes("Hộ tịch".encode("utf-16"))
    assert (result.text, result.encoding) == ("Hộ tịch", "utf-16")


def test_plain_utf8_and_ascii_and_empty() -> None:
    assert decode_bytes("Nghệ An".encode()).encoding == "utf-8"
    assert decode_bytes(b"UBND, 2024").notes == ("valid UTF-8", "ASCII only")
    assert decode_bytes(b"") == DecodedText("", "utf-8", 1.0, ("empty input",))


@pytest.mark.parametrize("seed", range(20))
def test_random_binary_is_undecodable(seed: int) -> None:
    data = random.Random(seed).randbytes(256)
    with pytest.raises(UndecodableText) as info:
        decode_bytes(data)
    assert "no legacy Vietnamese encoding" in info.value.reason
    assert set(info.value.scores) == {"cp1258", "tcvn3", "vni", "tcvn5712"}


def test_other_language_is_undecodable() -> None:
    with pytest.raises(UndecodableText, match="best"):
        decode_bytes("Größenordnung überschüssig äußerst".encode("cp1252"))


def test_declared_encoding_wins() -> None:
    data = encode("Nguyễn Thị Hương", "vni")
    result = decode_bytes(data, declared="VNI-Windows")
    assert (result.text, result.encoding, result.confidence) == ("Nguyễn Thị Hương", "vni", 1.0)
    # A wrong but decodable declaration is obeyed (mojibake is the caller's choice).
    assert decode_bytes(data, declared="tcvn3").text != "Nguyễn Thị Hương"


def test_declared_encoding_that_does_not_fit_raises() -> None:
    with pytest.raises(UndecodableText, match="not valid cp1258") as info:
        decode_bytes(b"abc\x81", declared="windows-1258")
    assert info.value.encoding == "cp1258"
    with pytest.raises(UndecodableText, match="not valid utf-8"):
        decode_bytes(encode("Hương", "tcvn3"), declared="utf-8")
    with pytest.raises(UndecodableText, match="not supported"):
        decode_bytes(b"abc", declared="koi8-r")


def test_long_input_is_detected_on_a_sample() -> None:
    text = "Bộ phận tiếp nhận và trả kết quả, Ủy ban nhân dân xã.\n" * 2000
    result = decode_bytes(encode(text, "vni"), sample_size=4096)
    assert result.text == text
    assert any("first 4096 bytes" in note for note in result.notes)


def test_undefined_bytes_are_replaced_after_detection() -> None:
    data = encode("Chứng thực bản sao từ bản chính, Nguyễn Thị Hương", "cp1258") + b"\x81"
    result = decode_bytes(data)
    assert result.encoding == "cp1258"
    assert result.text.endswith("\ufffd")
    assert any("U+FFFD" in note for note in result.notes)


def test_ties_on_tiny_inputs_prefer_tcvn3_and_are_flagged() -> None:
    # b"B\xe9" is "Bộ" in TCVN3 and "Bé" in Windows-1258: both valid, so the prior decides.
    result = decode_bytes(b"B\xe9")
    assert (result.text, result.encoding) == ("Bộ", "tcvn3")
    assert any(note.startswith("ambiguous") for note in result.notes)
    assert decode_bytes(b"B\xe9", declared="cp1258").text == "Bé"
