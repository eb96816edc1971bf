from __future__ import annotations

from motcua.landing.ledger import ONE_STOP_DOSSIERS
from motcua.landing.loader import checksum, key_of


def test_checksum_ignores_key_order_but_not_content():
    a = {"dossier_code": "X-250101-0001", "version": 1, "procedure_name": "Đăng ký khai sinh"}
    b = dict(reversed(list(a.items())))
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum({**a, "version": 2})


def test_key_of_accepts_a_valid_record():
    assert key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X-250101-0001", "version": 3}) == ("X-250101-0001", 3)


def test_key_of_explains_each_defect():
    assert key_of(ONE_STOP_DOSSIERS, None) == "record is not a JSON object"
    assert key_of(ONE_STOP_DOSSIERS, {"version": 1}) == "missing or empty dossier_code"
    assert key_of(ONE_STOP_DOSSIERS, {"dossier_code": " ", "version": 1}) == "missing or empty dossier_code"
    assert "positive integer" in key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X", "version": "2"})
    assert "positive integer" in key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X", "version": True})
    assert "positive integer" in key_of(ONE_STOP_DOSSIERS, {"dossier_code": "X", "version": 0})
